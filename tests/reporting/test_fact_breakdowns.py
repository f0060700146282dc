"""Satisfaction by service fact and at the counters: exact, suppressed, unrecoverable.

Expected figures are computed here from the generated rows with pandas, statsmodels
(Wilson intervals, two-proportion z) and scipy (chi-square, Fisher), independently of
``surveyapp.reporting``. The recovery attack uses every figure a reader of the agency
reports and the city report sees.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sqlalchemy import select, update
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from surveyapp.dashboard import documents
from surveyapp.dashboard.documents import Scope
from surveyapp.db import Database
from surveyapp.models import Agency, Counter, Response
from surveyapp.reporting import build, folding
from surveyapp.reporting.facts_model import NOT_ANSWERED
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.questionnaires import get_version, load_files
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.analysis.test_suppression import recoverable
from tests.reporting.conftest import QUESTIONNAIRES, SCORED, SIPAS

TZ = "Asia/Ho_Chi_Minh"
HCM = dt.timezone(dt.timedelta(hours=7))
SIZES = {"Q1": 140, "Q3": 60, "Q5": 7}
PROCEDURES = ["Đăng ký hộ kinh doanh", "Cấp giấy phép xây dựng", "Chứng thực bản sao"]


def _rows(rng: np.random.Generator) -> list[dict[str, Any]]:
    rows = []
    for code, size in SIZES.items():
        for i in range(size):
            late = rng.random() < (0.25 if code == "Q1" else 0.4)
            p_sat = 0.45 if late else 0.8
            row: dict[str, Any] = {
                "agency": code,
                "given": dt.datetime(
                    2017,
                    3,
                    1 + i % 27,
                    7 + int(rng.integers(0, 10)),
                    int(rng.integers(0, 60)),
                    tzinfo=HCM,
                ),
                "overall_satisfaction": int(
                    rng.choice([4, 5]) if rng.random() < p_sat else rng.choice([1, 2, 3])
                ),
                "timeliness": "late" if late else str(rng.choice(["early", "on_time"])),
                "submission_channel": str(
                    rng.choice(["one_stop", "online_level3", "post"], p=[0.7, 0.25, 0.05])
                ),
                # Spelling and case vary; the report groups them.
                "procedure_name": (
                    str(rng.choice(PROCEDURES)).upper()
                    if rng.random() < 0.2
                    else str(rng.choice(PROCEDURES))
                )
                if rng.random() < 0.9
                else None,
                "counter": None,
                "officer": None,
                "business": False,
            }
            if code == "Q1" and i < 100:
                row["counter"] = ["1", "2", "3"][i % 3] if i != 99 else "4"  # counter 4: 1 rating
                row["officer"] = f"CB{i % 7:02d}" if i < 93 else "CB99"
            rows.append(row)
    return rows


@pytest.fixture
def facts(db: Database) -> pd.DataFrame:
    rows = _rows(np.random.default_rng(15))
    for i, row in enumerate(r for r in rows if r["agency"] == "Q3"):
        row["business"] = i < 4
    with db.write() as session:
        load_files(session, [QUESTIONNAIRES / "sipas.yaml"])
        for code in SIZES:
            add_agency(
                session, AgencyInput(code, f"Quận {code}", f"District {code}", "district", [])
            )
        version = get_version(session, "sipas")
        ids = dict(session.execute(select(Agency.code, Agency.id)).all())
        counters = {}
        for number in "1234":
            counter = Counter(
                agency_id=ids["Q1"],
                code=number,
                name_vi=f"Quầy {number}",
                name_en=f"Counter {number}",
            )
            session.add(counter)
            session.flush()
            counters[number] = counter.id
        batch = []
        for row in rows:
            raw = {k: "4" for k in SCORED[:3]}
            raw.update(
                {
                    k: str(row[k])
                    for k in ("overall_satisfaction", "timeliness", "submission_channel")
                }
            )
            if row["procedure_name"]:
                raw["procedure_name"] = row["procedure_name"]
            raw["respondent_type"] = "business" if row["business"] else "citizen"
            checked = check_answers(SIPAS, raw, require=False)
            assert not checked.errors, checked.errors
            batch.append(
                NewResponse(
                    version.id,
                    ids[row["agency"]],
                    "web",
                    checked.answers,
                    submitted_at=row["given"] + dt.timedelta(hours=3),
                )
            )
        stored = store_responses(session, batch, with_ids=True)
        for row, (_, response_id) in zip(rows, stored, strict=True):
            if row["counter"] is not None:
                # As the kiosk stores a counter rating: given earlier, arrived later.
                session.execute(
                    update(Response)
                    .where(Response.id == response_id)
                    .values(
                        channel="counter",
                        counter_id=counters[row["counter"]],
                        officer_code=row["officer"],
                        given_at=row["given"],
                    )
                )
    frame = pd.DataFrame(rows)
    frame["satisfied"] = frame["overall_satisfaction"] >= 4
    return frame


def _report(db: Database, code: str, **kw: Any) -> Any:
    with db.session() as session:
        return build.agency_report(session, code, timezone=TZ, **kw)


def _city(db: Database) -> Any:
    with db.session() as session:
        return build.city_report(session, timezone=TZ)


def _by(report: Any, fact: str) -> Any:
    return next(b for b in report.service_facts if b.fact == fact)


def _check_cell(cell: Any, group: pd.DataFrame) -> None:
    n, x = len(group), int(group["satisfied"].sum())
    assert (cell.n, cell.satisfied) == (n, x)
    assert cell.satisfied_pct == pytest.approx(100 * x / n)
    low, high = proportion_confint(x, n, method="wilson")
    assert (cell.satisfied_ci.lower, cell.satisfied_ci.upper) == pytest.approx(
        (100 * low, 100 * high), rel=1e-9
    )


def test_late_versus_on_time_matches_pandas_and_scipy(db: Database, facts: pd.DataFrame) -> None:
    late = _by(_report(db, "Q1"), "late")
    q1 = facts[facts.agency == "Q1"]
    for cell in late.cells:
        if cell.key != NOT_ANSWERED:
            _check_cell(cell, q1[q1.timeliness == cell.key])
    table = [
        [int(g.satisfied.sum()), int((~g.satisfied).sum())]
        for _, g in q1.groupby("timeliness", sort=False)
        if len(g)
    ]
    chi2, p, df, _ = stats.chi2_contingency(table, correction=False)
    assert late.test.test == "chi_square"
    assert late.test.statistic == pytest.approx(chi2, rel=1e-9)
    assert late.test.p == pytest.approx(p, rel=1e-9)
    assert late.test.df == df


def test_response_channel_two_groups_use_the_z_test(db: Database, facts: pd.DataFrame) -> None:
    channel = _by(_report(db, "Q1"), "channel")
    q1 = facts[facts.agency == "Q1"]
    at_counter = q1[q1.counter.notna()]
    web = q1[q1.counter.isna()]
    cells = {c.key: c for c in channel.cells}
    _check_cell(cells["counter"], at_counter)
    _check_cell(cells["web"], web)
    z, p = proportions_ztest(
        [web.satisfied.sum(), at_counter.satisfied.sum()], [len(web), len(at_counter)]
    )
    assert channel.test.test == "two_proportion_z"
    assert channel.test.statistic == pytest.approx(z, rel=1e-9)
    assert channel.test.p == pytest.approx(p, rel=1e-9)


def test_procedures_are_grouped_whatever_their_case(db: Database, facts: pd.DataFrame) -> None:
    city = _by(_city(db), "procedure")
    normal = facts.procedure_name.dropna().str.casefold()
    shown = {c.label_vi.casefold(): c for c in city.cells if c.key != NOT_ANSWERED}
    assert set(shown) == set(normal)
    for name, cell in shown.items():
        _check_cell(cell, facts[facts.procedure_name.str.casefold() == name])


def test_counter_section_by_counter_hour_and_officer(db: Database, facts: pd.DataFrame) -> None:
    report = _report(db, "Q1", officers=True)
    section = report.counter
    rated = facts[facts.counter.notna()]
    assert section.n_responses == len(rated)
    by_counter = {c.key: c for c in section.by_counter.cells}
    for code in "123":
        if not by_counter[code].suppressed:
            _check_cell(by_counter[code], rated[rated.counter == code])
    # Counter 4 has one rating: hidden, and so is the smallest other counter.
    assert by_counter["4"].suppressed and by_counter["4"].n is None
    assert sum(c.suppressed for c in by_counter.values()) == 2
    # Hours are local hours of when the rating was given, not when it arrived.
    hours = {c.key: c for c in section.by_hour.cells}
    for hour, group in rated.groupby(rated.given.map(lambda t: f"{t.hour:02d}")):
        if not hours[hour].suppressed:
            _check_cell(hours[hour], group)
        else:
            assert hours[hour].n is None
    officers = {c.key: c for c in section.by_officer.cells}
    for code, group in rated.groupby("officer"):
        if len(group) < 10:
            assert officers[code].suppressed and officers[code].n is None
        elif not officers[code].suppressed:
            _check_cell(officers[code], group)
    assert officers["CB99"].suppressed
    # Inspectors, the API and public outputs build without officers.
    assert _report(db, "Q1").counter.by_officer is None


def test_no_hidden_cell_is_recoverable_from_the_published_reports(
    db: Database, facts: pd.DataFrame
) -> None:
    reports = {code: _report(db, code, officers=True) for code in SIZES}
    city = _city(db)
    for fact in ("late", "submission_channel", "procedure", "channel"):
        cells: dict[tuple[str, str], int] = {}
        hidden = set()
        margins = []
        for code, report in reports.items():
            overall = next(i for i in report.items if i.key == "overall_satisfaction")
            row = []
            for c in _by(report, fact).cells:
                cells[(code, c.key)] = c.n if c.n is not None else -1
                row.append((code, c.key))
                if c.suppressed:
                    hidden.add((code, c.key))
            # The agency's respondents on the overall question are published.
            assert sum(v for k, v in cells.items() if k[0] == code and k not in hidden) <= overall.n
            margins.append(row)
        for c in _by(city, fact).cells:
            cells[("CITY", c.key)] = c.n if c.n is not None else -1
            if c.suppressed:
                hidden.add(("CITY", c.key))
            margins.append([(code, c.key) for code in SIZES])
        margins.append([("CITY", c.key) for c in _by(city, fact).cells])
        # Fill in the truth for the hidden cells, then attack with the published ones.
        truth = dict(cells)
        for code, key in hidden:
            scope = facts if code == "CITY" else facts[facts.agency == code]
            truth[(code, key)] = _count(scope, fact, key)
        # Only a cell that is the whole of its agency (Q5 answered on the web only, 7
        # respondents: its total is in its own report) can be found, and it is not shown.
        for cell in recoverable(truth, margins, hidden):
            assert any(cell in m and sum(truth[j] for j in m) == truth[cell] for m in margins)
            assert cell[0] == "Q5", (fact, cell)
        assert all(truth[k] >= 10 or truth[k] == 0 for k in truth if k not in hidden), fact
    # The counter section's cells add up to the counter channel's.
    section = reports["Q1"].counter
    for part in (section.by_counter, section.by_hour, section.by_officer):
        truth = {c.key: c.n for c in part.cells}
        hidden = {c.key for c in part.cells if c.suppressed}
        rated = facts[facts.counter.notna()]
        for key in hidden:
            truth[key] = _counter_count(rated, part.fact, key)
        assert recoverable(truth, [list(truth)], hidden) == set(), part.fact


def _count(scope: pd.DataFrame, fact: str, key: str) -> int:
    column = {
        "late": "timeliness",
        "submission_channel": "submission_channel",
        "procedure": "procedure_name",
        "channel": "channel",
    }[fact]
    if fact == "channel":
        values = np.where(scope.counter.notna(), "counter", "web")
        return int((values == key).sum())
    values = scope[column]
    if key == NOT_ANSWERED:
        return int(values.isna().sum())
    return int((values.str.casefold() == key.casefold()).sum())


def _counter_count(rated: pd.DataFrame, fact: str, key: str) -> int:
    if fact == "counter":
        return int((rated.counter == key).sum())
    if fact == "officer":
        return int((rated.officer == key).sum())
    return int((rated.given.map(lambda t: f"{t.hour:02d}") == key).sum())


def test_the_breakdowns_are_the_same_before_and_after_a_fold(
    db: Database, facts: pd.DataFrame
) -> None:
    before = _report(db, "Q1", officers=True)
    city_before = _city(db)
    with db.write() as session:
        assert folding.fold_all(session, TZ) > 0
    after = _report(db, "Q1", officers=True)
    assert before.service_facts == after.service_facts
    assert before.counter == after.counter
    assert city_before.service_facts == _city(db).service_facts
    assert dataclasses.replace(before, generated_at=after.generated_at) == after


def test_a_profile_breakdown_hides_a_small_group_and_its_complement(
    db: Database, facts: pd.DataFrame
) -> None:
    # Q3: 4 businesses and 56 citizens; showing the citizens would give the businesses
    # away (the agency's total is published), so both are hidden.
    groups = {
        g.option: g for g in _report(db, "Q3", breakdowns=("respondent_type",)).breakdowns[0].groups
    }
    for key in ("business", "citizen"):
        assert groups[key].suppressed
        assert groups[key].n_responses is None and groups[key].index.value is None
        assert groups[key].items == () and groups[key].dimensions == ()
    # Q1 has no business: nothing to hide, the citizens are the whole agency.
    q1 = {
        g.option: g for g in _report(db, "Q1", breakdowns=("respondent_type",)).breakdowns[0].groups
    }
    assert not q1["citizen"].suppressed and q1["citizen"].n_responses == SIZES["Q1"]


def test_staff_city_ranking_hides_small_agencies_unrecoverably(
    db: Database, facts: pd.DataFrame, app: Any
) -> None:
    city = _city(db)
    rows = {r.code: r for r in city.agencies}
    hidden = {code for code, r in rows.items() if r.suppressed}
    # Q5 (7 respondents) is below the minimum 10; the city total would give it away as
    # 207 - 140 - 60, so the smallest other agency, Q3, is hidden with it.
    assert hidden == {"Q3", "Q5"}
    for code in hidden:
        r = rows[code]
        shown = (r.n, r.index, r.index_ci, r.rank, r.rank_in_kind, r.satisfied_pct,
                 r.satisfied_ci, r.respondent_mean, r.versus_rest.satisfied_difference)  # fmt: skip
        assert shown == (None,) * len(shown), code
    assert rows["Q1"].rank == 1 and rows["Q1"].n == SIZES["Q1"]
    for test in (city.dunn, *city.dunn_by_dimension):
        assert all(not {p.group_a, p.group_b} & hidden for p in test.pairs)
    # The attack: every agency's n and satisfied count add up to the city's published
    # totals (n_responses; the overall item's % satisfied times its n).
    overall = next(i for i in city.items if i.key == "overall_satisfaction")
    assert city.n_responses == sum(SIZES.values())
    truth_n = {code: int((facts.agency == code).sum()) for code in SIZES}
    truth_sat = {code: int(facts[facts.agency == code]["satisfied"].sum()) for code in SIZES}
    assert overall.satisfied_pct * overall.n / 100 == pytest.approx(sum(truth_sat.values()))
    for code in set(SIZES) - hidden:
        assert rows[code].n == truth_n[code]
        assert rows[code].satisfied_pct == pytest.approx(100 * truth_sat[code] / truth_n[code])
    for truth in (truth_n, truth_sat):
        assert recoverable(truth, [list(SIZES)], hidden) == set()
    # The staff documents follow the report: no matrix cells or topics of a hidden agency.
    with app.app_context(), db.session() as session:
        doc = documents.city_document(session, Scope(slug="sipas"), TZ)
    assert not set(doc.matrix) & hidden
    assert doc.topics is None or not set(doc.topics) & hidden


def test_the_public_results_keep_their_own_rule(db: Database, facts: pd.DataFrame) -> None:
    with db.session() as session:
        raw = build.city_report(session, timezone=TZ, suppress=False)
    assert all(not r.suppressed and r.n == SIZES[r.code] for r in raw.agencies)
