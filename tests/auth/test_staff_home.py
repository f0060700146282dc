"""Each role's home says what it can do, every staff page has the navigation bar, and the
platform's front page leads to sign-in and to the public forms."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.config import PACKAGE_DIR
from surveyapp.db import Database
from surveyapp.services.questionnaires import definition_files, load_files
from tests.auth.conftest import OWN, Staff, login

HREF = re.compile(r'href="([^"]+)"')
NAV = re.compile(r'<nav class="staff-nav"[^>]*>(.*?)</nav>', re.S)
TASKS = re.compile(r'<ul class="tasks">(.*?)</ul>', re.S)

#: What each role's home offers (paths, in order) and what it must not.
HOMES = {
    "admin": (
        ["/admin/", "/dashboard", "/dashboard/city", "/reports/city.pdf", "/account/two-factor"],
        [],
    ),
    "inspector": (
        ["/dashboard", "/dashboard/city", "/reports/city.pdf", "/account/two-factor"],
        ["/admin/"],
    ),
    "own": (
        [
            f"/dashboard/agency/{OWN}",
            f"/admin/agencies/{OWN}/embedding",
            f"/admin/agencies/{OWN}/dossiers",
            "/account/two-factor",
        ],
        ["/dashboard/city", "/reports/city.pdf"],
    ),
}
#: The bar's links by role; "Reports" is the city-wide report, or an agency's own.
BARS = {
    "admin": ["/staff", "/admin/", "/dashboard", "/dashboard/city", "/cases", "/publishing"],
    "inspector": ["/staff", "/dashboard", "/dashboard/city", "/cases", "/publishing"],
    "own": ["/staff", "/admin/", "/dashboard", f"/dashboard/agency/{OWN}", "/cases"],
}
PAGES = {
    "admin": [
        "/staff",
        "/dashboard",
        "/dashboard/city",
        f"/dashboard/agency/{OWN}",
        "/admin/",
        "/admin/agencies",
        "/admin/questionnaires",
        "/admin/users",
        "/admin/triage",
    ],
    "inspector": ["/staff", "/dashboard", "/dashboard/city", f"/dashboard/agency/{OWN}"],
    "own": [
        "/staff",
        "/dashboard",
        f"/dashboard/agency/{OWN}",
        "/admin/",
        f"/admin/agencies/{OWN}/embedding",
        f"/admin/agencies/{OWN}/dossiers",
    ],
}


@pytest.fixture
def loaded(db: Database, staff: Staff) -> Staff:
    with db.write() as session:
        load_files(session, definition_files([PACKAGE_DIR.parent / "questionnaires"]))
    return staff


def _as(app: Flask, staff: Staff, role: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, getattr(staff, role)).status_code == 303
    return client


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_a_home_with_what_it_can_do(
    app: Flask, loaded: Staff, role: str
) -> None:
    client = app.test_client()
    landed = login(client, getattr(loaded, role))
    assert landed.status_code == 303 and landed.headers["Location"].endswith("/staff")
    page = client.get("/staff").get_data(as_text=True)
    tasks = TASKS.search(page)
    assert tasks, page[:500]
    offered = [link.split("?")[0] for link in HREF.findall(tasks.group(1))]
    wanted, refused = HOMES[role]
    assert offered == wanted
    assert not set(refused) & set(offered)
    for link in HREF.findall(tasks.group(1)):
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, (role, link, response.status_code)


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_staff_page_has_the_navigation_bar(app: Flask, loaded: Staff, role: str) -> None:
    client = _as(app, loaded, role)
    for path in PAGES[role]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        bar = NAV.search(response.get_data(as_text=True))
        assert bar, f"{path}: no navigation bar"
        links = [link.split("?")[0] for link in HREF.findall(bar.group(1))]
        assert links == BARS[role], (path, links)
        assert getattr(loaded, role) in bar.group(1)  # the signed-in user
        signout = re.search(r'<form method="post" action="/logout">(.*?)</form>', bar.group(1))
        assert signout and 'name="csrf_token"' in signout.group(1), path
        assert re.search(r'aria-current="page"', bar.group(1)) or path not in BARS[role]
    if "/admin/" not in PAGES[role]:
        return
    console = re.search(r'class="admin-nav".*?</nav>', client.get("/admin/").text, re.S)
    assert console and 'href="/staff"' not in console.group(0)  # no "Reports" to /staff


def test_the_bar_keeps_the_questionnaire_and_period_between_report_pages(
    app: Flask, loaded: Staff
) -> None:
    client = _as(app, loaded, "inspector")
    query = "questionnaire=a11-cx&from=2017-01-01&to=2017-06-30"
    bar = NAV.search(client.get(f"/dashboard/city?{query}").get_data(as_text=True))
    assert bar
    links = [link.replace("&amp;", "&") for link in HREF.findall(bar.group(1))]
    assert links[:3] == ["/staff", f"/dashboard?{query}", f"/dashboard/city?{query}"]
    assert links[3:] == ["/cases", "/publishing"]  # not report pages: nothing kept


def test_sign_out_from_the_bar(app: Flask, loaded: Staff) -> None:
    client = _as(app, loaded, "inspector")
    page = client.get("/dashboard").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    out = client.post("/logout", data={"csrf_token": token.group(1)})
    assert out.status_code == 303
    assert client.get("/dashboard").status_code == 302  # signed out: sent to sign in


def test_front_page_links_to_sign_in_and_the_portal_forms(
    client: FlaskClient, loaded: Staff
) -> None:
    response = client.get("/")
    links = HREF.findall(response.get_data(as_text=True))
    assert "/login" in links
    assert {"/q/sipas", "/q/a11-cx"} <= set(links)
    for link in ("/login", "/q/sipas", "/q/a11-cx"):
        assert client.get(link).status_code == 200, link
    assert 'class="staff-nav"' not in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers  # the public front page makes no session
