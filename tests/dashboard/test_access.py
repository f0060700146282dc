"""Who may download what: every role x every report route x own/other/unknown agency."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.auth.conftest import OTHER, OWN, Staff
from tests.dashboard.conftest import signed_in

AGENCY_ROUTES = (
    "/reports/agency/{code}.pdf",
    "/reports/agency/{code}.xlsx",
    "/reports/agency/{code}.csv",
    "/reports/agency/{code}.json",
    "/dashboard/agency/{code}",
)
CITY_ROUTES = ("/reports/city.pdf", "/reports/city.xlsx", "/reports/city.json", "/dashboard/city")
QUERY = "?questionnaire=sipas&from=2017-01-01&to=2017-06-30"
#: role -> (may read own agency, may read the other agency, may read the city)
RULES = {
    "admin": (True, True, True),
    "inspector": (True, True, True),
    "own": (True, False, False),
}


@pytest.mark.parametrize("route", AGENCY_ROUTES)
@pytest.mark.parametrize("role", sorted(RULES))
def test_agency_routes(client: FlaskClient, reports: Staff, role: str, route: str) -> None:
    signed_in(client, getattr(reports, role))
    own_ok, other_ok, _ = RULES[role]
    for code, allowed in ((OWN, own_ok), (OTHER, other_ok), ("NOPE", False)):
        response = client.get(route.format(code=code) + QUERY)
        response.get_data()  # a streamed body is read to the end, as a browser would
        response.close()
        expected = 200 if allowed else 404
        assert response.status_code == expected, (role, code, route, response.status_code)
        assert response.headers["Cache-Control"] == "no-store"
        if not allowed:
            # The same answer for another agency and an unknown code: nothing is revealed.
            assert OTHER.encode() not in response.data or code == "NOPE"


def test_agency_user_of_other_agency(client: FlaskClient, reports: Staff) -> None:
    signed_in(client, reports.other)
    assert client.get(f"/reports/agency/{OWN}.pdf{QUERY}").status_code == 404
    assert client.get(f"/reports/agency/{OWN}.csv{QUERY}").status_code == 404
    assert client.get(f"/dashboard/agency/{OWN}{QUERY}").status_code == 404
    assert client.get(f"/reports/agency/{OTHER}.json{QUERY}").status_code == 200


@pytest.mark.parametrize("route", CITY_ROUTES)
@pytest.mark.parametrize("role", sorted(RULES))
def test_city_routes(client: FlaskClient, reports: Staff, role: str, route: str) -> None:
    signed_in(client, getattr(reports, role))
    response = client.get(route + QUERY)
    assert response.status_code == (200 if RULES[role][2] else 404), (role, route)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "route", [*(r.format(code=OWN) for r in AGENCY_ROUTES), *CITY_ROUTES, "/dashboard"]
)
def test_anonymous_is_sent_to_login(client: FlaskClient, reports: Staff, route: str) -> None:
    response = client.get(route + QUERY)
    assert response.status_code in (302, 303)
    location = response.headers["Location"]
    assert location.startswith("/login?next=")
    assert b"%PDF" not in response.data


def test_agency_user_dashboard_lists_only_own(client: FlaskClient, reports: Staff) -> None:
    signed_in(client, reports.own)
    page = client.get("/dashboard" + QUERY).get_data(as_text=True)
    assert f"/dashboard/agency/{OWN}" in page
    assert f"/dashboard/agency/{OTHER}" not in page
    assert "/dashboard/agency/AAA" not in page
    assert "/reports/city" not in page
