"""A one-language questionnaire in Chromium: its language, no language switch, answered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from surveyapp.db import Database
from surveyapp.models import Questionnaire, QuestionnaireVersion, Response
from surveyapp.services.questionnaires import load_files
from tests.browser.conftest import Site
from tests.browser.test_browser import TIMEOUT
from tests.public.test_one_language import definition


def test_an_english_only_form_has_no_switch_and_is_answered(
    site: Site, browser: Any, tmp_path: Path
) -> None:
    path = tmp_path / "library-en.yaml"
    path.write_text(definition("en"), encoding="utf-8")
    database = Database(site.engine)
    with database.write() as session:
        load_files(session, [path])
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(f"{site.app_url}/q/library-en?agency=Q1&lang=vi")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator(".lang").count() == 0  # no language switch
        page.get_by_text("How satisfied were you with the reading room?").wait_for()
        page.get_by_label("Very happy").check()
        page.get_by_label("Borrow books").check()
        page.get_by_role("button", name="Send answers").click()
        page.wait_for_url("**/thanks/**")
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        context.close()
    with database.session() as session:
        count = session.scalar(
            select(func.count(Response.id))
            .join(
                QuestionnaireVersion, QuestionnaireVersion.id == Response.questionnaire_version_id
            )
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .where(Questionnaire.slug == "library-en", Response.status == "accepted")
        )
    assert count == 1
