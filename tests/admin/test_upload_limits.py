"""Console uploads take files up to their own limits, above the respondents' body limit."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from surveyapp.admin.agencies import CSV_LIMIT
from surveyapp.admin.agency_pages import CODES_LIMIT
from surveyapp.db import Database
from surveyapp.models import Agency, DossierCode
from tests.admin.conftest import OWN, Staff, csrf, flashes, signed_in


def post_file(client: FlaskClient, url: str, token: str, content: bytes, name: str) -> Any:
    data = {"csrf_token": token, "file": FileStorage(io.BytesIO(content), name)}
    # Encoded in memory: the test client spools bodies over 500 KB to a file it never closes.
    stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(
        url,
        input_stream=stream,
        content_length=length,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def count(db: Database, model: type[Any]) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_agency_csv_larger_than_the_form_limit_is_imported(
    app: Flask, db: Database, staff: Staff
) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] < CSV_LIMIT
    client = signed_in(app, staff.admin)
    token = csrf(client, "/admin/agencies")
    rows = [f"X{n:04d},Cơ quan {n} {'x' * 150},Agency {n},other," for n in range(2500)]
    text = "code,name_vi,name_en,kind,origins\n" + "\n".join(rows) + "\n"
    body = text.encode()
    assert app.config["MAX_CONTENT_LENGTH"] < len(body) < CSV_LIMIT
    before = count(db, Agency)
    sent = post_file(client, "/admin/agencies/import", token, body, "agencies.csv")
    assert sent.status_code == 303, sent.text[:300]
    assert "2500 added" in flashes(client, "/admin/agencies")
    assert count(db, Agency) == before + 2500


def test_an_agency_csv_over_its_limit_is_refused_by_name_and_nothing_imported(
    app: Flask, db: Database, staff: Staff
) -> None:
    client = signed_in(app, staff.admin)
    token = csrf(client, "/admin/agencies")
    before = count(db, Agency)
    sent = post_file(client, "/admin/agencies/import", token, b"x" * (CSV_LIMIT + 70_000), "a.csv")
    assert sent.status_code == 303
    assert "file: the file is larger than 1024 KiB" in flashes(client, "/admin/agencies")
    assert count(db, Agency) == before


def test_dossier_codes_over_the_form_limit_load_and_over_their_own_are_refused(
    app: Flask, db: Database, staff: Staff
) -> None:
    client = signed_in(app, staff.own)
    url = f"/admin/agencies/{OWN}/dossiers"
    token = csrf(client, url)
    codes = "code\n" + "\n".join(f"HS-{n:07d}" for n in range(40_000)) + "\n"
    assert app.config["MAX_CONTENT_LENGTH"] < len(codes) < CODES_LIMIT
    loaded = post_file(client, f"{url}/upload", token, codes.encode(), "codes.csv")
    assert loaded.status_code == 303
    assert "Loaded: <strong>40000</strong>" in flashes(client, url)
    too_big = post_file(client, f"{url}/upload", token, b"x" * (CODES_LIMIT + 70_000), "c.csv")
    assert too_big.status_code == 303
    assert "file: the file is larger than 2 MiB" in flashes(client, url)
    assert count(db, DossierCode) == 40_000


def test_other_staff_forms_keep_the_configured_body_limit(app: Flask, staff: Staff) -> None:
    client = signed_in(app, staff.admin)
    token = csrf(client, "/admin/agencies")
    big = {"csrf_token": token, "code": "Q9", "name_vi": "x" * (300 * 1024)}
    assert client.post("/admin/agencies", data=big).status_code == 413
