"""Questionnaire previews in the console are HTML pages with the staff pages' headers."""

from __future__ import annotations

from flask import Flask
from werkzeug.test import TestResponse

from surveyapp.security import DEFAULT_CSP
from tests.admin.conftest import QUESTIONNAIRES, Staff, csrf, signed_in


def _is_a_staff_html_page(response: TestResponse) -> None:
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "text/html", response.content_type
    assert response.mimetype_params.get("charset") == "utf-8"
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    headers = response.headers
    assert headers["Content-Security-Policy"] == DEFAULT_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"


def test_stored_versions_preview_as_html(app: Flask, sipas: str, staff: Staff) -> None:
    client = signed_in(app, staff.admin)
    for query in ("", "?lang=en", "?agency=Q1", "?agency=Q1&lang=en"):
        _is_a_staff_html_page(client.get(f"/admin/questionnaires/{sipas}/v1/preview{query}"))


def test_drafts_preview_as_html(app: Flask, staff: Staff) -> None:
    client = signed_in(app, staff.admin)
    source = (QUESTIONNAIRES / "a11-cx.yaml").read_text(encoding="utf-8")
    form = {"csrf_token": csrf(client, "/admin/questionnaires"), "filename": "a11-cx.yaml"}
    for lang in ("vi", "en"):
        response = client.post(
            "/admin/questionnaires/preview", data={**form, "source": source, "lang": lang}
        )
        _is_a_staff_html_page(response)
