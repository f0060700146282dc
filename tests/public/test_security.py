"""Every rule of the public submission over HTTP: token, origin, replay, quarantine, limits."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import Response
from surveyapp.tokens import TokenError, issue_token, read_token
from tests.conftest import TEST_SECRET_KEY
from tests.public.conftest import AGENCY, AGENCY_ORIGIN, OTHER, SLUG, open_form, post_form


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(app: Flask) -> None:
    app.config["MIN_FILL_SECONDS"] = 0


def responses(db: Database) -> list[tuple[str, str, str | None]]:
    with db.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(Response.receipt_code, Response.status, Response.quarantine_reason)
            )
        ]


def count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Response)) or 0)


def test_token_round_trip_and_tampering() -> None:
    token = issue_token(TEST_SECRET_KEY, 7, 3)
    read = read_token(TEST_SECRET_KEY, token)
    assert (read.questionnaire_version_id, read.agency_id) == (7, 3)
    assert len(read.nonce) >= 16
    assert issue_token(TEST_SECRET_KEY, 7, 3) != token  # a fresh nonce each time
    payload, signature = token.rsplit(".", 1)
    with pytest.raises(TokenError, match="invalid"):
        read_token(TEST_SECRET_KEY, payload + "." + signature[::-1])
    with pytest.raises(TokenError, match="invalid"):
        read_token("another-secret-key-of-some-length", token)
    old = issue_token(TEST_SECRET_KEY, 7, 3, now=time.time() - 3600)
    with pytest.raises(TokenError, match="expired"):
        read_token(TEST_SECRET_KEY, old, max_age=600)


def test_tampered_token_is_refused_and_nothing_stored(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    token = open_form(client)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert post_form(client, tampered).status_code == 400
    assert post_form(client, "").status_code == 400
    assert count(db) == 0


def test_token_of_another_agency_or_questionnaire_is_refused(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    token = open_form(client)  # issued for Q1
    foreign = post_form(client, token, query=f"agency={OTHER}")
    assert foreign.status_code == 400
    portal = open_form(client, "")
    assert post_form(client, portal, query=f"agency={AGENCY}").status_code == 400
    assert post_form(client, token, query="", extra={"_agency": OTHER}).status_code == 400
    wrong_version = issue_token(TEST_SECRET_KEY, 999_999, None)
    assert post_form(client, wrong_version, query="").status_code == 400
    assert count(db) == 0


def test_expired_token_comes_back_with_answers_kept_and_a_fresh_token(
    app: Flask, client: FlaskClient, survey: Any, db: Database
) -> None:
    token = open_form(client)
    app.config["FORM_TOKEN_MAX_AGE"] = -1
    response = post_form(client, token)
    assert response.status_code == 422
    assert "Phiếu đã mở quá lâu" in response.text
    assert 'value="Kế toán"' in response.text
    assert token not in response.text
    assert count(db) == 0


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://quan1.hochiminhcity.gov.vn.evil.tld",
        "http://localhost.evil.tld",
        "http://localhost:8080",
        "null",
    ],
)
def test_foreign_origin_is_refused(
    client: FlaskClient, survey: Any, db: Database, origin: str
) -> None:
    response = post_form(client, open_form(client), origin=origin)
    assert response.status_code == 403
    assert count(db) == 0


def test_the_agencys_listed_origin_and_the_app_origin_are_accepted(
    client: FlaskClient, survey: Any
) -> None:
    assert post_form(client, open_form(client), origin=AGENCY_ORIGIN).status_code == 303
    assert post_form(client, open_form(client), origin="http://localhost").status_code == 303


def test_without_origin_sec_fetch_site_then_referer_decide(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    def send(headers: dict[str, str]) -> int:
        return post_form(client, open_form(client), origin=None, headers=headers).status_code

    assert send({"Sec-Fetch-Site": "same-origin"}) == 303
    assert send({"Sec-Fetch-Site": "cross-site"}) == 403
    assert send({"Sec-Fetch-Site": "same-site"}) == 403
    assert send({"Referer": "http://localhost/q/every-type?agency=Q1"}) == 303
    assert send({"Referer": "https://quan1.hochiminhcity.gov.vn.evil.tld/page"}) == 403
    assert send({}) == 403
    assert count(db) == 2


def test_replay_returns_the_original_receipt_and_stores_nothing_new(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    token = open_form(client)
    first = post_form(client, token)
    again = post_form(client, token)
    changed = post_form(client, token, {"access_overall": "1", "visited": "no"})
    assert first.status_code == again.status_code == changed.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == changed.headers["Location"]
    assert count(db) == 1


def test_honeypot_is_quarantined_not_dropped(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    response = post_form(client, open_form(client), extra={"_website": "http://spam.example"})
    assert response.status_code == 303  # the robot learns nothing
    assert [(s, r) for _c, s, r in responses(db)] == [("quarantined", "honeypot")]


def test_too_fast_submission_is_quarantined(
    app: Flask, client: FlaskClient, survey: Any, db: Database
) -> None:
    app.config["MIN_FILL_SECONDS"] = 3600
    assert post_form(client, open_form(client)).status_code == 303
    assert [(s, r) for _c, s, r in responses(db)] == [("quarantined", "too_fast")]


def test_rate_limit_answers_429_with_retry_after(
    app: Flask, client: FlaskClient, survey: Any, db: Database
) -> None:
    app.config["RATELIMIT_SUBMIT"] = "2 per minute"
    token = open_form(client)
    assert post_form(client, token).status_code == 303
    assert post_form(client, token).status_code == 303
    limited = post_form(client, open_form(client))
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "Có quá nhiều phiếu" in limited.text
    assert count(db) == 1


def test_agency_form_may_be_framed_only_by_its_listed_origins(
    client: FlaskClient, survey: Any
) -> None:
    listed = client.get(f"/q/{SLUG}?agency={AGENCY}")
    csp = listed.headers["Content-Security-Policy"]
    assert f"frame-ancestors {AGENCY_ORIGIN}" in csp
    assert "X-Frame-Options" not in listed.headers
    unlisted = client.get(f"/q/{SLUG}?agency={OTHER}")
    assert "frame-ancestors 'none'" in unlisted.headers["Content-Security-Policy"]
    assert unlisted.headers["X-Frame-Options"] == "DENY"
    portal = client.get(f"/q/{SLUG}")
    assert "frame-ancestors 'none'" in portal.headers["Content-Security-Policy"]


def test_thank_you_page_is_framable_by_the_same_origins(client: FlaskClient, survey: Any) -> None:
    done = post_form(client, open_form(client))
    page = client.get(done.headers["Location"])
    assert f"frame-ancestors {AGENCY_ORIGIN}" in page.headers["Content-Security-Policy"]


def test_staff_pages_refuse_framing(client: FlaskClient, survey: Any) -> None:
    home = client.get("/")
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]
    assert home.headers["X-Frame-Options"] == "DENY"


def test_parent_origin_is_echoed_only_when_listed(client: FlaskClient, survey: Any) -> None:
    listed = client.get(f"/q/{SLUG}?agency={AGENCY}&embed=1&parent={AGENCY_ORIGIN}").text
    assert f'data-parent-origin="{AGENCY_ORIGIN}"' in listed
    foreign = client.get(f"/q/{SLUG}?agency={AGENCY}&embed=1&parent=https://evil.example").text
    assert "data-parent-origin" not in foreign


def test_embedded_submission_is_stored_as_embed_channel(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    query = f"agency={AGENCY}&embed=1&parent={AGENCY_ORIGIN}"
    done = post_form(client, open_form(client, query), query=query)
    assert done.status_code == 303 and "embed=1" in done.headers["Location"]
    with db.session() as session:
        assert session.scalar(select(Response.channel)) == "embed"


def test_no_ip_address_is_stored(client: FlaskClient, survey: Any, db: Database) -> None:
    post_form(client, open_form(client), headers={"X-Forwarded-For": "203.0.113.9"})
    with db.session() as session:
        row = session.execute(select(Response)).scalar_one()
        values = [str(getattr(row, c.key)) for c in Response.__table__.columns]
    assert not any("127.0.0.1" in v or "203.0.113.9" in v for v in values)
