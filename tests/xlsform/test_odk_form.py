"""A typical English-only ODK form converts with notes, loads and is answered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Answer, Response
from tests.public.conftest import token_of
from tests.xlsform.conftest import MakeForm

# As ODK's and KoboToolbox's sample forms are written: plain English labels, metadata,
# calculations, constraints with messages, nested groups with conditions, a note.
SURVEY = [
    ["type", "name", "label", "hint", "required", "relevant", "constraint",
     "constraint_message", "calculation", "appearance"],
    ["start", "start"],
    ["end", "end"],
    ["today", "today"],
    ["deviceid", "deviceid"],
    ["username", "username"],
    ["note", "welcome", "Thank you for taking part in this survey."],
    ["begin group", "respondent", "About you"],
    ["integer", "age", "How old are you?", "In years", "yes", None, ". >= 18 and . <= 120",
     "You must be an adult"],
    ["select_one gender", "gender", "Gender", None, "yes"],
    ["calculate", "age_group", None, None, None, None, None, None,
     "if(${age} < 30, 'young', 'older')"],
    ["end group"],
    ["begin group", "visit", "Your visit"],
    ["select_one yes_no", "visited", "Did you visit the office this year?", None, "yes"],
    ["begin group", "details", "Visit details", None, None, "${visited} = 'yes'"],
    ["select_multiple services", "services", "Which services did you use?", None, "yes"],
    ["integer", "wait", "How many minutes did you wait?", None, None,
     "selected(${services}, 'permit')", ". >= 0 and . <= 600"],
    ["select_one rating", "satisfaction", "How satisfied were you?", None, "yes"],
    ["text", "reason", "Why were you unsatisfied?", None, None,
     "${satisfaction} = '1' or ${satisfaction} = '2'", "string-length(.) <= 300", None, None,
     "multiline"],
    ["geopoint", "office_location", "Record the office location"],
    ["end group"],
    ["end group"],
    ["text", "comments", "Any other comments?", None, None, None, "regex(., '^.{0,500}$')"],
    ["calculate", "done", None, None, None, None, None, None, "'yes'"],
]  # fmt: skip
CHOICES = [
    ["list_name", "name", "label"],
    ["gender", "female", "Female"],
    ["gender", "male", "Male"],
    ["gender", "other", "Other"],
    ["yes_no", "yes", "Yes"],
    ["yes_no", "no", "No"],
    ["services", "permit", "Building permit"],
    ["services", "land", "Land registration"],
    ["services", "business", "Business licence"],
    *[["rating", str(n), label] for n, label in enumerate(
        ["Very unsatisfied", "Unsatisfied", "Neutral", "Satisfied", "Very satisfied"], 1)],
]  # fmt: skip
SETTINGS = [["form_title", "form_id", "version"], ["Office visit survey", "office_visit", "1"]]


def test_an_english_odk_form_converts_loads_and_is_answered(
    make_form: MakeForm, tmp_path: Path, cli: Any, app: Flask, client: FlaskClient, db: Database
) -> None:
    source = make_form(SURVEY, CHOICES, SETTINGS, name="office_visit.xlsx")
    out = tmp_path / "office-visit.yaml"
    result = cli("questionnaires", "import-xlsform", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if ": note: " in line]
    for expected in (
        "survey!A2: note: start 'start' is dropped",
        "survey!A11: note: calculate 'age_group' is dropped: the respondent never sees it",
        "survey!A7: note: note 'welcome' is shown as text above the questions after it",
        "survey!G23: note: constraint 'regex(., '^.{0,500}$')' is not carried over",
        "survey!A20: note: geopoint 'office_location' is dropped",
        "survey!C1: note: the plain 'label' texts are taken as English (en)",
    ):
        assert any(expected in line for line in notes), (expected, notes)
    text = out.read_text(encoding="utf-8")
    assert "languages:\n- en\n" in text

    loaded = cli("questionnaires", "load", str(out))
    assert loaded.exit_code == 0, loaded.output
    added = cli(
        "agencies", "add", "OFF", "--name-vi", "Văn phòng", "--name-en", "Office",
        "--kind", "department",
    )  # fmt: skip
    assert added.exit_code == 0, added.output

    page = client.get("/q/office-visit?agency=OFF")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="en"' in html and 'name="_switch"' not in html
    assert "Thank you for taking part in this survey." in html
    assert "How many minutes did you wait?" in html
    # The constraint became bounds the form checks: a child is refused, nothing stored.
    answers = {
        "age": "12", "gender": "female", "visited": "yes", "services": ["permit", "land"],
        "wait": "45", "satisfaction": "v2", "reason": "Too slow.", "comments": "None.",
    }  # fmt: skip
    app.config["MIN_FILL_SECONDS"] = 0
    refused = client.post(
        "/q/office-visit?agency=OFF",
        data={"_token": token_of(html), **answers},
        headers={"Origin": "http://localhost"},
    )
    assert refused.status_code == 422
    assert "Enter a number of at least 18." in refused.text  # in English: the form's language
    answers["age"] = "34"
    sent = client.post(
        "/q/office-visit?agency=OFF",
        data={"_token": token_of(refused.text), **answers},
        headers={"Origin": "http://localhost"},
    )
    assert sent.status_code == 303, sent.text[:1000]
    with db.session() as session:
        [response] = session.scalars(select(Response)).all()
        stored = {
            a.question_key: a.value_num if a.value_num is not None else a.value_text
            for a in session.scalars(select(Answer).where(Answer.response_id == response.id))
        }
        assert response.status == "accepted"
    assert stored["age"] == 34 and stored["wait"] == 45
    assert stored["gender"] == "female" and stored["reason"] == "Too slow."
