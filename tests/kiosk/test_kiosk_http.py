"""The kiosk page and its answers over HTTP: the counter channel, replays, enrolment,
revocation, late arrival from the offline queue, dossier codes, refusals."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Answer, DossierCode, Kiosk, utcnow
from surveyapp.models.counters import Counter
from surveyapp.services import counters, dossiers, kiosks
from surveyapp.services.agencies import get_agency
from surveyapp.services.questionnaires import get_version
from surveyapp.tokens import issue_token
from tests.conftest import TEST_SECRET_KEY
from tests.kiosk.conftest import (
    APP_ORIGIN,
    RATING,
    SLUG,
    page_token,
    post_rating,
    rating_body,
    stored,
)


def enrolled(client: FlaskClient, db: Database, counter: str = "3") -> str:
    """Enrol a kiosk at Q1's counter and open its link in ``client``; return the secret."""
    with db.write() as session:
        _row, secret = kiosks.enrol(session, "Q1", counter, "Máy tính bảng", actor=None)
    answer = client.post("/k/enrol", json={"secret": secret}, headers={"Origin": APP_ORIGIN})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["start"] == f"/k/counter?agency=Q1&counter={counter}"
    assert "HttpOnly" in answer.headers["Set-Cookie"]
    return secret


def old_token(db: Database, days: float) -> str:
    with db.session() as session:
        version = get_version(session, SLUG)
        agency = get_agency(session, "Q1")
        return issue_token(TEST_SECRET_KEY, version.id, agency.id, now=time.time() - days * 86400)


def test_page_shows_labelled_faces_over_radio_buttons(
    client: FlaskClient, counter_site: dict[str, str]
) -> None:
    page = client.get("/k/counter?agency=Q1&counter=3")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert '<html lang="vi">' in html
    assert 'autocomplete="off"' in html.split('<form id="kf"')[1].split(">")[0]
    # Five faces per question, each with its text label and a radio input of the group.
    for key in ("overall", "attitude", "time_taken"):
        assert html.count(f'name="{key}" value=') == 5
    for label in ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Rất hài lòng"):
        assert f'<span class="k-label">{label}</span>' in html
    assert html.count('class="k-svg"') == 15
    assert "Quầy số 3" in html and "Quận 1" in html
    english = client.get("/k/counter?agency=Q1&counter=3&lang=en").get_data(as_text=True)
    assert "Very satisfied" in english and "Counter 3" in english


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("agency=Q1&counter=9", 404, "không có quầy"),
        ("agency=XX&counter=3", 404, "không có phiếu khảo sát hoặc cơ quan"),
        ("counter=3", 404, "không có phiếu khảo sát hoặc cơ quan"),
        ("agency=Q1&counter=3&officer=<b>", 400, "mã công chức"),
        ("agency=Q1&counter=3&officer=" + "A" * 40, 400, "mã công chức"),
    ],
)
def test_page_refuses_unknown_places_and_bad_officer_codes(
    client: FlaskClient, counter_site: dict[str, str], query: str, status: int, message: str
) -> None:
    page = client.get(f"/k/counter?{query}")
    assert page.status_code == status
    assert message in page.get_data(as_text=True).lower()
    assert "<b>" not in page.get_data(as_text=True)


