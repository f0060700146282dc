"""The app's own origin comes from its configured public URL, never from ``Host`` (issue 13.10).

A client chooses the ``Host`` header. Trusting it as the app's own origin let a
page on any site post forms as if it were the platform's own page: the
attacker's page sends ``Origin: https://evil.example`` to the server with
``Host: evil.example`` (a DNS name pointed at the server, or a proxy that passes
Host on), and the origin check compared the two.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import Response
from tests.public.conftest import AGENCY, SLUG, VALID, token_of

PUBLIC_URL = "https://khaosat.hochiminhcity.gov.vn"
HOSTILE_HOSTS = ["evil.example", "evil.example:8443", "khaosat.hochiminhcity.gov.vn.evil.example"]


@pytest.fixture
def public_app(app: Flask) -> Flask:
    app.config["PUBLIC_URL"] = PUBLIC_URL
    app.config["MIN_FILL_SECONDS"] = 0
    return app


def _count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Response)) or 0)


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
@pytest.mark.parametrize("header", ["Origin", "Referer"])
def test_a_form_posted_with_a_hostile_host_is_refused(
    public_app: Flask, db: Database, survey: Any, host: str, header: str
) -> None:
    client = public_app.test_client()
    base = f"https://{host}"
    page = client.get(f"/q/{SLUG}?agency={AGENCY}", base_url=base)
    assert page.status_code == 200
    value = base if header == "Origin" else f"{base}/q/{SLUG}?agency={AGENCY}"
    sent = client.post(
        f"/q/{SLUG}?agency={AGENCY}",
        data={"_token": token_of(page.text), **VALID},
        headers={header: value},
        base_url=base,
    )
    assert sent.status_code == 403, sent.status_code
    assert _count(db) == 0
    # The page the public URL names is still the app's own.
    own = client.post(
        f"/q/{SLUG}?agency={AGENCY}",
        data={"_token": token_of(page.text), **VALID},
        headers={"Origin": PUBLIC_URL},
        base_url=base,
    )
    assert own.status_code == 303
    assert _count(db) == 1


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_the_api_refuses_an_origin_that_only_matches_the_host(
    public_app: Flask, db: Database, survey: Any, host: str
) -> None:
    client = public_app.test_client()
    base = f"https://{host}"
    token = client.get(f"/api/v1/questionnaires/{SLUG}?agency={AGENCY}", base_url=base)
    body = {
        "questionnaire": SLUG,
        "token": token.get_json()["token"],
        "answers": {"access_overall": 4, "visited": "no", "channels": ["web"], "recommend": 10},
    }
    sent = client.post("/api/v1/responses", json=body, headers={"Origin": base}, base_url=base)
    assert sent.status_code == 403
    assert "Access-Control-Allow-Origin" not in sent.headers
    assert _count(db) == 0


def test_links_never_name_the_hostile_host(public_app: Flask, db: Database, survey: Any) -> None:
    client = public_app.test_client()
    for path in (f"/q/{SLUG}?agency={AGENCY}", "/", "/login", "/api/v1/openapi.json"):
        page = client.get(path, base_url="https://evil.example")
        assert "evil.example" not in page.get_data(as_text=True), path
        for name, value in page.headers.items():
            assert "evil.example" not in value, (path, name)
