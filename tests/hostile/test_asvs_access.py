"""ASVS V4 (access control) and 4.2.2 (CSRF) over every route the app registers.

ASVS 4.0.3: 4.1.1/4.1.5 (access is enforced on the server, and denied by
default: a route is public only when it is listed here as public), 4.2.2
(every state-changing staff request needs the form's anti-CSRF token).

The routes are read from the app's URL map, so a route added later is checked
without being listed: a new staff page that forgets its access check, or a
staff form that forgets its CSRF token, fails here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from surveyapp.db import Database
from surveyapp.models import AlertRecipient, Base, Response, User
from surveyapp.services import api_tokens, case_intake, public_results
from tests.admin.conftest import OWN, StoreResponse, signed_in, sipas, staff, store
from tests.auth.conftest import Staff

TZ = "Asia/Ho_Chi_Minh"

__all__ = ["sipas", "staff", "store"]

#: Endpoints anyone may reach: the respondent's side, sign-in, health and static files.
PUBLIC = frozenset(
    {
        "static",
        "home.index",
        "home.healthz",
        "public.form",
        "public.submit",
        "public.thanks",
        "public.embed_js",
        "public.favicon",
        "theme.stylesheet",
        "theme.logo",
        "api.questionnaire_list",
        "api.questionnaire",
        "api.responses",
        "api.preflight",
        "api.openapi_document",
        "auth.login",
        "auth.login_code",  # the second step of signing in; without the first, back to it
        "auth.logout",  # refuses anonymously (no CSRF token in any session): 400
        # A respondent's petition from the receipt page: a signed, expiring token bound
        # to that response stands for the session (checked in tests/cases).
        "cases_public.leave_case",
        "cases_public.lookup",  # the answer to a petition, by its receipt code
        # The counter kiosk: the ordinary form's rules, or an enrolled device's secret.
        "kiosk.page",
        "kiosk.answers",
        "kiosk.enrol_page",
        "kiosk.enrol",
        "kiosk.service_worker",
        # The published results and their open data.
        "results.index",
        "results.dictionary",
        "results.data_json",
        "results.data_csv",
        "results.agency",
        "results.scorecard",
    }
)
#: Endpoints that need an API token rather than a session.
TOKEN = frozenset({"api.agency_report", "api.city_report"})
#: POST endpoints that change nothing, so they need no CSRF token (the preview's form target).
CHANGES_NOTHING = frozenset({"admin.preview_sink"})

#: A value for each URL argument: a real agency, questionnaire and version.
ARGUMENTS = {
    "code": OWN,
    "slug": "sipas",
    "fmt": "pdf",
    "version": 1,
    "receipt": "NOPE",
    "counter": "3",
    "kiosk_id": 1,
    "filename": "form.css",
}


def _url(app: Flask, rule: Rule, ids: dict[str, int]) -> str:
    values: dict[str, Any] = {**ARGUMENTS, **ids}
    if rule.endpoint == "dashboard.agency_download":
        values["name"] = f"{OWN}.csv"
    elif rule.endpoint == "dashboard.city_download":
        values["name"] = "city.json"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})


def _routes(app: Flask) -> Iterator[tuple[str, Rule]]:
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, rule


@pytest.fixture
def ids(db: Database, staff: Staff, store: StoreResponse) -> dict[str, int]:
    """Ids of a real response, user and API token, so no route stops at "not found"."""
    response_id = store(status="quarantined", reason="too_fast")
    answered = store()
    with db.write() as session:
        token, _raw = api_tokens.create_token(session, "asvs", OWN, actor=None)
        user_id = session.scalar(select(User.id).where(User.email == staff.own))
        assert user_id is not None
        response = session.get(Response, answered)
        assert response is not None
        case = case_intake.open_case(
            session, response, case_intake.CaseForm("complaint", "Chờ quá lâu"), timezone=TZ
        )
        recipient = AlertRecipient(agency_id=response.agency_id, role="head", email="h@q1.vn")
        session.add(recipient)
        inspector = session.scalar(select(User).where(User.email == staff.inspector))
        assert inspector is not None
        period = public_results.publish(
            session, inspector, "sipas", dt.date(2017, 1, 1), dt.date(2017, 12, 31)
        )
        session.flush()
        return {
            "response_id": response_id,
            "user_id": user_id,
            "token_id": token.id,
            "case_id": case.id,
            "recipient_id": recipient.id,
            "period_id": period.id,
        }


def test_every_route_denies_anonymous_visitors_unless_it_is_public(
    app: Flask, ids: dict[str, int]
) -> None:
    """4.1.5: staff routes send to sign in (or 401 for token routes) before anything else."""
    client = app.test_client()
    checked = 0
    for method, rule in _routes(app):
        if rule.endpoint in PUBLIC:
            continue
        url = _url(app, rule, ids)
        response = client.open(url, method=method)
        where = f"{method} {url}"
        if rule.endpoint in TOKEN:
            assert response.status_code == 401, where
            assert response.get_json() == {"error": api_tokens_message()}, where
        else:
            assert response.status_code in (302, 303), (where, response.status_code)
            assert response.headers["Location"].startswith("/login?next="), where
        checked += 1
    assert checked >= 40  # the console, the dashboard, downloads and the token API


def api_tokens_message() -> str:
    from surveyapp.api.tokens import UNAUTHORISED

    return UNAUTHORISED


def _snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table, as text: any insert, update or delete shows."""
    with db.session() as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def test_no_staff_request_changes_anything_without_its_csrf_token(
    app: Flask, db: Database, staff: Staff, ids: dict[str, int]
) -> None:
    """4.2.2: a signed-in admin's browser, driven by another site, changes nothing."""
    client = signed_in(app, staff.admin)
    before = _snapshot(db)
    checked = 0
    for method, rule in _routes(app):
        if method not in ("POST", "PUT", "PATCH", "DELETE"):
            continue
        if rule.endpoint in CHANGES_NOTHING or not _is_staff(rule):
            continue
        url = _url(app, rule, ids)
        for data in ({}, {"csrf_token": "forged"}):
            response = client.open(url, method=method, data=data)
            assert response.status_code == 400, (method, url, data, response.status_code)
        checked += 1
    assert _snapshot(db) == before
    assert checked >= 15
    assert _still_signed_in(client)


def _is_staff(rule: Rule) -> bool:
    return rule.endpoint not in PUBLIC - {"auth.logout"} and rule.endpoint not in TOKEN


def _still_signed_in(client: FlaskClient) -> bool:
    return client.get("/staff").status_code == 200


def test_a_signed_in_agency_user_reaches_only_its_own_agency(
    app: Flask, staff: Staff, ids: dict[str, int]
) -> None:
    """4.1.1/4.2.1: with another agency's code, every agency route answers 404, never 200."""
    client = signed_in(app, staff.other)  # a user of SNV, asking for Q1
    checked = 0
    for method, rule in _routes(app):
        if method != "GET" or "code" not in rule.arguments or not _is_staff(rule):
            continue
        url = _url(app, rule, ids)
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        checked += 1
    for url in (f"/reports/agency/{OWN}.csv", f"/reports/agency/{OWN}.pdf", "/reports/city.json"):
        assert client.get(url).status_code == 404, url
    assert checked >= 6
