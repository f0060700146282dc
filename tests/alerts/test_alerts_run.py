"""``surveyapp alerts run``: a fall in satisfaction mailed once to the head and the inspector,
the weekly digest, and nothing sent twice however often it runs."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from flask import Flask
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency, AlertDelivery, AlertEvent, AlertRecipient, Response
from surveyapp.models.feedback import FeedbackCase
from surveyapp.services import alert_run
from surveyapp.services.questionnaires import definition_of, get_version, load_files
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.admin.conftest import OTHER, OWN, QUESTIONNAIRES, Staff
from tests.alerts.conftest import Mailbox

FIRST = dt.date(2025, 9, 1)
MONTHS = 14
ITEMS = ("access_seating", "access_equipment", "staff_polite", "staff_guidance")


def _month(i: int) -> dt.date:
    year, month = divmod(FIRST.month - 1 + i, 12)
    return dt.date(FIRST.year + year, month + 1, 1)


def _history(db: Database, fall: float) -> None:
    """80 responses a month for each agency; Q1's last month falls to ``fall`` satisfied."""
    draw = random.Random(16)
    with db.write() as session:
        load_files(session, [QUESTIONNAIRES / "sipas.yaml"])
        version = get_version(session, "sipas")
        definition = definition_of(version)
        ids = {c: i for c, i in session.execute(select(Agency.code, Agency.id))}
        batch = []
        for i in range(MONTHS):
            for code in (OWN, OTHER):
                share = fall if (code == OWN and i == MONTHS - 1) else 0.85
                for k in range(80):
                    happy = draw.random() < share
                    answers = {key: ("5" if happy else "2") for key in ITEMS}
                    checked = check_answers(definition, answers, require=False)
                    when = dt.datetime.combine(_month(i), dt.time(3, k % 60), tzinfo=dt.UTC)
                    batch.append(
                        NewResponse(
                            version.id,
                            ids[code],
                            "web",
                            checked.answers,
                            submitted_at=when + dt.timedelta(days=k % 27),
                        )
                    )
        store_responses(session, batch)
        for code, email, role, language in (
            (OWN, "head@q1.example.vn", "head", "vi"),
            (OWN, "inspector@example.vn", "inspector", "en"),
            (OTHER, "head@snv.example.vn", "head", "vi"),
        ):
            session.add(
                AlertRecipient(agency_id=ids[code], role=role, email=email, language=language)
            )


def _configure(app: Flask, smtp: Any) -> None:
    app.config.update(SMTP_URL=smtp.url, SMTP_SECURITY=smtp.security, SMTP_FROM=smtp.sender)


def test_a_fall_is_mailed_once_to_the_head_and_the_inspector(
    app: Flask, db: Database, staff: Staff, cli: Any, smtp_server: tuple[Mailbox, Any]
) -> None:
    box, smtp = smtp_server
    _configure(app, smtp)
    _history(db, fall=0.35)
    first = cli("alerts", "run")
    assert first.exit_code == 0, first.output
    falls = [m for m in box.messages if "2026-10" in m["Subject"]]
    assert sorted(m["To"] for m in falls) == ["head@q1.example.vn", "inspector@example.vn"]
    vi = next(m for m in falls if m["To"] == "head@q1.example.vn")
    assert vi["Subject"] == (
        "Mức độ hài lòng với Ủy ban nhân dân Quận 1 (Q1) sụt giảm trong tháng 2026-10"
    )
    body = vi.get_content()
    assert "Chỉ số hài lòng:" in body and "dưới giới hạn kiểm soát" in body
    # The stable agency gets its digest but no fall.
    assert not any(m["To"] == "head@snv.example.vn" for m in falls)
    digests = [m for m in box.messages if m not in falls]
    assert sorted(m["To"] for m in digests) == [
        "head@q1.example.vn",
        "head@snv.example.vn",
        "inspector@example.vn",
    ]
    en_digest = next(m for m in digests if m["To"] == "inspector@example.vn")
    assert en_digest["Subject"].startswith("Weekly digest for District 1 People's Committee (Q1)")
    assert "Satisfaction index for 2026-10: " in en_digest.get_content()
    assert "Change since the month before: -" in en_digest.get_content()
    sent = len(box.messages)
    # Idempotent: a second and third run send nothing.
    for _ in range(2):
        again = cli("alerts", "run")
        assert again.exit_code == 0, again.output
        assert "sent 0, failed 0" in again.output
    assert len(box.messages) == sent
    with db.session() as session:
        kinds = sorted(e.kind for e in session.scalars(select(AlertEvent)))
        assert kinds == ["digest", "digest", "signal"]
        assert {d.status for d in session.scalars(select(AlertDelivery))} == {"sent"}


def test_stable_agencies_raise_no_signal(
    app: Flask, db: Database, staff: Staff, in_app: None, smtp_server: tuple[Mailbox, Any]
) -> None:
    _box, smtp = smtp_server
    _history(db, fall=0.85)
    result = alert_run.run(db, "Asia/Ho_Chi_Minh", smtp, "http://localhost", delays=(0.01,))
    assert result.raised["signal"] == 0


def test_without_smtp_a_delivery_fails_clearly_and_is_kept(
    app: Flask, db: Database, staff: Staff, cli: Any
) -> None:
    app.config.update(SMTP_URL="", SMTP_SECURITY="none", SMTP_FROM="")
    _history(db, fall=0.35)
    result = cli("alerts", "run")
    assert result.exit_code == 1
    assert "deliveries failed: 5" in result.output
    with db.session() as session:
        errors = {d.last_error for d in session.scalars(select(AlertDelivery))}
    assert errors == {"SURVEYAPP_SMTP_URL is not set"}


def test_the_digest_counts_feedback_awaiting_an_answer(
    app: Flask, db: Database, staff: Staff, cli: Any, smtp_server: tuple[Mailbox, Any]
) -> None:
    box, smtp = smtp_server
    _configure(app, smtp)
    _history(db, fall=0.85)
    today = dt.datetime.now(dt.UTC)
    with db.write() as session:
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        responses = session.scalars(
            select(Response.id).where(Response.agency_id == q1).order_by(Response.id).limit(3)
        ).all()
        for i, (response_id, due) in enumerate(zip(responses, (-20, 5, -1), strict=True)):
            session.add(
                FeedbackCase(
                    response_id=response_id,
                    agency_id=q1,
                    kind="complaint",
                    text=f"Phản ánh {i}",
                    created_at=today - dt.timedelta(days=40),
                    due_on=today.date() + dt.timedelta(days=due),
                    answer="Đã xử lý" if i == 2 else None,
                    answered_at=today if i == 2 else None,
                )
            )
    assert cli("alerts", "run").exit_code == 0
    digests = {m["To"]: m.get_content() for m in box.messages}
    # Two unanswered (one overdue); the third was answered; none is new this week.
    assert (
        "Feedback cases awaiting an answer: 2, of which overdue: 1; new this week: 0."
        in digests["inspector@example.vn"]
    )
    assert (
        "Phản ánh, kiến nghị chờ trả lời: 2, trong đó quá hạn: 1" in digests["head@q1.example.vn"]
    )
    assert "chờ trả lời: 0" in digests["head@snv.example.vn"]
