"""Who reaches which admin page: admin, inspector, own agency, other agency, anonymous.

Every registered /admin route is listed here (a test checks it), so a new page
cannot ship without its permission being tested.
"""

from __future__ import annotations

import pytest
from flask import Flask

from surveyapp.db import Database
from surveyapp.services import counters, kiosks
from tests.admin.conftest import OWN, Staff, StoreResponse, signed_in

#: (method, URL, scope): "admin" pages are for admins only; "agency" pages also for Q1's users.
ROUTES = [
    ("GET", "/admin/", "staff"),
    ("GET", "/admin/agencies", "admin"),
    ("POST", "/admin/agencies", "admin"),
    ("GET", f"/admin/agencies/{OWN}", "admin"),
    ("POST", f"/admin/agencies/{OWN}", "admin"),
    ("POST", f"/admin/agencies/{OWN}/active", "admin"),
    ("POST", "/admin/agencies/import", "admin"),
    ("GET", f"/admin/agencies/{OWN}/embedding", "agency"),
    ("GET", f"/admin/agencies/{OWN}/webmaster/sipas", "agency"),
    ("POST", f"/admin/agencies/{OWN}/webmaster/sipas", "agency"),
    ("GET", f"/admin/agencies/{OWN}/webmaster/sipas/frame", "agency"),
    ("GET", f"/admin/agencies/{OWN}/poster/sipas.pdf", "agency"),
    ("GET", f"/admin/agencies/{OWN}/dossiers", "agency"),
    ("POST", f"/admin/agencies/{OWN}/dossiers/upload", "agency"),
    ("POST", f"/admin/agencies/{OWN}/dossiers/generate", "agency"),
    ("POST", f"/admin/agencies/{OWN}/dossiers/require", "agency"),
    ("GET", f"/admin/agencies/{OWN}/alerts", "agency"),
    ("POST", f"/admin/agencies/{OWN}/alerts/watch-list", "agency"),
    ("POST", f"/admin/agencies/{OWN}/alerts/recipients", "agency"),
    ("POST", f"/admin/agencies/{OWN}/alerts/recipients/1/remove", "agency"),
    ("GET", f"/admin/agencies/{OWN}/counters", "admin"),
    ("POST", f"/admin/agencies/{OWN}/counters", "admin"),
    ("GET", f"/admin/agencies/{OWN}/counters/3", "admin"),
    ("POST", f"/admin/agencies/{OWN}/counters/3", "admin"),
    ("POST", f"/admin/agencies/{OWN}/counters/3/active", "admin"),
    ("GET", f"/admin/agencies/{OWN}/counters/3/poster.pdf", "agency"),
    ("POST", f"/admin/agencies/{OWN}/kiosks", "admin"),
    ("GET", "/admin/kiosks", "admin"),
    ("GET", "/admin/kiosks/1/revoke", "admin"),
    ("POST", "/admin/kiosks/1/revoke", "admin"),
    ("GET", "/admin/questionnaires", "admin"),
    ("POST", "/admin/questionnaires/check", "admin"),
    ("POST", "/admin/questionnaires/publish", "admin"),
    ("POST", "/admin/questionnaires/preview", "admin"),
    ("POST", "/admin/preview-sink", "staff"),
    ("GET", "/admin/questionnaires/sipas", "admin"),
    ("GET", "/admin/questionnaires/sipas/v1/preview", "admin"),
    ("GET", "/admin/questionnaires/sipas/v1/source", "admin"),
    ("POST", "/admin/questionnaires/sipas/availability", "admin"),
    ("GET", "/admin/triage", "admin"),
    ("POST", "/admin/triage/1", "admin"),
    ("GET", "/admin/audit", "admin"),
    ("GET", "/admin/users", "admin"),
    ("POST", "/admin/users", "admin"),
    ("POST", "/admin/users/1/active", "admin"),
    ("POST", "/admin/users/1/password", "admin"),
    ("POST", "/admin/users/1/two-factor/reset", "admin"),
    ("POST", "/admin/users/two-factor-policy", "admin"),
    ("GET", "/admin/tokens", "admin"),
    ("POST", "/admin/tokens", "admin"),
    ("POST", "/admin/tokens/1/revoke", "admin"),
]
WHO = ("admin", "inspector", "own", "other", None)
#: The target of preview forms: it changes nothing, and preview forms carry no CSRF token.
CHANGES_NOTHING = {"/admin/preview-sink"}


