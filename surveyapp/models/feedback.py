"""Feedback cases (a respondent's petition or complaint) and published result periods.

A case belongs to one response (at most one case a response) and to that response's
agency. The respondent's way of being answered lives in ``case_contacts``, apart from
the answers and the case, so that it can be shown to that agency's staff only and
erased on its own (closed plus the retention period). Published periods say which
report periods the public results pages (``/results``) may show.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.core import Agency, Base, Questionnaire, Response, UTCDateTime, utcnow

CASE_KINDS = ("petition", "complaint")
MAX_CASE_TEXT = 2000
MAX_ANSWER_TEXT = 4000
DEFAULT_DEADLINE_DAYS = 10
MAX_DEADLINE_DAYS = 90


class FeedbackCase(Base):
    """A petition (kiến nghị) or complaint (phản ánh) left with a response, and its answer."""

    __tablename__ = "feedback_cases"
    __table_args__ = (
        CheckConstraint("kind IN ('petition', 'complaint')", name="kind"),
        CheckConstraint(f"length(text) BETWEEN 1 AND {MAX_CASE_TEXT}", name="text_length"),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answer_with_time"),
        CheckConstraint("closed_at IS NULL OR answered_at IS NOT NULL", name="closed_answered"),
        Index(None, "agency_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The response it was left with; its receipt code looks the answer up.
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    #: The response's agency, which answers the case.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    #: ``petition`` or ``complaint``.
    kind: Mapped[str] = mapped_column(String(16))
    #: What the respondent wrote (never public, never in a report).
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last local day an answer is on time (working days from the agency's setting).
    due_on: Mapped[dt.date] = mapped_column(Date)
    #: The agency's answer, shown to the respondent at ``/r/<receipt>``.
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the case was closed (only once answered).
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the contact details were erased (closed plus the retention period).
    contact_erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    response: Mapped[Response] = relationship()
    agency: Mapped[Agency] = relationship()
    contact: Mapped[CaseContact | None] = relationship(
        back_populates="case", cascade="all, delete-orphan", uselist=False
    )


class CaseContact(Base):
    """How the respondent of a case asked to be answered; erased on its own."""

    __tablename__ = "case_contacts"
    __table_args__ = (
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="some_contact"),
    )

    case_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_cases.id", ondelete="CASCADE"), primary_key=True
    )
    #: A telephone number as typed (digits, spaces, +, -, parentheses).
    phone: Mapped[str | None] = mapped_column(String(32))
    #: An e-mail address as typed, stripped.
    email: Mapped[str | None] = mapped_column(String(254))

    case: Mapped[FeedbackCase] = relationship(back_populates="contact")


class AgencyCaseSetting(Base):
    """An agency's deadline for answering cases, in working days (Monday-Friday)."""

    __tablename__ = "agency_case_settings"
    __table_args__ = (
        CheckConstraint(f"deadline_days BETWEEN 1 AND {MAX_DEADLINE_DAYS}", name="deadline_days"),
    )

    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )
    deadline_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_DEADLINE_DAYS)


class PublishedPeriod(Base):
    """A report period of a questionnaire that the public results pages show."""

    __tablename__ = "published_periods"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "first_day", "last_day"),
        CheckConstraint("first_day <= last_day", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE")
    )
    #: First and last local day of the period, both included.
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    questionnaire: Mapped[Questionnaire] = relationship()
