"""The counter section on staff pages and downloads: officers for the agency's own staff
and admins only, small cells not shown, the real-time figure of the current month."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select, update
from statsmodels.stats.proportion import proportion_confint

from surveyapp.db import Database
from surveyapp.models import Agency, Counter, Response
from surveyapp.services import api_tokens
from surveyapp.services.questionnaires import get_version, load_files
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.auth.conftest import OWN, Staff, staff  # noqa: F401 (fixtures)
from tests.dashboard.conftest import pdf_text, signed_in
from tests.reporting.conftest import QUESTIONNAIRES, SIPAS

#: Officer -> ratings: CB02 is below the minimum of 10; CB03 is hidden with it so that
#: CB02 cannot be worked out from the counter total.
OFFICERS = {"CB01": 20, "CB02": 3, "CB03": 15}


@pytest.fixture
def counters(staff: Staff, db: Database) -> Staff:  # noqa: F811 (fixture)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db.write() as session:
        load_files(session, [QUESTIONNAIRES / "sipas.yaml"])
        version = get_version(session, "sipas")
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        counter = Counter(agency_id=q1, code="3", name_vi="Quầy số 3", name_en="Counter 3")
        session.add(counter)
        session.flush()
        rows, officers = [], []
        for officer, n in OFFICERS.items():
            for i in range(n):
                raw = {"overall_satisfaction": str(3 + 2 * (i % 2)), "timeliness": "on_time"}
                answers = check_answers(SIPAS, raw, require=False).answers
                rows.append(NewResponse(version.id, q1, "web", answers, now))
                officers.append(officer)
        stored = store_responses(session, rows, with_ids=True)
        for officer, (_, response_id) in zip(officers, stored, strict=True):
            session.execute(
                update(Response)
                .where(Response.id == response_id)
                .values(channel="counter", counter_id=counter.id, officer_code=officer,
                        given_at=now - dt.timedelta(minutes=5))
            )  # fmt: skip
    return staff


def _page(client: FlaskClient, email: str) -> str:
    page = signed_in(client, email).get(f"/dashboard/agency/{OWN}?questionnaire=sipas")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _officer_row(html: str, code: str) -> str | None:
    found = re.search(
        rf"<td>{code}</td><td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)", html
    )
    return None if found is None else f"{found[1]} | {found[2]}"


def test_the_agency_sees_its_officers_above_the_minimum_only(
    client: FlaskClient, counters: Staff
) -> None:
    html = _page(client, counters.own)
    assert 'id="counter"' in html
    low, high = proportion_confint(10, 20, method="wilson")  # 10 of 20 satisfied
    assert _officer_row(html, "CB01") == f"20 | 50,0 [{100 * low:.1f}; {100 * high:.1f}]".replace(
        ".", ","
    )
    # Suppressed, not merely flagged: no n, no percentage.
    assert _officer_row(html, "CB02") == "\u2013 | không công bố"
    assert _officer_row(html, "CB03") == "\u2013 | không công bố"
    assert "Quầy số 3" in html


def test_an_inspector_sees_the_counter_section_without_officers(
    client: FlaskClient, counters: Staff
) -> None:
    html = _page(client, counters.inspector)
    assert 'id="counter"' in html and "Quầy số 3" in html
    assert "CB01" not in html and "CB03" not in html
    inspector = signed_in(client, counters.inspector)
    report = json.loads(inspector.get(f"/reports/agency/{OWN}.json?questionnaire=sipas").data)
    assert report["counter"]["by_officer"] is None
    pdf = pdf_text(inspector.get(f"/reports/agency/{OWN}.pdf?questionnaire=sipas").data)
    assert "CB01" not in pdf and "Quầy số 3" in pdf
    book = load_workbook(
        io.BytesIO(inspector.get(f"/reports/agency/{OWN}.xlsx?questionnaire=sipas").data)
    )
    assert all(row[0] != "officer" for row in book["counter"].iter_rows(values_only=True))


def test_the_agencys_downloads_suppress_small_officers(
    client: FlaskClient, counters: Staff
) -> None:
    own = signed_in(client, counters.own)
    report = json.loads(own.get(f"/reports/agency/{OWN}.json?questionnaire=sipas").data)
    cells = {c["key"]: c for c in report["counter"]["by_officer"]["cells"]}
    assert cells["CB01"]["n"] == 20 and not cells["CB01"]["suppressed"]
    for code in ("CB02", "CB03"):
        assert cells[code]["suppressed"]
        assert cells[code]["n"] is None and cells[code]["satisfied_pct"] is None
    book = load_workbook(
        io.BytesIO(own.get(f"/reports/agency/{OWN}.xlsx?questionnaire=sipas").data)
    )
    rows = [r for r in book["counter"].iter_rows(values_only=True) if r[0] == "officer"]
    assert {r[2]: r[5] for r in rows} == {"CB01": 20, "CB02": None, "CB03": None}
    pdf = pdf_text(own.get(f"/reports/agency/{OWN}.pdf?questionnaire=sipas").data)
    assert "CB01" in pdf


def test_the_real_time_figure_of_this_month(client: FlaskClient, counters: Staff) -> None:
    html = _page(client, counters.own)
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    assert f"Từ đầu tháng đến nay ({month})" in html
    # 38 ratings this month, 18 of them satisfied (the odd ones of each officer: 10 + 1 + 7).
    assert re.search(r'class="realtime".*?<strong>47,4</strong><small>n = 38', html, re.S)


def test_the_dashboard_lists_each_agencys_figure_this_month(
    client: FlaskClient, counters: Staff
) -> None:
    page = signed_in(client, counters.inspector).get("/dashboard?questionnaire=sipas")
    html = page.get_data(as_text=True)
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    assert f"Từ đầu tháng đến nay ({month})" in html
    assert '<td class="num realtime">47,4 <small>(n = 38)</small></td>' in html


def test_the_api_never_shows_officers_even_to_the_agencys_token(
    client: FlaskClient, db: Database, counters: Staff
) -> None:
    with db.write() as session:
        _row, raw = api_tokens.create_token(session, "test", OWN, actor=None)
    response = client.get(
        f"/api/v1/reports/agency/{OWN}?questionnaire=sipas",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    report = response.get_json()
    assert report["counter"]["n_responses"] == sum(OFFICERS.values())
    assert report["counter"]["by_officer"] is None
    assert "CB01" not in response.get_data(as_text=True)
