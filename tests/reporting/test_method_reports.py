"""The ``method`` object and the figures weighted to the registers, in JSON reports.

A two-criterion questionnaire and a handful of respondents, so every expected value
is worked out by hand in the comments. The reports are exact before and after the
month aggregates are folded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.reporting.test_reports import validate

QUESTIONNAIRE = """\
format: 1
title: {vi: "Thử", en: "Test"}
scales:
  s5:
    - {value: 1, label: {vi: a, en: a}}
    - {value: 2, label: {vi: b, en: b}}
    - {value: 3, label: {vi: c, en: c}}
    - {value: 4, label: {vi: d, en: d}}
    - {value: 5, label: {vi: e, en: e}}
sections:
  - key: who
    kind: profile
    title: {vi: a, en: b}
    questions:
      - key: respondent_type
        type: single_choice
        text: {vi: a, en: b}
        options:
          - {key: citizen, label: {vi: a, en: a}}
          - {key: business, label: {vi: b, en: b}}
  - key: crit_a
    kind: dimension
    title: {vi: A, en: A}
    questions:
      - {key: a1, type: likert, scale: s5, allow_na: true, text: {vi: a, en: b}}
      - {key: a2, type: likert, scale: s5, allow_na: true, text: {vi: a, en: b}}
  - key: crit_b
    kind: dimension
    title: {vi: B, en: B}
    questions:
      - {key: b1, type: likert, scale: s5, text: {vi: a, en: b}}
scoring:
  METHOD
  satisfied_values: [4, 5]
  min_n: 1
