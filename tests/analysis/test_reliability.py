"""Cronbach's alpha family against pingouin and pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from analysis import Moments, Reason, cronbach_alpha, cronbach_alpha_from_array


def _data() -> pd.DataFrame:
    # pingouin's packaged example (also used in its docstring, checked against R psych).
    return pg.read_dataset("cronbach_wide_missing")


def test_alpha_and_feldt_ci_match_pingouin_listwise() -> None:
    df = _data()
    # pingouin 0.5-0.7 takes n for the Feldt df *before* listwise deletion, so we hand
    # it the complete cases; our n is the number of complete cases, as Feldt requires.
    alpha, ci = pg.cronbach_alpha(df.dropna())
    res = cronbach_alpha_from_array(df.to_numpy(float), list(df.columns))
    assert res.alpha == pytest.approx(alpha)
    assert res.ci is not None
    assert [round(res.ci.lower, 3), round(res.ci.upper, 3)] == pytest.approx(list(ci))
    assert res.n == len(df.dropna())


def test_item_total_and_alpha_if_deleted_match_direct_computation() -> None:
    df = _data().dropna()
    res = cronbach_alpha(Moments.from_array(df.to_numpy(float), list(df.columns)))
    total = df.sum(axis=1)
    for item in res.items:
        rest = total - df[item.name]
        # Independent: pandas correlation with the rest score; pingouin on k-1 items.
        assert item.corrected_item_total == pytest.approx(df[item.name].corr(rest))
        a_del, _ = pg.cronbach_alpha(df.drop(columns=item.name))
        assert item.alpha_if_deleted == pytest.approx(a_del)


def test_alpha_not_computable_cases() -> None:
    assert cronbach_alpha_from_array(np.ones((10, 1))).reason is Reason.TOO_FEW_ITEMS
    assert cronbach_alpha_from_array(np.empty((0, 3))).reason is Reason.NO_DATA
    one = cronbach_alpha_from_array([[1, 2, 3]])
    assert one.alpha is None and one.reason is Reason.SINGLE_RESPONDENT
    same = cronbach_alpha_from_array(np.full((50, 3), 4.0))
    assert same.alpha is None and same.ci is None and same.reason is Reason.ZERO_VARIANCE
    assert all(i.corrected_item_total is None for i in same.items)
    two = cronbach_alpha_from_array([[1, 2], [2, 3], [4, 4], [5, 5]])
    assert two.alpha is not None and two.items[0].alpha_if_deleted is None
    assert not two.reliable and two.flag == "small_sample"
