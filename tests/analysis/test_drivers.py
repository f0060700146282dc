"""Driver analysis: Johnson's relative weights against a published example and OLS."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from analysis import Moments, Reason, drivers

# mtcars (Henderson & Velleman 1981; R datasets): mpg, cyl, disp, hp, gear.
MTCARS = np.array([
    [21.0, 6, 160, 110, 4], [21.0, 6, 160, 110, 4], [22.8, 4, 108, 93, 4],
    [21.4, 6, 258, 110, 3], [18.7, 8, 360, 175, 3], [18.1, 6, 225, 105, 3],
    [14.3, 8, 360, 245, 3], [24.4, 4, 146.7, 62, 4], [22.8, 4, 140.8, 95, 4],
    [19.2, 6, 167.6, 123, 4], [17.8, 6, 167.6, 123, 4], [16.4, 8, 275.8, 180, 3],
    [17.3, 8, 275.8, 180, 3], [15.2, 8, 275.8, 180, 3], [10.4, 8, 472, 205, 3],
    [10.4, 8, 460, 215, 3], [14.7, 8, 440, 230, 3], [32.4, 4, 78.7, 66, 4],
    [30.4, 4, 75.7, 52, 4], [33.9, 4, 71.1, 65, 4], [21.5, 4, 120.1, 97, 3],
    [15.5, 8, 318, 150, 3], [15.2, 8, 304, 150, 3], [13.3, 8, 350, 245, 3],
    [19.2, 8, 400, 175, 3], [27.3, 4, 79, 66, 4], [26.0, 4, 120.3, 91, 5],
    [30.4, 4, 95.1, 113, 5], [15.8, 8, 351, 264, 5], [19.7, 6, 145, 175, 5],
    [15.0, 8, 301, 335, 5], [21.4, 4, 121, 109, 4],
])  # fmt: skip
NAMES = ["mpg", "cyl", "disp", "hp", "gear"]


def test_relative_weights_match_published_rwa_example() -> None:
    # Published output of R package rwa (Chan; Tonidandel & LeBreton 2015 method),
    # vignette "Simple Example with mtcars": rwa(mtcars, "mpg", c(cyl, disp, hp, gear)).
    res = drivers(Moments.from_array(MTCARS, NAMES), "mpg", min_n=10)
    raw = {w.name: w.raw for w in res.weights}
    assert raw == pytest.approx(
        {"hp": 0.2321744, "cyl": 0.2284797, "disp": 0.2221469, "gear": 0.0963886}, abs=1e-7
    )
    assert res.r_squared == pytest.approx(0.7791896, abs=1e-7)
    assert sum(w.pct_of_r2 for w in res.weights) == pytest.approx(100)
    assert res.summary_en is not None and res.summary_en.startswith("hp explains")


def test_relative_weights_sum_to_ols_r2_and_match_svd_route() -> None:
    # Independent route (Johnson 2000, sec. 2): SVD X = P D Q', Z = P Q'; regress y and
    # each x on Z with statsmodels OLS; epsilon_j = sum_k lambda_jk^2 beta_k^2.
    rng = np.random.default_rng(9)
    latent = rng.normal(size=(400, 1))
    x = latent + rng.normal(size=(400, 4)) * [0.5, 1.0, 1.5, 2.0]
    y = x @ [0.5, 0.3, 0.2, 0.1] + rng.normal(size=400)
    data = np.column_stack([x, y])
    names = ["access", "procedures", "civil_servants", "results", "overall"]
    res = drivers(Moments.from_array(data, names), "overall",
                  labels_vi={"access": "Tiếp cận dịch vụ"})  # fmt: skip
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    assert res.r_squared == pytest.approx(ols.rsquared)
    assert sum(w.raw for w in res.weights) == pytest.approx(ols.rsquared)
    zx = (x - x.mean(0)) / x.std(0, ddof=1)
    zy = (y - y.mean()) / y.std(ddof=1)
    p, _, qt = np.linalg.svd(zx, full_matrices=False)
    z = p @ qt * np.sqrt(len(y) - 1)
    beta = sm.OLS(zy, z).fit().params
    lam = np.column_stack([sm.OLS(zx[:, j], z).fit().params for j in range(4)])
    eps = (lam**2).T @ beta**2
    assert [w.raw for w in res.weights] == pytest.approx(eps)
    for c, j in zip(res.correlations, range(4), strict=True):
        assert c.r == pytest.approx(np.corrcoef(x[:, j], y)[0, 1])
    assert res.summary_vi is not None and "Tiếp cận dịch vụ" in res.summary_vi


def test_drivers_not_computable() -> None:
    constant = np.column_stack([np.arange(50.0), np.full(50, 3.0), np.arange(50.0) % 5])
    res = drivers(Moments.from_array(constant, ["a", "b", "y"]), "y")
    assert res.reason is Reason.ZERO_VARIANCE and res.weights == ()
    assert res.correlations[1].r is None and res.correlations[0].r is not None
    collinear = np.column_stack([np.arange(50.0), 2 * np.arange(50.0), np.arange(50.0) % 7])
    assert drivers(Moments.from_array(collinear, ["a", "b", "y"]), "y").reason is (
        Reason.SINGULAR_MATRIX
    )
    empty = drivers(Moments.from_array(np.empty((0, 3)), ["a", "b", "y"]), "y")
    assert empty.reason is Reason.NO_DATA and not empty.reliable
