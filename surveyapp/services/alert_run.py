"""``surveyapp alerts run``: raise what is new, then deliver what is due, once.

1. Fold the waiting responses (which raises their immediate alerts).
2. Raise the latest month's and the latest week's control-chart signals (weekly
   only for agencies whose weekly sample allows a chart) and last week's digests.
3. Fan every event out to the agency's recipients that want it and were added
   before it was raised: one ``AlertDelivery`` per (event, recipient), unique.
4. Send each due delivery (claimed first, so two runs never send the same one) and
   record the outcome. A sent delivery is never sent again: running twice sends
   nothing twice.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from surveyapp.db import Database
from surveyapp.models import Agency, AlertDelivery, AlertEvent, AlertRecipient, utcnow
from surveyapp.services import alert_delivery, alert_digest, alert_messages, alert_signals
from surveyapp.services.alert_delivery import (
    MAX_ATTEMPTS,
    RETRY_AFTER,
    RETRY_DELAYS,
    SmtpSettings,
)
from surveyapp.services.report_folding import fold_everything

WANTS = {
    "serious": "wants_immediate",
    "watch": "wants_immediate",
    "signal": "wants_signals",
    "digest": "wants_digest",
}
#: How long a claimed delivery is left to its run before another may try it.
CLAIM_FOR = dt.timedelta(minutes=10)


@dataclass
class RunResult:
    raised: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    failed: int = 0


def last_week(now: dt.datetime, timezone: str) -> tuple[str, dt.datetime, dt.datetime]:
    """The ISO week (Monday to Sunday, local) that ended last: label and UTC bounds."""
    tz = zoneinfo.ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    start = dt.datetime.combine(monday, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), tzinfo=tz)
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", start, end.astimezone(dt.UTC)


def raise_digests(
    session: Session, series: alert_signals.SignalSeries | None, now: dt.datetime, timezone: str
) -> int:
    """Raise last week's digest of each agency that has a recipient for digests."""
    label, start, end = last_week(now, timezone)
    agency_ids = set(
        session.scalars(
            select(AlertRecipient.agency_id).where(
                AlertRecipient.active, AlertRecipient.wants_digest
            )
        )
    )
    raised = 0
    for agency in session.scalars(select(Agency).where(Agency.id.in_(agency_ids))):
        key = f"digest:{agency.code}:{label}"
        if session.scalar(select(AlertEvent.id).where(AlertEvent.key == key)) is not None:
            continue
        ctx = alert_digest.DigestContext(session, agency, series, start, end)
        sections = alert_digest.collect(ctx)
        session.add(
            AlertEvent(
                agency_id=agency.id,
                kind="digest",
                key=key,
                payload={"agency": agency.code, "week": label, "sections": sections},
            )
        )
        raised += 1
    return raised


def fan_out(session: Session) -> int:
    """Create the missing deliveries of every event; return how many."""
    have = {
        (e, r)
        for e, r in session.execute(select(AlertDelivery.event_id, AlertDelivery.recipient_id))
    }
    recipients = list(session.scalars(select(AlertRecipient).where(AlertRecipient.active)))
    made = 0
    for event in session.scalars(select(AlertEvent).order_by(AlertEvent.id)):
        for recipient in recipients:
            if (
                recipient.agency_id != event.agency_id
                or not getattr(recipient, WANTS[event.kind])
                or recipient.created_at > event.created_at
                or (event.id, recipient.id) in have
            ):
                continue
            session.add(
                AlertDelivery(
                    event_id=event.id,
                    recipient_id=recipient.id,
                    agency_id=event.agency_id,
                    channel="email" if recipient.email else "webhook",
                    next_attempt_at=None,
                )
            )
            made += 1
    return made


def _claim(db: Database, delivery_id: int, now: dt.datetime) -> bool:
    with db.write() as session:
        claimed = session.execute(
            update(AlertDelivery)
            .where(
                AlertDelivery.id == delivery_id,
                AlertDelivery.status != "sent",
                or_(AlertDelivery.next_attempt_at.is_(None), AlertDelivery.next_attempt_at <= now),
            )
            .values(next_attempt_at=now + CLAIM_FOR)
        )
        return claimed.rowcount == 1


def _attempt(delivery: AlertDelivery, smtp: SmtpSettings, console_url: str) -> Callable[[], None]:
    """One attempt at ``delivery``, its message made now (in the recipient's language)."""
    event, recipient = delivery.event, delivery.recipient
    if recipient.email:
        url = f"{console_url}/admin/agencies/{event.agency.code}/alerts"
        mail = alert_messages.mail_for(event, recipient, url)
        return lambda: alert_delivery.send_mail(smtp, mail)
    payload = alert_messages.webhook_payload(event)
    target, secret, kind, ident = (
        recipient.webhook_url or "",
        recipient.webhook_secret or "",
        event.kind,
        delivery.id,
    )
    return lambda: alert_delivery.post_webhook(target, secret, kind, ident, payload)


def deliver_due(
    db: Database,
    smtp: SmtpSettings,
    console_url: str,
    now: dt.datetime,
    delays: Sequence[float] = RETRY_DELAYS,
) -> tuple[int, int]:
    """Send every due delivery; return (sent, failed)."""
    with db.session() as session:
        due = list(
            session.scalars(
                select(AlertDelivery.id)
                .where(
                    AlertDelivery.status != "sent",
                    AlertDelivery.attempts < MAX_ATTEMPTS,
                    or_(
                        AlertDelivery.next_attempt_at.is_(None),
                        AlertDelivery.next_attempt_at <= now,
                    ),
                )
                .order_by(AlertDelivery.id)
            )
        )
    sent = failed = 0
    for delivery_id in due:
        if not _claim(db, delivery_id, now):
            continue
        with db.session() as session:
            attempt = _attempt(session.get_one(AlertDelivery, delivery_id), smtp, console_url)
        made, error = alert_delivery.with_retries(attempt, delays)
        finished = utcnow()
        with db.write() as session:
            delivery = session.get_one(AlertDelivery, delivery_id)
            delivery.attempts += made
            delivery.last_error = error
            if error is None:
                delivery.status = "sent"
                delivery.sent_at = finished
                delivery.next_attempt_at = None
                sent += 1
            else:
                delivery.status = "failed"
                delivery.next_attempt_at = finished + RETRY_AFTER * 2 ** min(delivery.attempts, 8)
                failed += 1
    return sent, failed


def run(
    db: Database,
    timezone: str,
    smtp: SmtpSettings,
    console_url: str,
    now: dt.datetime | None = None,
    delays: Sequence[float] = RETRY_DELAYS,
) -> RunResult:
    """Raise and deliver; see the module docstring."""
    now = now or utcnow()
    result = RunResult()
    folded_before = _count(db)
    fold_everything(db, timezone)
    result.raised["immediate"] = _count(db) - folded_before
    with db.write() as session:
        series, weekly = alert_signals.signal_series(session, timezone, now)
        result.raised["signal"] = sum(
            alert_signals.raise_signals(session, s) for s in (series, weekly) if s is not None
        )
        session.flush()
        result.raised["digest"] = raise_digests(session, series, now, timezone)
        session.flush()
        fan_out(session)
    result.sent, result.failed = deliver_due(db, smtp, console_url, now, delays)
    return result


def _count(db: Database) -> int:
    with db.session() as session:
        return (
            session.scalar(
                select(func.count(AlertEvent.id)).where(AlertEvent.kind.in_(("serious", "watch")))
            )
            or 0
        )
