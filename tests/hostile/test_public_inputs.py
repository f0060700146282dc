"""Hostile requests to the public form and the JSON API: each row's status, nothing stored.

Rows already covered elsewhere are not repeated: tampered tokens and tokens of
another agency or questionnaire (tests/public/test_security.py), expired tokens
(same file), unlisted origins and Sec-Fetch-Site/Referer fallbacks (same file),
bodies over the limit (tests/public/test_form.py, tests/api/test_api.py), open
redirects in next= (tests/auth/test_redirects.py), cross-agency report access
(tests/auth/test_access.py), hostile download names (tests/auth/test_downloads.py),
YAML tags and aliases (tests/definitions/test_definition_yaml.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import Answer, Response
from surveyapp.tokens import issue_token
from tests.public.conftest import (
    AGENCY,
    AGENCY_ORIGIN,
    APP_ORIGIN,
    SLUG,
    VALID,
    open_form,
)

FORM = f"/q/{SLUG}?agency={AGENCY}"
API_ANSWERS: dict[str, Any] = {
    "access_overall": 4,
    "visited": "yes",
    "visits": 2,
    "channels": ["web"],
    "recommend": 10,
}


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(app: Flask) -> None:
    app.config["MIN_FILL_SECONDS"] = 0


def count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Response)) or 0)


def stored_text(db: Database, key: str) -> str | None:
    with db.session() as session:
        return session.scalar(select(Answer.value_text).where(Answer.question_key == key))


@dataclass(frozen=True)
class Row:
    """One hostile form POST: the answers/fields sent, headers, expected status and rows."""

    answers: dict[str, Any] = field(default_factory=lambda: dict(VALID))
    extra: dict[str, Any] = field(default_factory=dict)
    origin: str | None = APP_ORIGIN
    headers: dict[str, str] = field(default_factory=dict)
    token: Callable[[FlaskClient, Flask], str] | None = None
    status: int = 422
    stored: int = 0


def _with(**changes: Any) -> dict[str, Any]:
    return {**VALID, **changes}


def _foreign_token(_client: FlaskClient, _app: Flask) -> str:
    # Well-formed and signed, but with another installation's key.
    return issue_token("another-installation-secret-key", 1, 1)


FORM_ROWS = {
    "missing token": Row(token=lambda c, a: "", status=400),
    "token of another installation": Row(token=_foreign_token, status=400),
    "origin null (sandboxed frame, data: URL)": Row(origin="null", status=403),
    "look-alike origin (suffix)": Row(origin=AGENCY_ORIGIN + ".evil.example", status=403),
    "look-alike origin (userinfo)": Row(
        origin="https://quan1.hochiminhcity.gov.vn@evil.example", status=403
    ),
    "look-alike origin (other scheme)": Row(
        origin=AGENCY_ORIGIN.replace("https", "http"), status=403
    ),
    "listed origin, no Referer at all": Row(origin=AGENCY_ORIGIN, status=303, stored=1),
    "extra fields agency_id and status ignored": Row(
        extra={"agency_id": "999", "status": "accepted", "_agency": "SNV", "receipt_code": "X"},
        status=303,
        stored=1,
    ),
    "likert out of range": Row(answers=_with(access_overall="6")),
    "likert zero": Row(answers=_with(access_overall="0")),
    "number NaN": Row(answers=_with(visits="NaN")),
    "number 1e309 (infinite)": Row(answers=_with(visits="1e309")),
    "number -inf": Row(answers=_with(visits="-inf")),
    "number with a fraction for an integer": Row(answers=_with(visits="2.5")),
    "rating 11 of 0-10": Row(answers=_with(recommend="11")),
    "repeated single choice": Row(answers=_with(visited=["yes", "no"])),
    "unknown choice": Row(answers=_with(visited="maybe")),
    "date out of the calendar": Row(answers=_with(visit_date="2024-02-30")),
    "short text over max_length": Row(answers=_with(occupation="x" * 41)),
    "long text over max_length": Row(answers=_with(comment="y" * 501)),
    "NUL byte in text": Row(answers=_with(comment="a\x00b")),
}


@pytest.mark.parametrize("row", FORM_ROWS.values(), ids=FORM_ROWS.keys())
def test_hostile_form_posts(
    app: Flask, client: FlaskClient, survey: Any, db: Database, row: Row
) -> None:
    token = row.token(client, app) if row.token else open_form(client)
    headers = dict(row.headers)
    if row.origin is not None:
        headers["Origin"] = row.origin
    response = client.post(
        FORM, data={"_token": token, **row.answers, **row.extra}, headers=headers
    )
    assert response.status_code == row.status, response.text[:300]
    assert count(db) == row.stored
    if row.stored:
        with db.session() as session:
            stored = session.execute(select(Response.status, Response.agency_id)).one()
        assert stored.status == "accepted"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("'; DROP TABLE responses; --", "'; DROP TABLE responses; --"),
        ('" OR 1=1 --', '" OR 1=1 --'),
        ("%_\\", "%_\\"),
        ("\u202eevil\u202c", "\u202eevil\u202c"),  # bidi override: stored as sent
    ],
)
def test_sql_and_bidi_metacharacters_are_stored_literally(
    client: FlaskClient, survey: Any, db: Database, raw: str, expected: str
) -> None:
    response = client.post(
        FORM,
        data={"_token": open_form(client), **_with(comment=raw)},
        headers={"Origin": APP_ORIGIN},
    )
    assert response.status_code == 303
    assert stored_text(db, "comment") == expected


def test_invalid_utf8_is_not_stored_as_bytes(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    body = f"_token={open_form(client)}&access_overall=4&visited=no&comment=%FF%FEab%ED%A0%80"
    response = client.post(
        FORM,
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"Origin": APP_ORIGIN},
    )
    assert response.status_code in (303, 400, 422)
    text = stored_text(db, "comment")
    if response.status_code == 303:
        assert text is not None
        text.encode("utf-8")  # no lone surrogate or raw byte made it into the database
    else:
        assert count(db) == 0


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)"],
)
def test_xss_payloads_are_escaped_when_the_form_comes_back(
    client: FlaskClient, survey: Any, db: Database, payload: str
) -> None:
    answers = _with(occupation=payload[:40], comment=payload, access_overall="9")
    response = client.post(
        FORM, data={"_token": open_form(client), **answers}, headers={"Origin": APP_ORIGIN}
    )
    assert response.status_code == 422
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    assert count(db) == 0


def test_multipart_bomb_is_refused(
    app: Flask, client: FlaskClient, survey: Any, db: Database
) -> None:
    token = open_form(client)
    # Thousands of tiny parts well under the byte limit: werkzeug's part limit answers 413.
    fields = [("_token", token), *((f"f{i}", "x") for i in range(5000))]
    body = b"".join(
        f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    )
    response = client.post(
        FORM,
        data=body + b"--b--\r\n",
        content_type="multipart/form-data; boundary=b",
        headers={"Origin": APP_ORIGIN},
    )
    assert response.status_code == 413
    assert count(db) == 0


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PUT", FORM, 405),
        ("DELETE", FORM, 405),
        ("PATCH", "/api/v1/responses", 405),
        ("GET", "/api/v1/responses", 405),
        ("POST", "/embed.js", 405),
        ("POST", f"/q/{SLUG}/thanks/ABC", 405),
    ],
)
def test_wrong_methods_are_405(
    client: FlaskClient, survey: Any, db: Database, method: str, path: str, status: int
) -> None:
    response = client.open(path, method=method, headers={"Origin": APP_ORIGIN})
    assert response.status_code == status
    assert "Allow" in response.headers
    assert count(db) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/q/..%2F..%2Fetc%2Fpasswd",
        "/q/../../etc/passwd",
        f"/q/{SLUG}?agency=..%2F..%2Fetc",
        f"/q/{SLUG}/thanks/..%2F..%2Fetc%2Fpasswd",
        "/static/..%2F..%2Fsurveyapp%2Fconfig.py",
        "/api/v1/questionnaires/..%2Fsipas",
    ],
)
def test_dot_dot_in_paths_finds_nothing(client: FlaskClient, survey: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "SECRET" not in response.text and "root:" not in response.text


@pytest.mark.parametrize("lang", ["../../etc/passwd", "en/../../x", "%00", "vi\x00en"])
def test_dot_dot_in_the_language_parameter_falls_back(
    client: FlaskClient, survey: Any, lang: str
) -> None:
    response = client.get(f"{FORM}&{urlencode({'lang': lang})}")
    assert response.status_code == 200
    assert 'lang="vi"' in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/reports/agency/..%2F..%2Fetc%2Fpasswd",
        "/reports/..%2Fsecret_key",
        "/dashboard/agency/..%2FQ1",
    ],
)
def test_report_paths_need_a_session_before_anything(
    client: FlaskClient, survey: Any, path: str
) -> None:
    response = client.get(path)
    assert response.status_code in (302, 401, 404)
    assert "root:" not in response.text


# -- the JSON API --------------------------------------------------------------------------


def _api_token(client: FlaskClient) -> str:
    body = client.get(f"/api/v1/questionnaires/{SLUG}?agency={AGENCY}").get_json()
    return str(body["token"])


def _api(client: FlaskClient, body: Any, **headers: str) -> Any:
    return client.post("/api/v1/responses", json=body, headers=headers)


def _raw(client: FlaskClient, data: bytes | str, content_type: str, **headers: str) -> Any:
    return client.post("/api/v1/responses", data=data, content_type=content_type, headers=headers)


API_ANSWER_ROWS = {
    "NaN literal": '{"access_overall": 4, "visited": "yes", "visits": NaN}',
    "Infinity literal": '{"access_overall": 4, "visited": "yes", "visits": Infinity}',
    "1e309": '{"access_overall": 4, "visited": "yes", "visits": 1e309}',
    "likert 4.5": '{"access_overall": 4.5, "visited": "no"}',
    "likert as true": '{"access_overall": true, "visited": "no"}',
    "single choice as a list": '{"access_overall": 4, "visited": ["yes", "no"]}',
    "single choice as an object": '{"access_overall": 4, "visited": {"$ne": "x"}}',
    "unknown question": '{"access_overall": 4, "visited": "no", "agency_id": 2}',
    "lone surrogate": '{"access_overall": 4, "visited": "no", "comment": "a\\ud800b"}',
    "NUL escape": '{"access_overall": 4, "visited": "no", "comment": "a\\u0000b"}',
    "huge integer": '{"access_overall": 4, "visited": "yes", "visits": 1' + "0" * 5000 + "}",
}


@pytest.mark.parametrize("answers", API_ANSWER_ROWS.values(), ids=API_ANSWER_ROWS.keys())
def test_hostile_api_answers_are_422(
    client: FlaskClient, survey: Any, db: Database, answers: str
) -> None:
    body = f'{{"questionnaire": "{SLUG}", "token": "{_api_token(client)}", "answers": {answers}}}'
    response = _raw(client, body, "application/json")
    assert response.status_code in (400, 422), response.text[:300]
    assert response.is_json
    assert count(db) == 0


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", '{"questionnaire": "every-type"}', 415),
        ("application/x-www-form-urlencoded", "questionnaire=every-type", 415),
        ("multipart/form-data; boundary=x", "--x--", 415),
        ("application/json", "[1, 2]", 400),
        ("application/json", '"string"', 400),
        ("application/json", "{not json", 400),
        ("application/json", b"\xff\xfe{}", 400),
        ("application/json", '{"questionnaire": 5, "token": "x"}', 400),
        ("application/json", '{"questionnaire": "every-type", "token": ["x"]}', 400),
    ],
)
def test_api_content_types_and_shapes(
    client: FlaskClient, survey: Any, db: Database, content_type: str, body: Any, status: int
) -> None:
    response = _raw(client, body, content_type)
    assert response.status_code == status
    assert response.is_json
    assert count(db) == 0


@pytest.mark.parametrize(
    ("origin", "status"),
    [("null", 403), (AGENCY_ORIGIN + ".evil.example", 403), ("https://evil.example", 403)],
)
def test_api_refuses_null_and_look_alike_origins(
    client: FlaskClient, survey: Any, db: Database, origin: str, status: int
) -> None:
    body = {"questionnaire": SLUG, "token": _api_token(client), "answers": API_ANSWERS}
    response = _api(client, body, Origin=origin)
    assert response.status_code == status
    assert "Access-Control-Allow-Origin" not in response.headers
    assert count(db) == 0


def test_api_ignores_extra_top_level_fields(client: FlaskClient, survey: Any, db: Database) -> None:
    body = {
        "questionnaire": SLUG,
        "token": _api_token(client),
        "answers": API_ANSWERS,
        "agency_id": 999,
        "status": "accepted",
        "channel": "paper",
    }
    response = _api(client, body, Origin=AGENCY_ORIGIN)
    assert response.status_code == 201
    with db.session() as session:
        row = session.execute(select(Response.channel, Response.status)).one()
    assert (row.channel, row.status) == ("api", "accepted")


def test_api_foreign_token_is_422(client: FlaskClient, survey: Any, db: Database) -> None:
    body = {
        "questionnaire": SLUG,
        "token": issue_token("another-installation-key", 1, 1),
        "answers": API_ANSWERS,
    }
    assert _api(client, body).status_code == 422
    assert count(db) == 0
