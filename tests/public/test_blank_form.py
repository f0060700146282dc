"""The rendered questions of a blank form are reused; everything personal is not."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.public import blank_form
from tests.public.conftest import AGENCY, OTHER, SLUG, VALID, post_form, token_of


@pytest.fixture(autouse=True)
def _fresh_cache(app: Flask) -> None:
    app.config["MIN_FILL_SECONDS"] = 0
    blank_form.clear()


def _without_token(html: str) -> str:
    return html.replace(token_of(html), "TOKEN")


def test_second_blank_form_is_the_same_page_with_its_own_token(
    client: FlaskClient, survey: Any
) -> None:
    first = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    second = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    assert token_of(first) != token_of(second)
    assert _without_token(first) == _without_token(second)


def test_cached_questions_follow_the_language(client: FlaskClient, survey: Any) -> None:
    vi = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    en = client.get(f"/q/{SLUG}?agency={AGENCY}&lang=en").text
    vi_again = client.get(f"/q/{SLUG}?agency={AGENCY}&lang=vi").text
    assert "(required)" in en and "(required)" not in vi
    assert "(bắt buộc)" in vi_again and "(bắt buộc)" not in en


def test_another_agency_gets_its_own_name_around_the_same_questions(
    client: FlaskClient, survey: Any
) -> None:
    q1 = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    other = client.get(f"/q/{SLUG}?agency={OTHER}").text
    assert "Ủy ban nhân dân Quận 1" in q1 and "Ủy ban nhân dân Quận 1" not in other
    assert "Sở Nội vụ" in other


def test_form_shown_again_keeps_answers_and_errors_and_never_enters_the_cache(
    client: FlaskClient, survey: Any
) -> None:
    blank = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    answers = dict(VALID, recommend="11", occupation="Người nộp hồ sơ 42")
    again = post_form(client, token_of(blank), answers)
    assert again.status_code == 422
    assert "Người nộp hồ sơ 42" in again.text
    assert 'aria-invalid="true"' in again.text or 'class="err"' in again.text
    after = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    assert "Người nộp hồ sơ 42" not in after
    assert 'class="err"' not in after
    assert _without_token(after) == _without_token(blank)


def test_cache_is_bounded_and_drops_the_oldest(app: Flask) -> None:
    with app.test_request_context("/"):
        for n in range(blank_form.MAX_ENTRIES + 3):
            blank_form.blank_sections(f"hash{n}", "vi", list)
        assert blank_form.cached_count() == blank_form.MAX_ENTRIES
        calls: list[int] = []

        def layout() -> list[Any]:
            calls.append(1)
            return []

        blank_form.blank_sections(f"hash{blank_form.MAX_ENTRIES + 2}", "vi", layout)
        assert calls == []  # still cached
        blank_form.blank_sections("hash0", "vi", layout)
        assert calls == [1]  # dropped, rendered again


def test_prebuilt_page_follows_a_change_of_the_agency_at_once(
    client: FlaskClient, db: Any, survey: Any
) -> None:
    from surveyapp.services.agencies import get_agency, set_origins

    before = client.get(f"/q/{SLUG}?agency={AGENCY}")
    with db.write() as session:
        get_agency(session, AGENCY).name_vi = "Ủy ban nhân dân Quận Một"
        set_origins(session, AGENCY, ["https://mot.example.vn"])
    after = client.get(f"/q/{SLUG}?agency={AGENCY}")
    assert "Ủy ban nhân dân Quận Một" in after.text
    assert "Ủy ban nhân dân Quận Một" not in before.text
    assert "https://mot.example.vn" in after.headers["Content-Security-Policy"]
    assert "https://mot.example.vn" not in before.headers["Content-Security-Policy"]


def test_prebuilt_pages_differ_by_query_and_are_bounded(client: FlaskClient, survey: Any) -> None:
    plain = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    embedded = client.get(f"/q/{SLUG}?agency={AGENCY}&embed=1").text
    assert 'class="pub embed"' in embedded and 'class="pub embed"' not in plain
    for n in range(blank_form.MAX_PAGES + 5):
        client.get(f"/q/{SLUG}?agency={AGENCY}&x={n}")
    assert len(blank_form._pages) <= blank_form.MAX_PAGES
    assert blank_form.TOKEN_MARK not in client.get(f"/q/{SLUG}?agency={AGENCY}&x=0").text
