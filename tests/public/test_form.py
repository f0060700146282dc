"""The public form over HTTP: rendering, languages, 422 with kept answers, storing, receipts."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from surveyapp.db import Database
from surveyapp.models import (
    Agency,
    Answer,
    QuestionnaireVersion,
    ReportAggregate,
    Response,
    UnfoldedResponse,
    utcnow,
)
from surveyapp.reporting.extract import local_month
from surveyapp.services import report_folding
from tests.public.conftest import AGENCY, SLUG, VALID, open_form, post_form


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(app: Flask) -> None:
    app.config["MIN_FILL_SECONDS"] = 0


def count_responses(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Response)) or 0)


def stored(db: Database, receipt: str) -> tuple[Response, dict[str, Answer]]:
    with db.session() as session:
        response = session.scalars(
            select(Response)
            .where(Response.receipt_code == receipt)
            .options(selectinload(Response.agency))
        ).one()
        answers = {
            a.question_key: a
            for a in session.scalars(select(Answer).where(Answer.response_id == response.id))
        }
        return response, answers


def receipt_of(location: str) -> str:
    found = re.search(r"/thanks/([0-9A-Z-]+)", location)
    assert found, location
    return found.group(1)


def test_form_renders_every_type_in_vietnamese_by_default(client: FlaskClient, survey: Any) -> None:
    page = client.get(f"/q/{SLUG}?agency={AGENCY}")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="vi"' in html
    assert "Gửi phiếu" in html and "Send answers" not in html
    # likert and single choice: fieldset/legend radio groups
    assert re.search(r'<fieldset class="q scale" id="b-access_overall">\s*<legend>', html)
    assert 'name="access_overall" type="radio" value="5"' in html
    # the grid: one fieldset per row, "not applicable" offered, column headers hidden from AT
    assert html.count('<fieldset class="gr" id="b-staff_') == 2
    assert 'name="staff_helpful" type="radio" value="na"' in html
    assert '<div class="gh" aria-hidden="true">' in html
    assert 'name="channels" type="checkbox" value="desk"' in html
    assert 'name="visit_date" pattern="\\d{4}-\\d{2}-\\d{2}" type="date"' in html
    assert html.count('name="recommend" type="radio"') == 11
    assert 'maxlength="40" name="occupation" type="text"' in html
    assert re.search(r"<textarea[^>]*name=\"comment\"", html)
    # every control has a label
    for control_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', html):
        if control_id in ("_token",):
            continue
        assert f'for="{control_id}"' in html, control_id


def test_english_by_query_and_a_visible_switch(client: FlaskClient, survey: Any) -> None:
    vi = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    assert re.search(
        r'<button [^>]*class="lang" formaction="[^"]*lang=en"[^>]*>English</button>', vi
    )
    en = client.get(f"/q/{SLUG}?agency={AGENCY}&lang=en").text
    assert '<html lang="en"' in en
    assert "Send answers" in en and "Satisfaction with access to the service" in en
    assert "Tiếng Việt" in en


def test_show_if_question_stays_visible_with_a_note_without_js(
    client: FlaskClient, survey: Any
) -> None:
    html = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    block = re.search(r'<div class="q" id="b-visits"[^>]*>', html)
    assert block and 'data-show-if="visited"' in block.group(0)
    assert "hidden" not in block.group(0)
    assert (
        "Chỉ trả lời câu này nếu ở câu “Ông/bà đã đến trực tiếp cơ quan?” ông/bà đã chọn “Có”."
        in html
    )


def test_valid_submission_is_stored_with_all_answers_then_receipt(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    response = post_form(client, open_form(client))
    assert response.status_code == 303
    receipt = receipt_of(response.headers["Location"])
    row, answers = stored(db, receipt)
    assert row.status == "accepted" and row.channel == "web" and row.agency.code == AGENCY
    assert set(answers) == set(VALID)
    assert answers["access_overall"].value_num == 4
    assert answers["staff_helpful"].is_na
    assert answers["channels"].value_text == "web;desk"
    assert answers["visits"].value_num == 2
    assert answers["comment"].value_text == "Nhanh chóng, thân thiện."
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert receipt in page.text and "Cảm ơn" in page.text


def test_submissions_reach_the_report_aggregates_in_batches(
    client: FlaskClient, survey: Any, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_folding, "FOLD_EVERY", 2)
    monkeypatch.setattr(report_folding, "_stored", iter(range(1, 100)))
    for waiting_after in (1, 0):
        token = open_form(client)
        assert post_form(client, token).status_code == 303
        assert post_form(client, token).status_code == 303  # a replay stores nothing
        with db.session() as session:
            waiting = session.scalar(select(func.count(UnfoldedResponse.response_id)))
        assert waiting == waiting_after
    with db.session() as session:
        assert session.scalar(select(func.sum(ReportAggregate.n_responses))) == 2


def test_a_failing_fold_leaves_the_submission_acknowledged(
    app: Flask,
    client: FlaskClient,
    survey: Any,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(report_folding, "FOLD_EVERY", 1)
    token = open_form(client)
    # This month's aggregate is in a format the code cannot read: the fold fails.
    with db.write() as session:
        session.add(
            ReportAggregate(
                questionnaire_version_id=session.scalar(select(QuestionnaireVersion.id)),
                agency_id=session.scalar(select(Agency.id).where(Agency.code == AGENCY)),
                month=local_month(utcnow(), ZoneInfo(app.config["TIMEZONE"])),
                timezone=app.config["TIMEZONE"],
                n_responses=0,
                stats={"format": "unknown"},
            )
        )
    response = post_form(client, token)
    assert response.status_code == 303
    receipt_of(response.headers["Location"])
    with db.session() as session:
        assert session.scalar(select(func.count(UnfoldedResponse.response_id))) == 1
    assert "folding responses into the report aggregates failed" in caplog.text


def test_receipts_are_random_not_sequential(client: FlaskClient, survey: Any) -> None:
    receipts = [
        receipt_of(post_form(client, open_form(client)).headers["Location"]) for _ in range(3)
    ]
    assert len(set(receipts)) == 3
    assert all(re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", r) for r in receipts)


def test_answers_to_a_hidden_question_are_ignored(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    answers = {**VALID, "visited": "no", "visits": "999"}
    response = post_form(client, open_form(client), answers)
    assert response.status_code == 303
    _row, stored_answers = stored(db, receipt_of(response.headers["Location"]))
    assert "visits" not in stored_answers


def test_invalid_submission_comes_back_422_with_answers_and_messages(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    answers = {**VALID, "access_overall": "", "visits": "25", "occupation": "x" * 41}
    response = post_form(client, open_form(client), answers)
    assert response.status_code == 422
    html = response.text
    # the summary links to each field; each field has its own message
    summary = html[html.index('id="err-sum"') : html.index("<form")]
    assert 'href="#b-access_overall"' in summary
    assert 'href="#b-visits"' in summary and 'href="#b-occupation"' in summary
    assert 'id="e-visits"' in html and "Hãy nhập một số không lớn hơn 20." in html
    assert 'aria-invalid="true"' in html
    # the answers are kept
    assert 'value="25"' in html
    assert 'name="staff_polite" type="radio" value="5" checked' in html.replace(
        'checked id="q-staff_polite-4" ', ""
    ) or re.search(r'<input checked id="q-staff_polite-4"', html)
    assert re.search(r'<input checked id="q-channels-2"', html)
    assert "Nhanh chóng, thân thiện." in html
    assert html.count("<title>Lỗi:") == 1
    assert count_responses(db) == 0


def test_errors_in_english_when_the_form_is_english(client: FlaskClient, survey: Any) -> None:
    token = open_form(client, f"agency={AGENCY}&lang=en")
    response = post_form(
        client, token, {**VALID, "recommend": "11"}, query=f"agency={AGENCY}&lang=en"
    )
    assert response.status_code == 422
    assert "Choose a whole number from 0 to 10." in response.text
    assert "There is a problem" in response.text


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("access_overall", "6"),
        ("access_overall", "0"),
        ("visited", "maybe"),
        ("channels", ["web", "fax"]),
        ("visit_date", "2024-02-30"),
        ("visits", "1.5"),
        ("staff_polite", "4.5"),
    ],
)
def test_out_of_range_or_unknown_answers_are_refused(
    client: FlaskClient, survey: Any, db: Database, key: str, value: object
) -> None:
    response = post_form(client, open_form(client), {**VALID, key: value})
    assert response.status_code == 422
    assert f'id="e-{key}"' in response.text
    assert count_responses(db) == 0


def test_unknown_fields_are_not_stored(client: FlaskClient, survey: Any, db: Database) -> None:
    response = post_form(client, open_form(client), {**VALID, "salary": "1000"})
    assert response.status_code == 303
    _row, answers = stored(db, receipt_of(response.headers["Location"]))
    assert "salary" not in answers


def test_portal_form_lets_the_respondent_choose_the_agency(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    html = client.get(f"/q/{SLUG}").text
    assert '<select aria-describedby="h-agency" aria-required="true" class="in" id="agency"' in html
    assert re.search(r'<optgroup label="Sở, ban, ngành">\s*<option value="SNV">Sở Nội vụ', html)
    assert re.search(r'<optgroup label="Quận, huyện">\s*<option value="Q1">', html)
    token = open_form(client, "")
    missing = post_form(client, token, query="")
    assert missing.status_code == 422 and 'href="#b-agency"' in missing.text
    chosen = post_form(client, token, query="", extra={"_agency": "SNV"})
    assert chosen.status_code == 303
    row, _answers = stored(db, receipt_of(chosen.headers["Location"]))
    assert row.agency.code == "SNV"


def test_unknown_questionnaire_or_agency_is_404(client: FlaskClient, survey: Any) -> None:
    assert client.get("/q/nope?agency=Q1").status_code == 404
    missing = client.get(f"/q/{SLUG}?agency=NOPE")
    assert missing.status_code == 404 and "Không tìm thấy cơ quan" in missing.text


def test_wrong_method_is_405(client: FlaskClient, survey: Any) -> None:
    response = client.put(f"/q/{SLUG}?agency={AGENCY}")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_too_large_body_is_413_and_stores_nothing(
    app: Flask, client: FlaskClient, survey: Any, db: Database
) -> None:
    token = open_form(client)
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = post_form(client, token, {**VALID, "comment": "x" * 5000})
    assert response.status_code == 413
    assert count_responses(db) == 0


def test_page_weight_is_under_60_kb_with_no_external_requests(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    from surveyapp.services.questionnaires import definition_files, load_files

    with db.write() as session:
        load_files(session, definition_files([client.application.config["QUESTIONNAIRES_DIR"]]))
    for url in ("/q/sipas?agency=Q1", "/q/a11-cx?agency=Q1", "/q/sipas"):
        html = client.get(url).text
        assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)
        assert assets, "the page links its CSS and JS"
        total = len(html.encode())
        for asset in assets:
            assert asset.startswith("/"), f"external request: {asset}"
            with client.get(asset) as response:
                assert response.status_code == 200
                total += len(response.data)
        print(f"{url}: {total} bytes")
        assert total < 60 * 1024, f"{url}: {total} bytes"
        external = re.findall(r'(?:href|src|action)="((?:https?:)?//[^"]+)"', html)
        assert external == [], external
