"""Every index figure follows the questionnaire's method profile.

The microdata of ``test_method_reports`` give different values in the two orders of
aggregation, worked out by hand below; a sipas-2023/1 questionnaire must show the
respondent-level value in the headline, the trend, the city ranking and every
export, and a 2017 one the items -> criteria -> index value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from scipy import stats

from surveyapp.reporting import build
from tests.reporting import test_method_reports as method_reports
from tests.reporting.test_method_reports import _load, _report

TZ = "Asia/Ho_Chi_Minh"

# Respondent scores (share of satisfied answers per criterion, then their mean):
# AAA r1 A {5,3} = 1/2, B {4} = 1 -> 3/4; r2 A {4} (a2 N/A) = 1, B {2} = 0 -> 1/2;
#     r3 A {2,5} = 1/2, no B -> 1/2; r4 A {4} = 1, B {3} = 0 -> 1/2.
# BBB both respondents satisfied everywhere -> 1, 1.
AAA_SCORES = [0.75, 0.5, 0.5, 0.5]
BBB_SCORES = [1.0, 1.0]
# Criteria of AAA by respondent: A = mean(1/2, 1, 1/2, 1) = 3/4; B = mean(1, 0, 0) = 1/3.
AAA_CRITERIA = {"crit_a": 75.0, "crit_b": 100 / 3}
# Items -> criteria -> index for AAA: a1 {5,4,2} 2/3, a2 {3,5,4} 2/3, b1 {4,2,3} 1/3
# -> A 2/3, B 1/3 -> 1/2; for the city: a1 4/5, a2 4/5, b1 3/5 -> (4/5 + 3/5) / 2 = 7/10.
AAA_ITEMS_ORDER = 50.0
CITY_ITEMS_ORDER = 70.0


@pytest.fixture(autouse=True)
def _small_agencies_shown(app: Any) -> None:
    """A handful of respondents per agency: no city row is suppressed here."""
    app.config["SUPPRESS_MIN_N"] = 1


def _t(scores: list[float]) -> tuple[float, float]:
    """Student t 95% interval of the mean score on 0-100, computed by scipy."""
    x = 100 * np.array(scores)
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    return max(lo, 0.0), min(hi, 100.0)


def test_agency_headline_and_trend_are_respondent_level(cli: Any, db: Any, tmp_path: Path) -> None:
    _load(cli, tmp_path, "q2023", "method: sipas-2023/1")
    report = _report(cli, tmp_path, "--agency", "AAA", "--questionnaire", "q2023")
    index = report["index"]
    assert index["value"] == pytest.approx(100 * np.mean(AAA_SCORES))  # 56.25, not 50
    assert index["value"] != pytest.approx(AAA_ITEMS_ORDER)
    lo, hi = _t(AAA_SCORES)
    assert (index["ci"]["lower"], index["ci"]["upper"]) == pytest.approx((lo, hi))
    assert index["ci"]["method"] == "t"
    assert index["se"] == pytest.approx(stats.sem(100 * np.array(AAA_SCORES)))
    assert index["n_min"] == 4
    got = {c["key"]: c["value"] for c in index["components"]}
    assert got == pytest.approx(AAA_CRITERIA)
    assert report["indices"]["sipas"]["value"] == pytest.approx(56.25)
    (point,) = report["trend"]["periods"]  # all in 2017-Q1
    assert point["index"] == pytest.approx(56.25)
    assert report["method"]["index"] == pytest.approx(56.25)


def test_city_headline_ranking_and_exports_are_respondent_level(
    cli: Any, db: Any, app: Any, tmp_path: Path
) -> None:
    _load(cli, tmp_path, "q2023", "method: sipas-2023/1")
    report = _report(cli, tmp_path, "--all", "--questionnaire", "q2023")
    city = 100 * np.mean(AAA_SCORES + BBB_SCORES)  # 425/6 = 70.83, not 70
    assert report["index"]["value"] == pytest.approx(city)
    assert report["index"]["value"] != pytest.approx(CITY_ITEMS_ORDER)
    (point,) = report["trend"]["periods"]
    assert point["index"] == pytest.approx(city)
    rows = {r["code"]: r for r in report["agencies"]}
    assert rows["AAA"]["index"] == pytest.approx(56.25)
    assert rows["BBB"]["index"] == pytest.approx(100.0)
    assert (rows["BBB"]["rank"], rows["AAA"]["rank"]) == (1, 2)
    assert report["method"]["index"] == pytest.approx(city)
    with app.app_context(), db.session() as session:
        ranking = build.city_ranking(session, slug="q2023", timezone=TZ)
    assert ranking.index.value == pytest.approx(city)
    assert {a.code: a.index for a in ranking.agencies} == pytest.approx(
        {"AAA": 56.25, "BBB": 100.0}
    )
    out = tmp_path / "r.xlsx"
    result = cli("report", "--all", "--questionnaire", "q2023", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out, read_only=True)
    numbers = [
        c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
        if isinstance(c, float)
    ]  # fmt: skip
    assert any(c == pytest.approx(city) for c in numbers)
    assert any(c == pytest.approx(56.25) for c in numbers)
    assert not any(c == pytest.approx(CITY_ITEMS_ORDER) for c in numbers)


def test_2017_questionnaire_keeps_items_criteria_index(cli: Any, db: Any, tmp_path: Path) -> None:
    _load(cli, tmp_path, "q2017", "")
    agency = _report(cli, tmp_path, "--agency", "AAA", "--questionnaire", "q2017")
    assert agency["index"]["value"] == pytest.approx(AAA_ITEMS_ORDER)
    assert agency["trend"]["periods"][0]["index"] == pytest.approx(AAA_ITEMS_ORDER)
    city = _report(cli, tmp_path, "--all", "--questionnaire", "q2017")
    assert city["index"]["value"] == pytest.approx(CITY_ITEMS_ORDER)
    assert city["index"]["ci"]["method"] != "t"


def test_weighted_section_follows_the_profile(
    cli: Any, db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weighting = (
        "weighting:\n  method: poststratification\n  targets:\n"
        "    respondent_type: {business: 0.25, citizen: 0.75}\n"
    )
    monkeypatch.setattr(method_reports, "QUESTIONNAIRE", method_reports.QUESTIONNAIRE + weighting)
    _load(cli, tmp_path, "q2023", "method: sipas-2023/1")
    weighted = _report(cli, tmp_path, "--agency", "AAA", "--questionnaire", "q2023")["weighted"]
    # AAA: citizens r1, r2 get .75 * 4 / 2 = 1.5, businesses r3, r4 .25 * 4 / 2 = .5;
    # weighted mean score (1.5 * 3/4 + 1.5 * 1/2 + .5 * 1/2 + .5 * 1/2) / 4 = 19/32
    # (items -> criteria -> index would give ((6/7 + 2/5) / 2 + 3/7) / 2 = 37/70).
    assert weighted["index"] == pytest.approx(100 * 19 / 32)
