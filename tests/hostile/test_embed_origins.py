"""Embed origins (issue 13.5): only a plain ``scheme://host[:port]`` is accepted.

An origin is written into ``Content-Security-Policy: frame-ancestors`` and
``Access-Control-Allow-Origin``. ``https://cơquan.vn`` made every public page of
its agency a gunicorn 500 (a header value that is not Latin-1) and
``https://a.example;script-src`` was copied into the CSP as a directive.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency, AgencyOrigin
from surveyapp.origins import OriginError, normalise_origin
from tests.admin.conftest import csrf, flashes, signed_in
from tests.auth.conftest import Staff, staff

__all__ = ["staff"]

#: CSP Level 3 host-source with a scheme (no wildcard, no path), as this app lists them.
CSP_SOURCE = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"(?::[0-9]{1,5})?"
)
#: A header value any server sends as is: visible ASCII and spaces only.
HEADER_VALUE = re.compile(r"[\x20-\x7e]*")

HOSTILE = [
    "https://a.example;script-src",
    "https://a.example; script-src 'unsafe-inline'",
    "https://a.example'",
    "https://'unsafe-inline'",
    "https://a.example\x00",
    "https://a\x00b.example",
    "https://a.example,https://b.example",
    "https://a.example\r\nSet-Cookie: x=1",
    "https://a_b.example",
    "https://a.example:0",
    "https://a.example:",
    "https://a.example:+80",
    "https://%61.example",
    "https://a.example\\x",
    "https://a.example.",
    "https://1.2.3",
    "https://256.1.1.1",
    "https://[::1]",
    "https://xn--zz.vn",
    "https://-a.example",
    "https://a..example",
    "https://" + "a" * 64 + ".example",
    "https://💩.example",
]


@given(st.text(max_size=60))
@example("https://cơquan.vn")
@example("https://Ⓐ.example")
@settings(max_examples=400, deadline=None)
def test_whatever_is_accepted_is_a_header_value_and_a_csp_source(text: str) -> None:
    for candidate in (text, f"https://{text}", f"http://{text}.vn:8080"):
        try:
            origin = normalise_origin(candidate)
        except OriginError as exc:
            assert str(exc)  # a message for a person, never another exception
            continue
        assert CSP_SOURCE.fullmatch(origin), (candidate, origin)
        assert HEADER_VALUE.fullmatch(origin), (candidate, origin)
        assert normalise_origin(origin) == origin  # canonical: stored and compared as is


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_origins_are_refused_with_a_message_naming_them(value: str) -> None:
    with pytest.raises(OriginError) as refused:
        normalise_origin(value)
    assert repr(value)[:40] in str(refused.value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("https://cơquan.vn", "https://xn--cquan-uob.vn"),
        ("https://CƠQUAN.vn:443/", "https://xn--cquan-uob.vn"),
        (
            "http://ủybannhândân.quận1.vn:8080",
            "http://xn--ybannhndn-g2ac4233g.xn--qun1-ws5a.vn:8080",
        ),
        # UTS #46 without transitional mapping, as browsers send it (not IDNA 2003's "fass")
        ("https://faß.de", "https://xn--fa-hia.de"),
        ("https://xn--cquan-uob.vn", "https://xn--cquan-uob.vn"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
def test_internationalised_names_are_stored_in_punycode(value: str, stored: str) -> None:
    assert normalise_origin(value) == stored


def _agency_with_raw_origins(db: Database, code: str, origins: list[str]) -> None:
    """Store origins as an older version did: without any check."""
    with db.write() as session:
        agency = Agency(code=code, name_vi="Cơ quan", name_en="Agency", kind="other")
        agency.origins.extend(AgencyOrigin(origin=o) for o in origins)
        session.add(agency)


def _check_headers(response: Any) -> str:
    for name, value in response.headers.items():
        assert HEADER_VALUE.fullmatch(value), (name, value)
    csp = response.headers["Content-Security-Policy"]
    directives = [d.strip() for d in csp.split(";")]
    ancestors = [d for d in directives if d.startswith("frame-ancestors")]
    assert len(ancestors) == 1, csp
    assert [d for d in directives if d.startswith("script-src")] == ["script-src 'self'"], csp
    sources = ancestors[0].split()[1:]
    assert sources == ["'none'"] or all(CSP_SOURCE.fullmatch(s) for s in sources), csp
    return ancestors[0]


def test_origins_stored_badly_never_break_a_public_page(
    app: Flask, db: Database, survey: dict[str, str]
) -> None:
    bad = [
        "https://cơquan.vn",
        "https://a.example;script-src 'unsafe-inline'",
        "https://b.example'",
        "https://c.example\r\nX-Injected: 1",
    ]
    _agency_with_raw_origins(db, "IDN", bad)
    client = app.test_client()
    for path in (f"/q/{survey['slug']}?agency=IDN", f"/q/{survey['slug']}?agency=IDN&lang=en"):
        response = client.get(path)
        assert response.status_code == 200, response.text[:300]
        ancestors = _check_headers(response)
        # the Unicode name still works, converted as browsers convert it
        assert ancestors == "frame-ancestors https://xn--cquan-uob.vn"
    preflight = client.options(
        "/api/v1/responses",
        headers={"Origin": "https://a.example;script-src 'unsafe-inline'"},
    )
    _check_headers(preflight)
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_the_cli_stores_punycode_and_says_so(cli: Any, db: Database) -> None:
    added = cli(
        "agencies",
        "add",
        "IDN",
        "--name-vi",
        "Cơ quan",
        "--name-en",
        "Agency",
        "--kind",
        "other",
        "--origin",
        "https://cơquan.vn",
    )
    assert added.exit_code == 0, added.output
    assert "https://xn--cquan-uob.vn (https://cơquan.vn)" in added.output
    refused = cli("agencies", "set-origins", "IDN", "https://a.example;script-src")
    assert refused.exit_code != 0
    assert "'https://a.example;script-src'" in refused.output
    listed = cli("agencies", "list")
    assert "https://xn--cquan-uob.vn" in listed.output and ";" not in listed.output


def test_the_console_stores_punycode_and_shows_it(app: Flask, db: Database, staff: Staff) -> None:
    admin = signed_in(app, staff.admin)
    base = {"code": "IDN", "name_vi": "Cơ quan", "name_en": "Agency", "kind": "other"}
    refused = admin.post(
        "/admin/agencies",
        data={
            **base,
            "origins": "https://a.example;script-src",
            "csrf_token": csrf(admin, "/admin/agencies"),
        },
    )
    assert refused.status_code == 422
    assert "&#39;https://a.example;script-src&#39;" in refused.text or (
        "'https://a.example;script-src'" in refused.text
    )
    added = admin.post(
        "/admin/agencies",
        data={**base, "origins": "https://cơquan.vn", "csrf_token": csrf(admin, "/admin/agencies")},
    )
    assert added.status_code == 303
    shown = flashes(admin, "/admin/agencies")
    assert "https://cơquan.vn" in shown and "https://xn--cquan-uob.vn" in shown
    with db.session() as session:
        stored = session.scalars(
            select(AgencyOrigin.origin).join(Agency).where(Agency.code == "IDN")
        ).all()
    assert stored == ["https://xn--cquan-uob.vn"]
    edit = flashes(admin, "/admin/agencies/IDN")
    assert "https://xn--cquan-uob.vn" in edit
