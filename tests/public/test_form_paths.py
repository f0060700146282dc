"""The public form's ways on and back over HTTP: language switch, error links, dead ends."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.forms.builder import error_text
from surveyapp.models import Response
from tests.public.conftest import AGENCY, SLUG, VALID, open_form, post_form


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(app: Flask) -> None:
    app.config["MIN_FILL_SECONDS"] = 0


def count_responses(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Response)) or 0)


@pytest.mark.parametrize(
    ("label", "line"),
    [
        ("Ông/Bà thực hiện thủ tục với tư cách là:", "Ông/Bà thực hiện thủ tục với tư cách là: M"),
        ("Độ tuổi của Ông/Bà: ", "Độ tuổi của Ông/Bà: M"),
        ("Độ tuổi\uff1a", "Độ tuổi: M"),  # full-width colon
        ("Tên thủ tục ::", "Tên thủ tục: M"),
        ("Nghề nghiệp", "Nghề nghiệp: M"),
        ("Ông/Bà đã nộp hồ sơ bằng hình thức nào?", "Ông/Bà đã nộp hồ sơ bằng hình thức nào? M"),
        ("Nơi ngồi chờ có đủ chỗ ngồi.", "Nơi ngồi chờ có đủ chỗ ngồi. M"),
    ],
)
def test_an_error_summary_line_has_one_separator(label: str, line: str) -> None:
    assert error_text(label, "M") == line


def test_error_links_go_to_the_questions_blocks(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    answers = {**VALID, "access_overall": "", "staff_polite": "9", "visits": "25"}
    html = post_form(client, open_form(client), answers).text
    summary = html[html.index('id="err-sum"') : html.index("<form")]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets == ["b-access_overall", "b-staff_polite", "b-visits"]
    for target in targets:
        # a fieldset (with its legend) or a div (with its label) holding the message
        block = re.search(rf'<(fieldset|div) class="[^"]*\bbad\b[^"]*" id="{target}"', html)
        assert block, target
    assert "::" not in summary
    portal = post_form(client, open_form(client, ""), query="")
    assert 'href="#b-agency"' in portal.text and 'id="b-agency"' in portal.text


def test_the_language_switch_shows_the_answers_in_the_other_language_and_stores_nothing(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    page = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    # a submit button of the form (so it works without JavaScript), after the default one
    switch = re.search(r'<button type="submit" form="f" class="lang" formaction="([^"]+)"', page)
    assert switch and switch.group(1) == f"/q/{SLUG}?agency={AGENCY}&amp;lang=en"
    assert page.index('class="hp" tabindex="-1"') < page.index('class="lang"')
    token = open_form(client)
    partial = {"access_overall": "4", "visited": "yes", "visits": "3", "comment": "Tốt."}
    response = post_form(
        client, token, partial, query=f"agency={AGENCY}&lang=en", extra={"_switch": "1"}
    )
    assert response.status_code == 200
    html = response.text
    assert '<html lang="en"' in html and "Send answers" in html
    assert 'id="err-sum"' not in html and "Error:" not in html
    assert re.search(r'<input checked id="q-access_overall-3"', html)
    assert 'value="3"' in html and "Tốt." in html
    assert token in html  # the same form goes on (its fill time too)
    assert 'data-posted="1"' in html  # form.js makes its history entry a GET one
    assert count_responses(db) == 0
    assert "data-posted" not in client.get(f"/q/{SLUG}?agency={AGENCY}").text


def test_an_unknown_agency_links_to_the_portal_form(client: FlaskClient, survey: Any) -> None:
    for query, portal in (
        ("agency=NOPE", f"/q/{SLUG}"),
        ("agency=NOPE&lang=en", f"/q/{SLUG}?lang=en"),
    ):
        response = client.get(f"/q/{SLUG}?{query}")
        assert response.status_code == 404
        assert f'href="{portal}"' in response.text
    assert "Không tìm thấy cơ quan" in client.get(f"/q/{SLUG}?agency=NOPE").text
    unknown = client.get("/q/nope?agency=NOPE")
    assert unknown.status_code == 404 and 'href="/q/nope"' not in unknown.text


def test_the_favicon_is_a_small_cached_icon(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # ICONDIR: reserved 0, type 1 (icon)
        assert len(response.data) < 4096
        assert response.headers["Cache-Control"] == "public, max-age=86400"
