"""Immediate alerts delivered once by e-mail to a real SMTP server and to a signed webhook."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency, AlertDelivery, AlertEvent, AlertRecipient, AlertSettings
from surveyapp.services import alert_run
from surveyapp.services.questionnaires import definition_of, get_version, load_files
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.admin.conftest import OTHER, OWN, QUESTIONNAIRES, Staff
from tests.alerts.conftest import Mailbox, Receiver

FAST = (0.01, 0.01)  # retry pauses of the tests (defaults are seconds)
WHEN = dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC)


def _store(db: Database, agency: str, answers: dict[str, object]) -> int:
    with db.write() as session:
        version = get_version(session, "sipas")
        agency_id = session.scalar(select(Agency.id).where(Agency.code == agency))
        checked = check_answers(definition_of(version), answers, require=False)
        assert not checked.errors, checked.errors
        ((_, response_id),) = store_responses(
            session,
            [NewResponse(version.id, agency_id, "web", checked.answers, submitted_at=WHEN)],
            with_ids=True,
        )
        return response_id


def _recipients(db: Database, receiver: Receiver | None = None, agency: str = OWN) -> None:
    with db.write() as session:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == agency))
        session.add(
            AlertRecipient(
                agency_id=agency_id,
                role="head",
                email="head@q1.example.vn",
                language="vi",
                wants_digest=False,
            )
        )
        session.add(
            AlertRecipient(
                agency_id=agency_id,
                role="inspector",
                email="inspector@example.vn",
                language="en",
                wants_digest=False,
            )
        )
        if receiver is not None:
            session.add(
                AlertRecipient(
                    agency_id=agency_id,
                    role="other",
                    webhook_url=receiver.url,
                    webhook_secret=receiver.secret,
                    wants_digest=False,
                )
            )


def _load(db: Database) -> None:
    with db.write() as session:
        load_files(session, [QUESTIONNAIRES / "sipas.yaml"])


def _events(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        return [
            (e.kind, e.key) for e in session.scalars(select(AlertEvent).order_by(AlertEvent.id))
        ]


def test_alert_options_and_watch_list_raise_events_when_folded(db: Database, staff: Staff) -> None:
    _load(db)
    with db.write() as session:
        q1 = session.scalar(select(Agency.id).where(Agency.code == OWN))
        session.add(AlertSettings(agency_id=q1, watch_list="Bồi dưỡng\n  tiền cà phê \n\n"))
    paid = _store(db, OWN, {"informal_payment": "asked_payment"})
    harassed = _store(db, OTHER, {"informal_payment": "harassed"})
    clean = _store(db, OWN, {"informal_payment": "no", "comment": "Cán bộ tận tình."})
    watched = _store(db, OWN, {"comment": "Phải đưa TIỀN CÀ PHÊ mới được nhận hồ sơ"})
    # The watch list is the agency's own: the same words elsewhere raise nothing.
    _store(db, OTHER, {"comment": "tiền cà phê"})
    assert _events(db) == []  # nothing is examined on the submission path
    from surveyapp.services.report_folding import fold_everything

    fold_everything(db, "Asia/Ho_Chi_Minh")
    assert sorted(_events(db)) == sorted(
        [
            ("serious", f"serious:{paid}"),
            ("serious", f"serious:{harassed}"),
            ("watch", f"watch:{watched}"),
        ]
    )
    assert clean not in {int(k.split(":")[1]) for _, k in _events(db)}
    with db.session() as session:
        event = session.scalars(select(AlertEvent).where(AlertEvent.kind == "watch")).one()
        assert event.payload["terms"] == ["tiền cà phê"]
        # No free text is kept in the event (it is erased by retention, the event is not).
        assert "nhận hồ sơ" not in str(event.payload)


def test_immediate_alert_is_mailed_and_posted_once_with_retries(
    db: Database, staff: Staff, smtp_server: tuple[Mailbox, object], webhook: Receiver, in_app: None
) -> None:
    box, smtp = smtp_server
    _load(db)
    _recipients(db, webhook)
    webhook.fail = 2  # the receiver fails twice, then accepts
    response_id = _store(db, OWN, {"informal_payment": "asked_payment"})
    result = alert_run.run(db, "Asia/Ho_Chi_Minh", smtp, "http://localhost", delays=FAST)
    assert result.raised["immediate"] == 1
    assert (result.sent, result.failed) == (3, 0)
    assert sorted(r for rs in box.recipients for r in rs) == [
        "head@q1.example.vn",
        "inspector@example.vn",
    ]
    by_to = {m["To"]: m for m in box.messages}
    vi, en = by_to["head@q1.example.vn"], by_to["inspector@example.vn"]
    assert vi["Subject"] == "Phản ánh nghiêm trọng về Ủy ban nhân dân Quận 1 (Q1)"
    assert en["Subject"] == "Serious report about District 1 People's Committee (Q1)"
    assert f"response {response_id}" in en.get_content()
    assert "http://localhost/admin/agencies/Q1/alerts" in vi.get_content()
    assert vi["From"] == "alerts@survey.example.vn"
    # Three attempts, every one signed; one accepted, with the event's data.
    assert len(webhook.received) == 3 and all(r["valid"] for r in webhook.received)
    assert len({r["delivery"] for r in webhook.received}) == 1
    (accepted,) = webhook.accepted
    assert accepted["event"] == "serious"
    assert accepted["body"]["key"] == f"serious:{response_id}"
    assert accepted["body"]["data"]["choices"] == [
        {"question": "informal_payment", "option": "asked_payment"}
    ]
    with db.session() as session:
        log = {d.channel: d for d in session.scalars(select(AlertDelivery))}
        hook = session.scalars(
            select(AlertDelivery).where(AlertDelivery.channel == "webhook")
        ).one()
        assert (hook.status, hook.attempts, hook.last_error) == ("sent", 3, None)
        assert log["email"].status == "sent"
    # Running again sends nothing again.
    again = alert_run.run(db, "Asia/Ho_Chi_Minh", smtp, "http://localhost", delays=FAST)
    assert (again.sent, again.failed) == (0, 0)
    assert len(box.messages) == 2 and len(webhook.received) == 3


def test_a_receiver_that_keeps_failing_is_retried_by_a_later_run(
    db: Database, staff: Staff, smtp_server: tuple[Mailbox, object], webhook: Receiver, in_app: None
) -> None:
    _box, smtp = smtp_server
    _load(db)
    _recipients(db, webhook)
    webhook.fail = 5
    _store(db, OWN, {"informal_payment": "harassed"})
    first = alert_run.run(db, "Asia/Ho_Chi_Minh", smtp, "http://localhost", delays=FAST)
    assert (first.sent, first.failed) == (2, 1)
    with db.session() as session:
        hook = session.scalars(
            select(AlertDelivery).where(AlertDelivery.channel == "webhook")
        ).one()
        assert (hook.status, hook.attempts, hook.last_error) == (
            "failed",
            3,
            "webhook answered 500",
        )
        retry_at = hook.next_attempt_at
    assert retry_at is not None
    # Not before its backoff has passed...
    soon = alert_run.run(db, "Asia/Ho_Chi_Minh", smtp, "http://localhost", delays=FAST)
    assert (soon.sent, soon.failed) == (0, 0) and len(webhook.received) == 3
    # ...then it is tried again and delivered once.
    later = alert_run.deliver_due(
        db, smtp, "http://localhost", retry_at + dt.timedelta(seconds=1), FAST
    )
    assert later == (1, 0)
    assert len(webhook.accepted) == 1 and len(webhook.received) == 6  # two more 500s, then 204


def test_a_recipient_added_later_gets_only_later_events(
    db: Database, staff: Staff, smtp_server: tuple[Mailbox, object], in_app: None
) -> None:
    box, smtp = smtp_server
    _load(db)
    _store(db, OWN, {"informal_payment": "harassed"})
    alert_run.run(db, "Asia/Ho_Chi_Minh", smtp, "http://localhost", delays=FAST)
    _recipients(db)
    alert_run.run(db, "Asia/Ho_Chi_Minh", smtp, "http://localhost", delays=FAST)
    assert box.messages == []
