"""Public results: no free text and no cell below the minimum n on any public page or file.

The property runs over random data: agencies with random numbers of responses (many
below the minimum), random comments and a random petition; every public page and
download, in both languages, is scraped for them.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import itertools
import json
import random
import re

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import AuditEvent, PublishedPeriod, User
from surveyapp.reporting import folding
from surveyapp.services import case_intake, public_results
from surveyapp.services.agencies import AgencyInput, add_agency
from surveyapp.services.questionnaires import definition_of, get_version
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.cases.conftest import Staff, client_of, csrf

MIN_N = 5
TZ = "Asia/Ho_Chi_Minh"
LIKERT = [
    "access_seating",
    "access_equipment",
    "access_modern",
    "access_easy_use",
    "proc_posted",
    "proc_accurate",
    "proc_documents",
    "proc_fees",
    "proc_deadline",
    "staff_polite",
    "staff_listen",
    "staff_answer",
    "staff_guidance",
    "staff_clear",
    "staff_compliance",
    "result_lawful",
    "result_complete",
    "result_accurate",
    "feedback_channels",
    "feedback_easy",
    "feedback_handled",
    "feedback_informed",
    "overall_satisfaction",
]
_years = itertools.count(1990)
_codes = itertools.count(1)

words = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Nd"], max_codepoint=0x1EF9),
    min_size=14,
    max_size=40,
)


def _store(db: Database, year: int, sizes: list[int], comments: list[str], seed: int) -> dict:
    """Store ``sizes[i]`` responses for a new agency i in ``year``; return codes by size."""
    draw = random.Random(seed)
    made: dict[str, int] = {}
    texts = itertools.cycle(comments)
    with db.write() as session:
        version = get_version(session, "sipas")
        definition = definition_of(version)
        batch = []
        for n in sizes:
            code = f"PR{next(_codes)}"
            agency = add_agency(
                session, AgencyInput(code, f"Cơ quan {code}", f"Agency {code}", "other")
            )
            made[code] = n
            for k in range(n):
                answers = {key: str(draw.randint(1, 5)) for key in LIKERT}
                answers["comment"] = next(texts)
                checked = check_answers(definition, answers, require=False)
                assert not checked.errors, checked.errors
                when = dt.datetime(year, 3, 1 + k % 27, 3, tzinfo=dt.UTC)
                batch.append(NewResponse(version.id, agency.id, "web", checked.answers, when))
        receipts = store_responses(session, batch)
        folding.fold_all(session, TZ)
        # A petition on the first response: its text is free text too.
        response = case_intake.response_of_receipt(session, receipts[0])
        assert response is not None
        case_intake.open_case(
            session, response, case_intake.CaseForm("complaint", comments[-1]), timezone=TZ
        )
    return made


def _scrape(client, codes: list[str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    pages: dict[str, str] = {}
    paths = ["/results", "/results/dictionary", "/results/data.csv", "/results/data.json"]
    for code in codes:
        paths += [f"/results/{code}", f"/results/{code}/scorecard"]
    for path in paths:
        for lang in ("vi", "en"):
            got = client.get(f"{path}?lang={lang}")
            assert got.status_code == 200, (path, got.status_code)
            pages[f"{path}?lang={lang}"] = html.unescape(got.get_data(as_text=True))
    return pages


@pytest.fixture
def inspector(db: Database, staff: Staff, sipas: str) -> User:
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == staff.inspector))
    assert user is not None
    return user


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sizes=st.lists(st.integers(0, 2 * MIN_N), min_size=2, max_size=5),
    comments=st.lists(words, min_size=1, max_size=4, unique=True),
    seed=st.integers(0, 2**16),
)
def test_no_free_text_and_no_small_cell_is_ever_public(
    app: Flask, db: Database, inspector: User, sizes: list[int], comments: list[str], seed: int
) -> None:
    app.config["PUBLIC_MIN_N"] = MIN_N
    app.config["RATELIMIT_VIEW"] = "100000 per minute"
    year = next(_years)
    made = _store(db, year, [max(1, sizes[0]), *sizes[1:]], comments, seed)
    with db.write() as session:
        period = public_results.publish(
            session, inspector, "sipas", dt.date(year, 1, 1), dt.date(year, 12, 31)
        )
        period_id = period.id
    try:
        pages = _scrape(app.test_client(), list(made))
    finally:
        with db.write() as session:
            public_results.unpublish(session, inspector, period_id)
    for where, text in pages.items():
        for comment in comments:
            assert comment not in text, f"a comment is public on {where}"
    rows = json.loads(pages["/results/data.json?lang=vi"])["rows"]
    table = list(csv.DictReader(io.StringIO(pages["/results/data.csv?lang=vi"].lstrip("\ufeff"))))
    assert [r["agency_code"] for r in rows] == [r["agency_code"] for r in table]
    assert all(r["n"] >= MIN_N for r in rows) and all(int(r["n"]) >= MIN_N for r in table)
    listed = {r["agency_code"] for r in rows}
    # Recovery attempt: the city total minus the agencies shown gives the hidden ones'
    # total; with a single hidden agency that would be its number of responses.
    city = re.search(r"City index: [^(]*\((\d+) responses\)", pages["/results?lang=en"])
    hidden = [code for code, n in made.items() if n and code not in listed]
    if city is not None and hidden:
        assert len(hidden) >= 2, f"{hidden[0]} follows from the city total"
        assert int(city.group(1)) - sum(made[c] for c in listed) == sum(made[c] for c in hidden)
    for code, n in made.items():
        small = n < MIN_N
        if small:
            assert code not in listed
        shown = code in listed
        for key in ("/results?lang=vi", "/results?lang=en", "/results/data.csv?lang=vi"):
            assert (f"Cơ quan {code}" in pages[key] or f"Agency {code}" in pages[key]) is shown
        own = pages[f"/results/{code}?lang=en"]
        card = pages[f"/results/{code}/scorecard?lang=en"]
        if not shown:
            assert "Not shown: too few responses" in own and "Not shown" in card
            assert 'class="num">' not in own.split("<tbody>")[1].split("</tbody>")[0]
        else:
            assert f'<td class="num">{n}</td>' in own


def test_an_inspector_publishes_and_unpublishes_over_http_audited(
    app: Flask, db: Database, staff: Staff, sipas: str
) -> None:
    app.config["PUBLIC_MIN_N"] = 1
    _store(db, 1980, [3, 2], ["Một ý kiến riêng tư không công khai"], 1)
    inspector = client_of(app, staff.inspector)
    token = csrf(inspector, "/publishing")
    data = {
        "csrf_token": token,
        "questionnaire": "sipas",
        "first": "1980-01-01",
        "last": "1980-12-31",
    }
    assert inspector.post("/publishing", data=data).status_code == 303
    assert inspector.post("/publishing", data=data).status_code == 422  # refused: shown
    page = app.test_client().get("/results").text
    assert "01/01/1980" in page
    with db.session() as session:
        period_id = session.scalar(select(PublishedPeriod.id))
        assert period_id is not None
    done = inspector.post(f"/publishing/{period_id}/unpublish", data={"csrf_token": token})
    assert done.status_code == 303
    assert "01/01/1980" not in app.test_client().get("/results").text
    with db.session() as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    assert actions.count("results.publish") == 1 and actions.count("results.unpublish") == 1
    bad = inspector.post("/publishing", data={**data, "first": "1980-13-01"})
    assert bad.status_code == 422


@pytest.mark.parametrize("who", ["own", "other", None])
def test_only_admins_and_inspectors_publish(
    app: Flask, db: Database, staff: Staff, sipas: str, who: str | None
) -> None:
    client = client_of(app, getattr(staff, who) if who else None)
    got = client.get("/publishing")
    assert got.status_code == (302 if who is None else 404)
    assert client.post("/publishing/1/unpublish").status_code in (302, 400, 404)


def test_the_scorecard_may_be_framed_by_the_agencys_origins_only(
    app: Flask, db: Database, staff: Staff, sipas: str
) -> None:
    with db.write() as session:
        add_agency(
            session,
            AgencyInput(
                "EMB", "Cơ quan nhúng", "Embedding agency", "other", ["https://emb.gov.vn"]
            ),
        )
    client = app.test_client()
    framed = client.get("/results/EMB/scorecard?embed=1&parent=https://emb.gov.vn")
    assert framed.status_code == 200
    assert "frame-ancestors https://emb.gov.vn" in framed.headers["Content-Security-Policy"]
    assert 'data-parent-origin="https://emb.gov.vn"' in framed.text
    other = client.get("/results/Q1/scorecard?embed=1&parent=https://emb.gov.vn")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert "data-parent-origin" not in other.text
    assert client.get("/results/NOPE/scorecard").status_code == 404
    assert client.get("/results/" + "X" * 40).status_code == 404


@pytest.mark.parametrize(
    ("sizes", "with_total", "hidden"),
    [
        ({"A": 50, "B": 40, "C": 3}, True, {"B", "C"}),  # C alone would be city - A - B
        ({"A": 50, "B": 40, "C": 3}, False, {"C"}),  # no city total: nothing to subtract from
        ({"A": 50, "B": 40, "C": 3, "D": 2}, True, {"C", "D"}),  # two small ones hide each other
        ({"A": 50, "B": 40}, True, set()),
        ({"A": 50, "B": 0, "C": 3}, True, {"A", "B", "C"}),  # only A is left to hide C with
    ],
)
def test_a_small_agency_cannot_be_recovered_from_the_city_total(
    sizes: dict[str, int], with_total: bool, hidden: set[str]
) -> None:
    assert set(public_results.hidden_agencies(sizes, 30, with_total)) == hidden