"""
# Agency AAA: four respondents (criterion A = a1, a2; B = b1; "na" = not applicable):
ROWS_AAA = [
    ("citizen", "5", "3", "4"),
    ("citizen", "4", "na", "2"),
    ("business", "2", "5", ""),
    ("business", "", "4", "3"),
]
# Agency BBB: two respondents, both satisfied everywhere.
ROWS_BBB = [("citizen", "5", "5", "5"), ("citizen", "4", "4", "4")]


@pytest.fixture(autouse=True)
def _small_agencies_shown(app: Any) -> None:
    """A handful of respondents per agency: no city row is suppressed here."""
    app.config["SUPPRESS_MIN_N"] = 1


def _load(cli: Any, tmp_path: Path, slug: str, method: str) -> None:
    path = tmp_path / f"{slug}.yaml"
    path.write_text(QUESTIONNAIRE.replace("METHOD", method), encoding="utf-8")
    assert cli("questionnaires", "load", str(path)).exit_code == 0
    for code in ("AAA", "BBB"):
        cli("agencies", "add", code, "--name-vi", code, "--name-en", code, "--kind", "district")
    for code, rows in (("AAA", ROWS_AAA), ("BBB", ROWS_BBB)):
        csv = tmp_path / f"{code}.csv"
        lines = ["submitted_at,respondent_type,a1,a2,b1"]
        lines += [f"2017-03-0{i + 1}T09:00:00,{','.join(r)}" for i, r in enumerate(rows)]
        csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = cli("responses", "import", str(csv), "--questionnaire", slug, "--agency", code)
        assert result.exit_code == 0, result.output


def _report(cli: Any, tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "r.json"
    result = cli("report", *args, "--format", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    validate(report)
    return report


def test_sipas_2023_profile_in_the_agency_report(cli: Any, db: Any, tmp_path: Path) -> None:
    _load(cli, tmp_path, "q2023", "method: sipas-2023/1")
    report = _report(cli, tmp_path, "--agency", "AAA", "--questionnaire", "q2023")
    method = report["method"]
    assert {k: method[k] for k in ("name", "version", "satisfied", "aggregation", "na_rule")} == {
        "name": "sipas-2023",
        "version": 1,
        "satisfied": [4, 5],
        "aggregation": "respondent",
        "na_rule": "exclude",
    }
    # Respondent level: r1 A {5,3} = 1/2, B {4} = 1 -> 3/4; r2 A {4} = 1, B {2} = 0 -> 1/2;
    # r3 A {2,5} = 1/2, no B -> 1/2; r4 A {4} = 1, B {3} = 0 -> 1/2; mean 9/16.
    assert method["index"] == pytest.approx(100 * 9 / 16)
    assert method["n"] == 4
    # The headline follows the profile (items -> criteria -> index would give 1/2).
    assert report["index"]["value"] == pytest.approx(100 * 9 / 16)
    assert method["index_ci"] == report["index"]["ci"]


def test_default_profile_is_the_2017_one(cli: Any, db: Any, tmp_path: Path) -> None:
    _load(cli, tmp_path, "q2017", "")
    report = _report(cli, tmp_path, "--agency", "AAA", "--questionnaire", "q2017")
    assert report["method"]["name"] == "sipas-2017"
    assert report["method"]["aggregation"] == "items"
    assert report["method"]["index"] == pytest.approx(50.0)  # as the headline, by hand above


def test_city_report_weighted_to_the_registers(cli: Any, db: Any, tmp_path: Path) -> None:
    _load(cli, tmp_path, "q2017", "")
    before = _report(cli, tmp_path, "--all", "--questionnaire", "q2017")
    assert before["register_weighted"] is None  # no registers yet
    registers = tmp_path / "reg.csv"
    registers.write_text("agency,period,dossiers\nAAA,2017,300\nBBB,2017,100\n", encoding="utf-8")
    assert cli("registers", "import", str(registers)).exit_code == 0
    report = _report(cli, tmp_path, "--all", "--questionnaire", "q2017")
    weighted = report["register_weighted"]
    assert weighted["period"] == "2017" and weighted["method"] == "poststratification"
    # Shares .75/.25 over 6 respondents: AAA w = .75 * 6 / 4 = 1.125, BBB w = .25 * 6 / 2 = .75.
    # a1: AAA answers 5, 4, 2 (2 satisfied), BBB 5, 4: (1.125 * 2 + .75 * 2) / (1.125 * 3 + .75 * 2)
    #   = 3.75 / 4.875 = 10/13; a2: AAA 3, 5, 4 (r2 N/A), BBB 5, 4: (2.25 + 1.5) / 4.875 = 10/13;
    # b1: AAA 4, 2, 3, BBB 5, 4: (1.125 + 1.5) / (3.375 + 1.5) = 2.625 / 4.875 = 7/13.
    # Index = (10/13 + 7/13) / 2 = 17/26.
    assert weighted["index"] == pytest.approx(100 * 17 / 26)
    # Unweighted, same rules: a1 4/5, a2 4/5, b1 3/5 -> (4/5 + 3/5) / 2 = 7/10.
    assert weighted["unweighted_index"] == pytest.approx(70.0)
    assert report["index"]["value"] == pytest.approx(70.0)
    # Kish: (sum w)^2 / sum w^2 = 6^2 / (4 * 1.125^2 + 2 * .75^2) = 36 / 6.1875
    assert weighted["n_effective"] == pytest.approx(36 / 6.1875)
    assert weighted["design_effect"] == pytest.approx(6 / (36 / 6.1875))
    lo, hi = weighted["index_ci"]["lower"], weighted["index_ci"]["upper"]
    assert lo < weighted["index"] < hi and weighted["index_ci"]["method"] == "linearised"
    # Registers split by respondent type: raking to agency and type margins.
    split = tmp_path / "split.csv"
    split.write_text(
        "agency,period,dossiers,respondent_type\nAAA,2017,200,citizen\nAAA,2017,100,business\n"
        "BBB,2017,100,citizen\n",
        encoding="utf-8",
    )
    assert cli("registers", "import", str(split)).exit_code == 0
    raked = _report(cli, tmp_path, "--all", "--questionnaire", "q2017")["register_weighted"]
    assert raked["method"] == "raking" and raked["variables"] == ["agency", "respondent_type"]
    # Only AAA has business respondents, so its business cell takes the whole business
    # share .25, AAA-citizen .75 - .25 = .5 and BBB .25: of 6, weights 3/2 (r1, r2),
    # 3/4 (r3, r4), 3/4 (BBB). a1: (1.5 + 1.5 + .75 + .75) / (1.5 + 1.5 + .75 + 1.5) = 6/7;
    # a2 (r2 N/A): (.75 + .75 + 1.5) / 4.5 = 2/3; b1: (1.5 + 1.5) / 5.25 = 4/7;
    # index = ((6/7 + 2/3) / 2 + 4/7) / 2 = 2/3.
    assert raked["n_weighted"] == 6
    assert raked["index"] == pytest.approx(200 / 3)
    assert raked["n_effective"] == pytest.approx(36 / (2 * 1.5**2 + 4 * 0.75**2))


def test_reports_are_the_same_before_and_after_a_fold(cli: Any, db: Any, tmp_path: Path) -> None:
    _load(cli, tmp_path, "q2023", "method: sipas-2023/1")
    registers = tmp_path / "reg.csv"
    registers.write_text("agency,period,dossiers\nAAA,2017,300\nBBB,2017,100\n", encoding="utf-8")
    assert cli("registers", "import", str(registers)).exit_code == 0
    before = _report(cli, tmp_path, "--all", "--questionnaire", "q2023")
    assert cli("report", "fold").exit_code == 0
    after = _report(cli, tmp_path, "--all", "--questionnaire", "q2023")
    for key in ("method", "register_weighted", "index", "indices", "agencies", "trend"):
        assert after[key] == before[key]