def test_inactive_counter_takes_no_ratings(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    token = page_token(client)
    with db.write() as session:
        counters.set_active(session, "Q1", "3", False)
    assert client.get("/k/counter?agency=Q1&counter=3").status_code == 410
    answer = post_rating(client, rating_body(token))
    assert answer.status_code == 410
    assert answer.get_json()["error"] == "counter_inactive"
    assert stored(db) == []


def test_a_rating_is_stored_on_the_counter_channel_with_its_counter_and_officer(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    token = page_token(client, "agency=Q1&counter=3&officer=cb-0123")
    answer = post_rating(client, rating_body(token, officer="cb-0123"))
    assert answer.status_code == 201, answer.get_json()
    (row,) = stored(db)
    with db.session() as session:
        counter = session.scalar(select(Counter).where(Counter.id == row.counter_id))
        values = {
            a.question_key: a.value_num if a.value_num is not None else a.value_text
            for a in session.scalars(select(Answer).where(Answer.response_id == row.id))
        }
    assert counter is not None and counter.code == "3"
    assert (row.channel, row.officer_code, row.status) == ("counter", "CB-0123", "accepted")
    assert row.receipt_code == answer.get_json()["receipt"]
    assert values == {
        "overall": 5.0,
        "attitude": 4.0,
        "time_taken": 2.0,
        "result_late": "yes",
        "apology_letter": "no",
        "comment": "Cán bộ nhiệt tình",
    }


def test_a_replayed_nonce_returns_the_first_receipt_and_stores_once(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    body = rating_body(page_token(client))
    first = post_rating(client, body)
    again = post_rating(client, {**body, "answers": {**RATING, "overall": "1"}})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.get_json() == {"receipt": first.get_json()["receipt"], "replayed": True}
    assert len(stored(db)) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nonce": "short"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"given_at": "yesterday"}, "given_at"),
        ({"given_at": "2026-01-01T10:00:00"}, "given_at"),
        ({"given_at": "2999-01-01T10:00:00+00:00"}, "given_at"),
        ({"answers": ["5"]}, "answers"),
        ({"answers": {"overall": {"x": 1}}}, "answers.overall"),
        ({"officer": "no spaces allowed"}, "officer"),
        ({"fill_seconds": "slow"}, "fill_seconds"),
        ({"code": 5}, "code"),
    ],
)
def test_malformed_ratings_are_refused_naming_the_field(
    client: FlaskClient,
    db: Database,
    counter_site: dict[str, str],
    changes: dict[str, Any],
    field: str,
) -> None:
    answer = post_rating(client, rating_body(page_token(client), **changes))
    assert answer.status_code == 400
    assert answer.get_json()["error"] == field
    assert field in answer.get_json()["message"]
    assert stored(db) == []


def test_invalid_answers_are_refused_with_their_messages(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    body = rating_body(page_token(client), answers={"overall": "7", "attitude": "4"})
    answer = post_rating(client, body, query="agency=Q1&counter=3&lang=en")
    assert answer.status_code == 422
    fields = {e["field"]: e["message"] for e in answer.get_json()["errors"]}
    assert fields["overall"] == "Choose a value from 1 to 5."
    assert "time_taken" in fields
    assert stored(db) == []


def test_a_cross_site_post_is_refused(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    body = rating_body(page_token(client))
    answer = post_rating(client, body, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert stored(db) == []


def test_an_unenrolled_browser_is_an_ordinary_form(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    """Without enrolment the token expires as any form's, and the time given is its arrival."""
    body = rating_body(old_token(db, 2), given_at=(utcnow() - dt.timedelta(hours=30)).isoformat())
    answer = post_rating(client, body)
    assert answer.status_code == 410
    assert answer.get_json()["error"] == "expired"
    page = client.get("/k/counter?agency=Q1&counter=3").get_data(as_text=True)
    assert 'data-kiosk="0"' in page
    before = utcnow()
    late = rating_body(page_token(client), given_at=(utcnow() - dt.timedelta(hours=3)).isoformat())
    assert post_rating(client, late).status_code == 201
    (row,) = stored(db)
    assert row.given_at is not None and row.given_at >= before - dt.timedelta(seconds=1)


def test_enrolment_sets_the_device_cookie_and_stores_only_a_hash(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    secret = enrolled(client, db)
    with db.session() as session:
        (kiosk,) = session.scalars(select(Kiosk))
        assert kiosk.secret_hash == kiosks.hash_secret(secret)
        assert secret not in kiosk.secret_hash
        assert kiosk.last_seen_at is not None
    page = client.get("/k/counter?agency=Q1&counter=3").get_data(as_text=True)
    assert 'data-kiosk="1"' in page


@pytest.mark.parametrize("secret", ["", "kio_not-a-real-one", "x" * 500, None])
def test_a_wrong_enrolment_secret_is_refused(
    client: FlaskClient, counter_site: dict[str, str], secret: str | None
) -> None:
    answer = client.post("/k/enrol", json={"secret": secret}, headers={"Origin": APP_ORIGIN})
    assert answer.status_code == 403
    assert answer.get_json()["message"] == "Đường dẫn đăng ký này không hợp lệ."
    assert "Set-Cookie" not in answer.headers


def test_enrolment_from_another_site_is_refused(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    with db.write() as session:
        _row, secret = kiosks.enrol(session, "Q1", "3", "Máy 1", actor=None)
    answer = client.post(
        "/k/enrol", json={"secret": secret}, headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    assert "Set-Cookie" not in answer.headers


def test_an_enrolled_kiosk_s_late_queue_is_accepted_within_the_queue_days(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    """A page loaded 3 days ago, a rating given 2 days ago, sent now: given_at is kept."""
    enrolled(client, db)
    given = utcnow() - dt.timedelta(days=2)
    body = rating_body(old_token(db, 3), given_at=given.isoformat())
    answer = post_rating(client, body)
    assert answer.status_code == 201, answer.get_json()
    (row,) = stored(db)
    assert row.given_at == given
    assert row.submitted_at - given > dt.timedelta(days=1, hours=23)
    assert row.status == "accepted"


def test_a_queued_rating_older_than_the_queue_days_is_refused(
    app: Any, client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    app.config["KIOSK_QUEUE_DAYS"] = 3
    enrolled(client, db)
    too_old = rating_body(
        old_token(db, 3.5), given_at=(utcnow() - dt.timedelta(days=3, hours=1)).isoformat()
    )
    answer = post_rating(client, too_old, query="agency=Q1&counter=3&lang=en")
    assert answer.status_code == 410
    assert answer.get_json()["error"] == "too_old"
    assert "more than 3 days ago" in answer.get_json()["message"]
    old_page = rating_body(old_token(db, 3.2))
    assert post_rating(client, old_page).get_json()["error"] == "expired"
    assert stored(db) == []


def test_a_revoked_kiosk_s_queue_is_refused_with_a_clear_message(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    enrolled(client, db)
    body = rating_body(page_token(client))
    with db.write() as session:
        (kiosk,) = session.scalars(select(Kiosk))
        kiosks.revoke(session, kiosk.id)
    answer = post_rating(client, body, query="agency=Q1&counter=3&lang=en")
    assert answer.status_code == 403
    assert answer.get_json()["error"] == "kiosk_revoked"
    assert "no longer enrolled" in answer.get_json()["message"]
    page = client.get("/k/counter?agency=Q1&counter=3")
    assert page.status_code == 403
    assert "không còn được đăng ký" in page.get_data(as_text=True)
    assert stored(db) == []
    again = client.post(
        "/k/enrol", json={"secret": "kio_x"}, headers={"Origin": APP_ORIGIN}
    )  # an unknown secret stays unknown
    assert again.status_code == 403


def test_a_kiosk_rates_only_its_own_counter(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    enrolled(client, db, counter="3")
    assert client.get("/k/counter?agency=Q1&counter=5").status_code == 403
    body = rating_body(page_token(client))
    answer = post_rating(client, body, query="agency=Q1&counter=5")
    assert answer.status_code == 403
    assert answer.get_json()["error"] == "kiosk_elsewhere"
    assert stored(db) == []


def _require_codes(db: Database, *codes: str) -> None:
    with db.write() as session:
        agency = get_agency(session, "Q1")
        version = get_version(session, SLUG)
        dossiers.load_codes(session, agency.id, list(codes))
        dossiers.set_required(session, agency.id, version.questionnaire_id, True)


def test_each_dossier_code_rates_once_on_the_kiosk_and_on_the_api(
    client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    _require_codes(db, "HS-0001", "HS-0002")
    page = client.get("/k/counter?agency=Q1&counter=3&code=HS-0001")
    assert page.status_code == 200
    assert 'id="k-dossier"' in page.get_data(as_text=True)
    token = page_token(client)
    missing = post_rating(client, rating_body(token))
    assert missing.status_code == 422
    first = post_rating(client, rating_body(token, code="HS-0001"))
    assert first.status_code == 201
    second = post_rating(
        client, rating_body(token, code="hs-0001"), query="agency=Q1&counter=3&lang=en"
    )
    assert second.status_code == 409
    assert second.get_json()["error"] == "dossier_used"
    assert "already been rated" in second.get_json()["message"]
    reopened = client.get("/k/counter?agency=Q1&counter=3&code=HS-0001")
    assert reopened.status_code == 409
    assert "đã được đánh giá" in reopened.get_data(as_text=True)
    api = client.get("/api/v1/questionnaires/counter?agency=Q1").get_json()
    by_api = client.post(
        "/api/v1/responses",
        json={
            "questionnaire": SLUG,
            "token": api["token"],
            "agency": "Q1",
            "dossier_code": "HS-0001",
            "answers": {"overall": "4", "attitude": "4", "time_taken": "4"},
        },
    )
    assert by_api.status_code == 422
    assert by_api.get_json()["errors"][0]["field"] == "_dossier"
    assert len(stored(db)) == 1
    with db.session() as session:
        used = session.scalar(select(DossierCode).where(DossierCode.code == "HS-0001"))
        assert used is not None and used.response_id == stored(db)[0].id


def test_a_filled_honeypot_or_a_too_quick_rating_is_quarantined(
    app: Any, client: FlaskClient, db: Database, counter_site: dict[str, str]
) -> None:
    app.config["MIN_FILL_SECONDS"] = 3.0
    token = page_token(client)
    assert post_rating(client, rating_body(token, website="http://spam")).status_code == 201
    assert post_rating(client, rating_body(token, fill_seconds=0.5)).status_code == 201
    assert post_rating(client, rating_body(token, fill_seconds=4)).status_code == 201
    assert [(r.status, r.quarantine_reason) for r in stored(db)] == [
        ("quarantined", "honeypot"),
        ("quarantined", "too_fast"),
        ("accepted", None),
    ]
