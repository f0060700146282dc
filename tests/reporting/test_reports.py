"""Reports checked against pandas/scipy/pingouin computed straight from the raw answers.

References for the independent implementations: scipy.stats (t interval, kruskal,
chi2_contingency), statsmodels proportion_confint (Wilson 1927), pingouin
cronbach_alpha (Feldt CI), scikit-posthocs posthoc_dunn (Dunn 1964, Holm 1979).
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pingouin
import pytest
import scikit_posthocs
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from surveyapp.config import PACKAGE_DIR
from tests.reporting.conftest import DIMENSIONS, SATISFIED, SCORED, Loaded

SCHEMA = json.loads((PACKAGE_DIR.parent / "docs" / "report-schema.json").read_text("utf-8"))
approx = pytest.approx


def validate(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(
        report
    )


def by_key(entries: list[dict[str, Any]], key: str = "key") -> dict[str, dict[str, Any]]:
    return {e[key]: e for e in entries}


def expected_item(frame: pd.DataFrame, na: pd.DataFrame, key: str) -> dict[str, Any]:
    values = frame[key].dropna()
    n, n_na = len(values), int(na.loc[frame.index, key].sum())
    out: dict[str, Any] = {
        "n": n,
        "n_na": n_na,
        "n_missing": len(frame) - n - n_na,
        "mean": values.mean() if n else None,
        "sd": values.std(ddof=1) if n > 1 else None,
    }
    if n > 1:
        half = stats.t.isf(0.025, n - 1) * values.std(ddof=1) / np.sqrt(n)
        out["mean_ci"] = (values.mean() - half, values.mean() + half)
    if n:
        sat = int(values.isin(SATISFIED).sum())
        out["satisfied_pct"] = 100 * sat / n
        out["satisfied_ci"] = tuple(100 * b for b in proportion_confint(sat, n, method="wilson"))
    return out


def check_items(report: dict[str, Any], frame: pd.DataFrame, na: pd.DataFrame) -> None:
    items = by_key(report["items"])
    for key in [*SCORED, "overall_satisfaction"]:
        got, want = items[key], expected_item(frame, na, key)
        assert got["n"] == want["n"], key
        assert got["n_na"] == want["n_na"], key
        assert got["n_missing"] == want["n_missing"], key
        assert got["mean"] == approx(want["mean"]), key
        assert got["sd"] == approx(want["sd"]), key
        if "mean_ci" in want:
            ci = got["mean_ci"]
            assert (ci["lower"], ci["upper"]) == approx(want["mean_ci"]), key
        if "satisfied_pct" in want:
            assert got["satisfied_pct"] == approx(want["satisfied_pct"]), key
            ci = got["satisfied_ci"]
            assert (ci["lower"], ci["upper"]) == approx(want["satisfied_ci"]), key
        counts = frame[key].value_counts()
        assert {d["value"]: d["count"] for d in got["distribution"]} == {
            float(v): float(counts.get(v, 0)) for v in range(1, 6)
        }


def expected_dimensions(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    out = {}
    for dim, items in DIMENSIONS.items():
        present = [k for k in items if frame[k].notna().any()]
        if not present:
            continue
        out[dim] = {
            "mean": float(np.mean([frame[k].mean() for k in present])),
            "satisfied_pct": float(
                np.mean([100 * frame[k].dropna().isin(SATISFIED).mean() for k in present])
            ),
        }
    return out


def respondent_means(frame: pd.DataFrame, items: list[str]) -> pd.Series:
    return frame[items].mean(axis=1, skipna=True)


# -- the agency report ----------------------------------------------------------------
def test_agency_report_matches_pandas(loaded: Loaded) -> None:
    report = loaded.run("--agency", "AAA")
    validate(report)
    frame = loaded.frame[loaded.frame.agency == "AAA"]
    assert report["schema"] == "surveyapp/report/agency/1"
    assert report["agency"] == {"code": "AAA", "name_vi": "Cơ quan AAA", "name_en": "Agency AAA"}
    assert report["questionnaire"]["slug"] == "sipas"
    assert report["questionnaire"]["version"] == 1
    # Quarantined and deleted responses (all answers 1) are not counted.
    assert report["n_responses"] == len(frame)
    assert report["period"]["from"] == str(frame.local.min().date())
    assert report["period"]["to"] == str(frame.local.max().date())
    check_items(report, frame, loaded.na)

    dims = by_key(report["dimensions"])
    want = expected_dimensions(frame)
    for key, expected in want.items():
        assert dims[key]["mean"] == approx(expected["mean"]), key
        assert dims[key]["satisfied_pct"] == approx(expected["satisfied_pct"]), key
        if len(DIMENSIONS[key]) >= 2:
            complete = frame[DIMENSIONS[key]].dropna()
            # Complete cases first: pingouin takes n before its own listwise deletion.
            alpha, ci = pingouin.cronbach_alpha(complete)
            assert dims[key]["alpha_n"] == len(complete)
            if len(complete) >= 2:
                assert dims[key]["alpha"] == approx(alpha), key
                low, high = dims[key]["alpha_ci"]["lower"], dims[key]["alpha_ci"]["upper"]
                assert (low, high) == approx(tuple(ci), abs=1e-3), key  # pingouin rounds
    # SIPAS index: mean over dimensions of the dimension % satisfied.
    assert report["index"]["value"] == approx(np.mean([d["satisfied_pct"] for d in want.values()]))
    assert (
        report["index"]["ci"]["lower"] < report["index"]["value"] < report["index"]["ci"]["upper"]
    )
    rec = frame["recommend"].dropna()
    nps = 100 * ((rec >= 9).mean() - (rec <= 6).mean())
    assert report["indices"]["nps"]["value"] == approx(nps)
    # Drivers: Pearson r of dimension respondent means with overall (complete cases).
    shown_to_all = [d for d in DIMENSIONS if d != "feedback"]  # feedback has show_if
    table = pd.DataFrame({d: respondent_means(frame, DIMENSIONS[d]) for d in shown_to_all})
    table["overall"] = frame["overall_satisfaction"]
    table = table.dropna()
    drivers = by_key(report["drivers"]["correlations"], "name")
    assert report["drivers"]["n"] == len(table)
    assert set(drivers) == set(shown_to_all)
    for dim in shown_to_all:
        assert drivers[dim]["r"] == approx(table[dim].corr(table["overall"])), dim


def test_single_respondent_and_empty_agency_are_not_computable(loaded: Loaded) -> None:
    single = loaded.run("--agency", "CCC")
    validate(single)
    assert single["n_responses"] == 1
    for item in single["items"]:
        assert item["sd"] is None and item["mean_ci"] is None
        assert item["reliable"] is False and item["flag"] == "small_sample"
        if item["n"] == 1:
            assert item["reason"] == "single_respondent"
    assert all(d["alpha"] is None for d in single["dimensions"])

    empty = loaded.run("--agency", "DDD", "--questionnaire", "sipas")
    validate(empty)
    assert empty["n_responses"] == 0
    assert empty["index"]["value"] is None and empty["index"]["reason"] == "no_data"
    assert empty["period"] == {"from": None, "to": None, "timezone": "Asia/Ho_Chi_Minh"}
    assert all(i["n"] == 0 and i["mean"] is None for i in empty["items"])


def test_all_identical_answers_are_clearly_not_computable(loaded: Loaded) -> None:
    report = loaded.run("--agency", "EEE")
    validate(report)
    item = by_key(report["items"])["proc_posted"]
    assert item["mean"] == 4 and item["sd"] == 0 and item["satisfied_pct"] == 100
    dim = by_key(report["dimensions"])["procedures"]
    assert dim["alpha"] is None and dim["alpha_reason"] == "zero_variance"
    assert report["drivers"]["reason"] == "zero_variance"
    city = loaded.run("--all", "--from", "2018-03-01", "--to", "2018-03-31")
    validate(city)
    assert city["n_responses"] == 11
    assert city["kruskal"]["h"] is None and city["kruskal"]["reason"] == "all_identical"
    assert city["chi2"]["statistic"] is None and city["chi2"]["reason"] == "all_identical"


def test_local_day_bounds_are_inclusive(loaded: Loaded) -> None:
    frame = loaded.frame[loaded.frame.agency == "BBB"]
    for first, last in [
        ("2017-01-01", "2017-06-30"),  # partial edge: 23:30 on 30 June is in, 00:10 not
        ("2017-07-01", "2017-12-31"),
        ("2017-06-01", "2017-06-30"),  # whole month from the aggregates
        ("2017-07-01", "2017-07-31"),
        ("2017-06-30", "2017-07-01"),
        ("2017-02-14", "2017-11-03"),
    ]:
        report = loaded.run("--agency", "BBB", "--from", first, "--to", last)
        local_days = frame.local.dt.date.astype(str)
        inside = frame[(local_days >= first) & (local_days <= last)]
        assert report["n_responses"] == len(inside), (first, last)
        assert report["period"] == {"from": first, "to": last, "timezone": "Asia/Ho_Chi_Minh"}
        check_items(report, inside, loaded.na)
    late = loaded.run("--agency", "BBB", "--from", "2017-06-30", "--to", "2017-06-30")
    early = loaded.run("--agency", "BBB", "--from", "2017-07-01", "--to", "2017-07-01")
    days = frame.local.dt.date.astype(str)
    assert {"2017-06-30 23:30:00", "2017-07-01 00:10:00"} <= set(frame.local.astype(str))
    assert late["n_responses"] == int((days == "2017-06-30").sum())  # 23:30 counts
    assert early["n_responses"] == int((days == "2017-07-01").sum())  # 00:10 is the next day


def test_city_report_matches_scipy(loaded: Loaded, app: Any) -> None:
    # Every agency's figures are checked here; suppression is tested in test_fact_breakdowns.
    app.config["SUPPRESS_MIN_N"] = 1
    report = loaded.run("--all", "--from", "2017-01-01", "--to", "2017-12-31")
    validate(report)
    frame = loaded.frame[loaded.frame.local.dt.year == 2017]
    assert report["schema"] == "surveyapp/report/city/1"
    assert report["n_responses"] == len(frame)
    check_items(report, frame, loaded.na)
    rows = by_key(report["agencies"], "code")
    assert set(rows) == {"AAA", "BBB", "CCC", "DDD", "EEE", "FFF"}
    assert rows["DDD"]["n"] == 0 and rows["DDD"]["index"] is None and rows["DDD"]["rank"] is None
    ranked = sorted((r for r in rows.values() if r["rank"] is not None), key=lambda r: r["rank"])
    assert [r["index"] for r in ranked] == sorted((r["index"] for r in ranked), reverse=True)
    for code in ("AAA", "BBB"):
        sub = frame[frame.agency == code]
        assert rows[code]["n"] == len(sub)
        want = expected_dimensions(sub)
        assert rows[code]["index"] == approx(np.mean([d["satisfied_pct"] for d in want.values()]))

    # Kruskal-Wallis on each respondent's mean over the scored items they answered.
    means = respondent_means(frame, SCORED)
    groups = [means[frame.agency == g].dropna() for g in ("AAA", "BBB", "CCC")]
    h, p = stats.kruskal(*groups)
    n = sum(len(g) for g in groups)
    kw = report["kruskal"]
    assert kw["h"] == approx(h) and kw["p"] == approx(p)
    assert kw["df"] == 2 and kw["epsilon_squared"] == approx(h / (n - 1))
    for entry in report["kruskal_by_dimension"]:
        dim_means = respondent_means(frame, DIMENSIONS[entry["scope"]])
        parts = [dim_means[frame.agency == g].dropna() for g in ("AAA", "BBB", "CCC")]
        parts = [g for g in parts if len(g)]
        if len(parts) >= 2:
            assert entry["h"] == approx(stats.kruskal(*parts)[0]), entry["scope"]

    # Dunn with Holm, against scikit-posthocs.
    long = pd.DataFrame({"agency": frame.agency, "mean": means}).dropna()
    posthoc = scikit_posthocs.posthoc_dunn(long, val_col="mean", group_col="agency",
                                           p_adjust="holm")  # fmt: skip
    raw = scikit_posthocs.posthoc_dunn(long, val_col="mean", group_col="agency")
    pairs = report["dunn"]["pairs"]
    assert len(pairs) == 3
    for pair in pairs:
        assert pair["p_holm"] == approx(posthoc.loc[pair["a"], pair["b"]])
        assert pair["p"] == approx(raw.loc[pair["a"], pair["b"]])
    assert report["dunn"]["scope"] == "__all__"

    # The same per dimension, on each respondent's mean over that dimension's items.
    assert [d["scope"] for d in report["dunn_by_dimension"]] == [
        k["scope"] for k in report["kruskal_by_dimension"]
    ]
    for entry in report["dunn_by_dimension"]:
        dim_means = respondent_means(frame, DIMENSIONS[entry["scope"]])
        dim_long = pd.DataFrame({"agency": frame.agency, "mean": dim_means}).dropna()
        present = dim_long.agency.nunique()
        assert len(entry["pairs"]) == present * (present - 1) // 2, entry["scope"]
        if present < 2:
            continue
        ref = scikit_posthocs.posthoc_dunn(dim_long, val_col="mean", group_col="agency",
                                           p_adjust="holm")  # fmt: skip
        for pair in entry["pairs"]:
            assert pair["p_holm"] == approx(ref.loc[pair["a"], pair["b"]]), entry["scope"]

    # Chi-square of % satisfied (overall item) across agencies.
    overall = frame.dropna(subset=["overall_satisfaction"])
    table = pd.crosstab(overall.agency, overall.overall_satisfaction.isin(SATISFIED))
    chi2, p_chi, df, _ = stats.chi2_contingency(table.to_numpy(), correction=False)
    assert report["chi2"]["statistic"] == approx(chi2)
    assert report["chi2"]["p"] == approx(p_chi) and report["chi2"]["df"] == df

    # Quarterly % satisfied on the overall item.
    quarters = overall.groupby(overall.local.dt.quarter)["overall_satisfaction"]
    got = {r["label"]: r for r in report["trend"]["periods"]}
    for q, values in quarters:
        assert got[f"2017-Q{q}"]["satisfied_pct"] == approx(100 * values.isin(SATISFIED).mean())


def test_breakdown_by_profile_question(loaded: Loaded) -> None:
    report = loaded.run("--agency", "AAA", "--by", "respondent_type")
    validate(report)
    frame = loaded.frame[loaded.frame.agency == "AAA"]
    groups = by_key(report["breakdowns"][0]["groups"], "option")
    for option in ("business", "citizen"):
        sub = frame[frame.respondent_type == option]
        assert groups[option]["n_responses"] == len(sub)
        items = by_key(groups[option]["items"])
        assert items["proc_posted"]["mean"] == approx(sub["proc_posted"].mean())


def test_json_never_holds_nan(loaded: Loaded) -> None:
    for args in (("--agency", "CCC"), ("--agency", "EEE"), ("--all",)):
        text = json.dumps(loaded.run(*args), allow_nan=False)
        assert "NaN" not in text and "Infinity" not in text
