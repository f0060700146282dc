"""No query or path parameter of any route gives a 500 (issue 13 item 2).

Huge ids reached the database ("int too large to convert to SQLite INTEGER") and
extreme days overflowed the period bounds. The routes are read from ``app.url_map``,
so a route added later is checked without being listed; the query parameters are
every name the package reads from ``request.args`` plus the report filters. Each
route is asked as an anonymous visitor, an agency user, an inspector and an admin:

- every path argument, one at a time, with every extreme value (table-driven);
- every query parameter at once with every extreme value (table-driven);
- every query parameter a GET route is seen to read, alone, with each extreme value
  (table-driven: the app's query mapping notes the names asked for);
- mixes of extreme and valid values per parameter (hypothesis, a few examples a route).

Any answer of 500 or more, or an exception escaping the app, fails.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule

from surveyapp.config import PACKAGE_DIR
from surveyapp.db import Database
from surveyapp.models import User
from surveyapp.services import api_tokens
from tests.admin.conftest import OWN, StoreResponse, signed_in, sipas, staff, store
from tests.auth.conftest import Staff

__all__ = ["sipas", "staff", "store"]

EXTREMES = (
    "99999999999999999999999",
    str(2**31),
    str(2**63),
    "-1",
    "0",
    "",
    "0001-01-01",
    "9999-12-31",
    "x" * 3000,
    "\x00",
    "\ufffe\uffff",
    "\U0001f600\u202e",
    "../..",
    "1e309",
)
#: The values each parameter a route reads gets alone (fewer: every route reads several).
CORE = (
    "99999999999999999999999",
    "-1",
    "",
    "0001-01-01",
    "9999-12-31",
    "x" * 3000,
    "\x00",
    "\U0001f600\u202e",
)
#: Valid values of the query parameters (hypothesis mixes them with the extremes).
VALID = {
    "from": "2024-01-01",
    "to": "2024-12-31",
    "questionnaire": "sipas",
    "version": "1",
    "period": "month",
    "comments": "0",
    "lang": "en",
    "agency": OWN,
    "by": "respondent_type",
}
#: Query parameters read by the report filters (``params.scope_of``) and the API.
REPORT_PARAMETERS = ("from", "to", "questionnaire", "version", "period", "comments", "by", "lang")
READ_RE = re.compile(r"""(?:args|values)(?:\.get\(|\[)["']([a-z_]+)["']""")


def query_names() -> tuple[str, ...]:
    """Every query parameter name the package reads, and the report filters."""
    found = set(REPORT_PARAMETERS)
    for path in PACKAGE_DIR.rglob("*.py"):
        found.update(READ_RE.findall(path.read_text(encoding="utf-8")))
    return tuple(sorted(found))


NAMES = query_names()
PLACEHOLDER = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>")


def _valid_arguments(ids: dict[str, int]) -> dict[str, str]:
    return {
        "code": OWN,
        "slug": "sipas",
        "fmt": "pdf",
        "version": "1",
        "receipt": "NOPE",
        "counter": "3",
        "kiosk_id": "1",
        "filename": "form.css",
        # Ids of rows the fixture does not make: the routes still parse and look them up.
        "recipient_id": "1",
        "case_id": "1",
        "period_id": "1",
        **{k: str(v) for k, v in ids.items()},
    }


def _path(rule: Rule, values: dict[str, str]) -> str:
    def fill(found: re.Match[str]) -> str:
        return quote(values[found.group(1)], safe="")

    return PLACEHOLDER.sub(fill, rule.rule)


def _base_values(rule: Rule, ids: dict[str, int]) -> dict[str, str]:
    values = _valid_arguments(ids)
    if rule.endpoint == "dashboard.agency_download":
        values["name"] = f"{OWN}.json"
    elif rule.endpoint == "dashboard.city_download":
        values["name"] = "city.json"
    return values


def _routes(app: Flask) -> Iterator[tuple[str, Rule]]:
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, rule


def _outcome(
    client: FlaskClient,
    method: str,
    url: str,
    headers: dict[str, str],
    data: dict[str, str] | None = None,
) -> str | None:
    """None when the answer is below 500; else what went wrong."""
    try:
        response = client.open(url, method=method, headers=headers, data=data)
        response.get_data()  # a streamed body runs here
        response.close()
    except Exception as exc:
        return f"{method} {url[:200]}: {type(exc).__name__}: {str(exc)[:200]}"
    if response.status_code >= 500:
        return f"{method} {url[:200]}: {response.status_code}"
    return None


@pytest.fixture
def ids(db: Database, staff: Staff, store: StoreResponse) -> dict[str, int]:
    """Ids of a real response, user and API token, so routes reach their parameters."""
    response_id = store(status="quarantined", reason="too_fast")
    store()  # an accepted one: the reports have data
    with db.write() as session:
        token, _raw = api_tokens.create_token(session, "no-500", OWN, actor=None)
        user_id = session.scalar(select(User.id).where(User.email == staff.own))
        assert user_id is not None
        return {"response_id": response_id, "user_id": user_id, "token_id": token.id}


@pytest.fixture
def bearer(db: Database, staff: Staff) -> dict[str, str]:
    with db.write() as session:
        _row, raw = api_tokens.create_token(session, "no-500 city", None, actor=None)
    return {"Authorization": f"Bearer {raw}"}


ROLES = ("anonymous", "agency", "inspector", "admin")


def _client(app: Flask, staff: Staff, role: str) -> FlaskClient:
    email = {"anonymous": None, "agency": staff.own, "inspector": staff.inspector}.get(
        role, staff.admin
    )
    return signed_in(app, email)


CSRF_FIELD = re.compile(r'name="([a-z0-9-]*csrf_token)" type="hidden" value="([^"]+)"')
#: Pages whose forms give a signed-in role its CSRF token (the first that has one).
FORM_PAGES = ("/admin/users", f"/admin/agencies/{OWN}/dossiers", "/staff")


def _form_data(client: FlaskClient, role: str) -> dict[str, str]:
    """The CSRF token under every field name the console uses, so a POST reaches its
    parameters rather than stopping at the missing token (the forms' other fields
    stay empty, so nothing validates and nothing is stored)."""
    if role == "anonymous":
        return {}
    fields: dict[str, str] = {}
    for page in FORM_PAGES:
        text = client.get(page).get_data(as_text=True)
        for name, value in CSRF_FIELD.findall(text):
            fields.setdefault(name, html.unescape(value))
    return fields


def _headers(rule: Rule, bearer: dict[str, str], role: str) -> dict[str, str]:
    # Token routes get the city token for signed-in roles: their parameters are read then.
    return bearer if rule.rule.startswith("/api/v1/reports") and role != "anonymous" else {}


@pytest.mark.parametrize("role", ROLES)
def test_no_extreme_path_or_query_value_gives_500(
    app: Flask, staff: Staff, ids: dict[str, int], bearer: dict[str, str], role: str
) -> None:
    client = _client(app, staff, role)
    form = _form_data(client, role)
    failures: list[str] = []
    checked = 0
    for method, rule in _routes(app):
        base = _base_values(rule, ids)
        headers = _headers(rule, bearer, role)
        # Signing out with a valid token would end the session the other routes need.
        data = form if method == "POST" and rule.endpoint != "auth.logout" else None
        for argument in sorted(rule.arguments):
            for value in EXTREMES:
                url = _path(rule, {**base, argument: value})
                failures += filter(None, [_outcome(client, method, url, headers, data)])
                checked += 1
        path = _path(rule, base)
        for value in EXTREMES:
            url = path + "?" + urlencode({name: value for name in NAMES})
            failures += filter(None, [_outcome(client, method, url, headers, data)])
            checked += 1
    assert not failures, "\n".join(failures[:30])
    assert checked > 1000
    assert role == "anonymous" or form, "no CSRF token found for a signed-in role"
    assert role == "anonymous" or client.get("/staff").status_code == 200  # still signed in


#: Per query parameter: an extreme value, a valid one, or left out.
def _queries() -> st.SearchStrategy[dict[str, str]]:
    value = st.one_of(st.sampled_from(EXTREMES), st.text(max_size=12))
    per_name = {
        name: st.one_of(st.none(), value, st.just(VALID.get(name, "1")))
        for name in (*REPORT_PARAMETERS, "agency", "code", "next", "parent", "counter", "embed")
    }
    return st.fixed_dictionaries(per_name).map(
        lambda chosen: {k: v for k, v in chosen.items() if v is not None}
    )


def _mixes(client: FlaskClient, path: str, headers: dict[str, str], failures: list[str]) -> Any:
    """A hypothesis check of ``path`` with a few mixes of query values."""

    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=_queries())
    def check(query: dict[str, str]) -> None:
        failed = _outcome(client, "GET", path + "?" + urlencode(query), headers)
        if failed:
            failures.append(failed)

    return check


@pytest.mark.parametrize("role", ROLES)
def test_no_mix_of_query_values_gives_500(
    app: Flask, staff: Staff, ids: dict[str, int], bearer: dict[str, str], role: str
) -> None:
    client = _client(app, staff, role)
    failures: list[str] = []
    gets = [rule for method, rule in _routes(app) if method == "GET"]
    assert len(gets) > 30
    for rule in gets:
        path = _path(rule, _base_values(rule, ids))
        _mixes(client, path, _headers(rule, bearer, role), failures)()
    assert not failures, "\n".join(failures[:30])


#: The query parameter names read during the current request (see ``_Recording``).
READ: set[str] = set()


class _Recording(ImmutableMultiDict[str, str]):
    """Query parameters that note every name a view (or the app) asks for."""

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:
        READ.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key: str) -> str:
        READ.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        READ.add(str(key))
        return super().__contains__(key)


@pytest.mark.parametrize("role", ROLES)
def test_every_parameter_a_route_reads_takes_every_extreme_value(
    app: Flask, staff: Staff, ids: dict[str, int], bearer: dict[str, str], role: str
) -> None:
    """Each GET route is asked once bare and once with valid filters, noting the query
    names it reads; then each of those names alone gets every extreme value (so a
    report route reaches its dates with its default questionnaire)."""
    app.request_class = type(
        "RecordingRequest", (app.request_class,), {"parameter_storage_class": _Recording}
    )
    client = _client(app, staff, role)
    failures: list[str] = []
    seen: set[str] = set()
    for method, rule in _routes(app):
        if method != "GET":
            continue
        path = _path(rule, _base_values(rule, ids))
        headers = _headers(rule, bearer, role)
        names: set[str] = set()
        for probe in (path, path + "?" + urlencode(VALID)):
            READ.clear()
            failures += filter(None, [_outcome(client, "GET", probe, headers)])
            names |= READ
        seen |= names
        for name in sorted(names):
            for value in CORE:
                url = path + "?" + urlencode({name: value})
                failures += filter(None, [_outcome(client, "GET", url, headers)])
    assert not failures, "\n".join(failures[:30])
    assert "lang" in seen  # every page reads its language
    if role in ("inspector", "admin"):
        assert {"from", "to", "questionnaire", "period", "version"} <= seen


def test_the_query_names_come_from_the_package() -> None:
    """The scan finds the parameters views read (so a new one is checked unlisted)."""
    assert {"agency", "lang", "next", "counter", "version", "period"} <= set(NAMES)


@pytest.mark.parametrize(
    "url",
    [
        "/a/%00/theme.css",
        f"/q/sipas?agency={OWN}%00",
        "/api/v1/reports/agency/%00",
        "/login?next=%00",
    ],
)
def test_a_nul_in_the_address_is_refused_before_any_view(client: FlaskClient, url: str) -> None:
    """PostgreSQL cannot compare text holding NUL: it is refused before a query is made."""
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True) or url.startswith("/api/")
