"""Alerts: who is told what per agency, what was raised, and every delivery made.

An ``AlertEvent`` is one thing to tell (a serious report, a watch-list match, a
control-chart signal, a weekly digest), unique by ``key`` so that it is raised once
however often ``surveyapp alerts run`` runs. An ``AlertDelivery`` is that event for
one recipient, unique per (event, recipient): a delivery marked sent is never sent
again, a failed one is retried with backoff until ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.core import Agency, Base, UTCDateTime, utcnow

EVENT_KINDS = ("serious", "watch", "signal", "digest")
RECIPIENT_ROLES = ("head", "inspector", "other")
DELIVERY_STATUSES = ("pending", "sent", "failed")


class AlertSettings(Base):
    """An agency's watch list of words and phrases in free-text comments."""

    __tablename__ = "alert_settings"

    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )
    #: One word or phrase a line; a comment containing one (case-insensitive) alerts.
    watch_list: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertRecipient(Base):
    """One e-mail address or webhook that receives an agency's alerts."""

    __tablename__ = "alert_recipients"
    __table_args__ = (
        CheckConstraint("role IN ('head', 'inspector', 'other')", name="role"),
        CheckConstraint("language IN ('vi', 'en')", name="language"),
        CheckConstraint(
            "(email IS NOT NULL) <> (webhook_url IS NOT NULL)", name="email_or_webhook"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    #: The account the address came from, if any (its address is copied here).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254))
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    #: HMAC-SHA256 key of the webhook's signature, shown to the admin once.
    webhook_secret: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    wants_immediate: Mapped[bool] = mapped_column(Boolean, default=True)
    wants_signals: Mapped[bool] = mapped_column(Boolean, default=True)
    wants_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()


class AlertEvent(Base):
    """One thing to tell an agency's recipients, raised once."""

    __tablename__ = "alert_events"
    __table_args__ = (
        CheckConstraint("kind IN ('serious', 'watch', 'signal', 'digest')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    #: What was raised, e.g. ``signal:Q8:access:month:2017-10``: unique, so never twice.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: Plain data the messages are written from (no free text of a response).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()


class AlertDelivery(Base):
    """One event sent (or being sent) to one recipient: the delivery log."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient_id"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("alert_recipients.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[AlertEvent] = relationship()
    recipient: Mapped[AlertRecipient] = relationship()
