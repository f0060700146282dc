"""After signing in, ``next`` leads only to a path on this site."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from surveyapp.auth.redirects import safe_next

from .conftest import Staff, login

HOSTILE = [
    "//evil.com",
    "///evil.com",
    "////evil.com/x",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "https://evil.com",
    "https://evil.com/staff",
    "http:evil.com",
    "https:/evil.com",
    "HTTPS://evil.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.com",
    "staff",
    " //evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/staff\r\nSet-Cookie: session=attacker",
    "/staff\rLocation: https://evil.com",
    "/\x00/evil.com",
    "/\u2028/evil.com",
    "/\u202e/evil.com",
    "/" + "a" * 2048,
    "",
]

LOCAL = [
    "/staff",
    "/t/agency/Q1?period=2017-Q3",
    "/t/agency/Q1?next=//evil.com",
    "/%2F%2Fevil.com",
    "/báo-cáo/Sở Nội vụ",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target: str) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", LOCAL)
def test_local_paths_are_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", HOSTILE)
def test_signing_in_with_a_hostile_next_goes_to_the_staff_page(
    client: FlaskClient, staff: Staff, target: str
) -> None:
    response = login(client, staff.admin, next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff"


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "/\\evil.com"])
def test_the_form_does_not_carry_a_hostile_next(client: FlaskClient, target: str) -> None:
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next" type="hidden" value=""' in page
    assert "evil" not in page


def test_signing_in_with_a_local_next_goes_there(client: FlaskClient, staff: Staff) -> None:
    response = login(client, staff.admin, next_url="/t/agency/Q1?period=2017-Q3")
    assert response.headers["Location"] == "/t/agency/Q1?period=2017-Q3"
