"""A service's refusal is flashed in the console's language (errors.Problem)."""

from __future__ import annotations

import html

from flask import Flask

from surveyapp.db import Database
from tests.admin.conftest import Staff, StoreResponse, csrf, flashes, signed_in


def _accept_twice(app: Flask, staff: Staff, store: StoreResponse, language: str) -> str:
    held = store(status="quarantined", reason="honeypot")
    client = signed_in(app, staff.admin, language=language)
    token = csrf(client, "/admin/triage")
    data = {f"r{held}-csrf_token": token, f"r{held}-action": "accept", f"r{held}-reason": "ok"}
    assert client.post(f"/admin/triage/{held}", data=data).status_code == 303
    first = flashes(client, "/admin/triage")
    assert client.post(f"/admin/triage/{held}", data=data).status_code == 303
    return first + flashes(client, "/admin/triage").replace(str(held), "N")


def test_refusals_are_flashed_in_vietnamese(
    app: Flask, db: Database, staff: Staff, store: StoreResponse
) -> None:
    page = _accept_twice(app, staff, store, "vi")
    assert "Đã chấp nhận phản hồi" in page
    assert "phản hồi N đang ở trạng thái accepted, không phải chờ xem xét" in page
    assert "not quarantined" not in page


def test_and_in_english(app: Flask, db: Database, staff: Staff, store: StoreResponse) -> None:
    page = _accept_twice(app, staff, store, "en")
    assert "response N is accepted, not quarantined" in page
    assert "chờ xem xét" not in page


def _add_agency(app: Flask, staff: Staff, language: str) -> str:
    client = signed_in(app, staff.admin, language=language)
    token = csrf(client, "/admin/agencies")
    data = {
        "csrf_token": token,
        "code": "-X",
        "name_vi": "Sở mới",
        "name_en": "New department",
        "kind": "department",
        "origins": "https://a.example.vn/path\nftp://b.example.vn",
    }
    refused = client.post("/admin/agencies", data=data)
    assert refused.status_code == 422
    return html.unescape(refused.get_data(as_text=True))


def test_every_problem_of_an_agency_is_named_in_vietnamese(
    app: Flask, db: Database, staff: Staff
) -> None:
    page = _add_agency(app, staff, "vi")
    assert "code: phải gồm 1-32 chữ cái" in page
    assert (
        "origins: 'https://a.example.vn/path': nguồn (origin) chỉ gồm scheme://host[:port]" in page
    )
    assert "'ftp://b.example.vn': nguồn (origin) phải bắt đầu bằng http:// hoặc https://" in page
    assert "must be" not in page and "an origin" not in page


def test_the_same_problems_in_english(app: Flask, db: Database, staff: Staff) -> None:
    page = _add_agency(app, staff, "en")
    assert "code: must be 1-32 letters" in page
    assert "'ftp://b.example.vn': an origin must start with http:// or https://" in page