def _allowed(scope: str, who: str | None) -> bool:
    if who == "admin":
        return True
    if who == "own":
        return scope in ("agency", "staff")
    if who == "other":
        return scope == "staff"
    return False


def test_every_admin_route_is_in_the_matrix(app: Flask) -> None:
    listed = {(m, _rule_of(url)) for m, url, _ in ROUTES}
    registered = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert registered == listed


def _rule_of(url: str) -> str:
    """Map a concrete URL of ROUTES back to its rule (the matrix uses fixed values)."""
    replacements = [
        (
            f"/agencies/{OWN}/alerts/recipients/1/remove",
            "/agencies/<code>/alerts/recipients/<int:recipient_id>/remove",
        ),
        (f"/agencies/{OWN}/poster/sipas.pdf", "/agencies/<code>/poster/<slug>.<fmt>"),
        (
            f"/agencies/{OWN}/counters/3/poster.pdf",
            "/agencies/<code>/counters/<counter>/poster.<fmt>",
        ),
        (f"/agencies/{OWN}/counters/3", "/agencies/<code>/counters/<counter>"),
        (f"/agencies/{OWN}/webmaster/sipas", "/agencies/<code>/webmaster/<slug>"),
        (f"/agencies/{OWN}", "/agencies/<code>"),
        ("/questionnaires/sipas/v1", "/questionnaires/<slug>/v<int:version>"),
        ("/questionnaires/sipas", "/questionnaires/<slug>"),
        ("/triage/1", "/triage/<int:response_id>"),
        ("/users/1/", "/users/<int:user_id>/"),
        ("/tokens/1/", "/tokens/<int:token_id>/"),
        ("/kiosks/1/", "/kiosks/<int:kiosk_id>/"),
    ]
    for concrete, rule in replacements:
        if concrete in url:
            return url.replace(concrete, rule)
    return url


@pytest.mark.parametrize("who", WHO)
def test_access_matrix(
    app: Flask, db: Database, staff: Staff, store: StoreResponse, who: str | None
) -> None:
    store(status="quarantined", reason="too_fast")
    with db.write() as session:  # counter 3 of Q1 and its kiosk 1
        counters.add_counter(session, OWN, "3", "Quầy số 3", "Counter 3")
        kiosk, _secret = kiosks.enrol(session, OWN, "3", "Máy 1", actor=None)
        kiosk_path = f"/kiosks/{kiosk.id}/"  # not 1 on PostgreSQL: sequences do not roll back
    email = getattr(staff, who) if who else None
    client = signed_in(app, email)
    for method, listed, scope in ROUTES:
        url = listed.replace("/kiosks/1/", kiosk_path)
        response = client.open(url, method=method)
        where = f"{who} {method} {url}"
        if who is None:
            assert response.status_code in (302, 303), where
            assert "/login?next=" in response.headers["Location"], where
        elif not _allowed(scope, who):
            assert response.status_code == 404, where
        elif method == "POST" and url not in CHANGES_NOTHING:
            # Allowed, but without the form's CSRF token nothing happens.
            assert response.status_code == 400, (where, response.status_code)
        else:
            assert response.status_code == 200, (where, response.status_code)
            assert response.headers["Cache-Control"] == "no-store" or url.endswith("/frame"), where


def test_an_agency_user_cannot_reach_another_agency_s_pages(
    app: Flask, db: Database, staff: Staff, sipas: str
) -> None:
    client = signed_in(app, staff.other)
    for url in (
        f"/admin/agencies/{OWN}/dossiers",
        f"/admin/agencies/{OWN}/webmaster/sipas",
        f"/admin/agencies/{OWN}/poster/sipas.png",
        "/admin/agencies/NOPE/dossiers",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/admin/agencies/SNV/dossiers").status_code == 200


def test_console_pages_are_not_framable_but_the_live_preview_is_by_the_console_only(
    app: Flask, db: Database, staff: Staff, sipas: str
) -> None:
    client = signed_in(app, staff.admin)
    page = client.get(f"/admin/agencies/{OWN}/webmaster/sipas")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    frame = client.get(f"/admin/agencies/{OWN}/webmaster/sipas/frame")
    assert "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in frame.headers
    assert frame.headers["Cache-Control"] == "no-store"
