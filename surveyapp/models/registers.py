"""Registers: the dossiers each agency handled in a period, the frame of a sample.

A row is one cell of an agency's volume for a period (a year ``2017``, a quarter
``2017-Q1`` or a month ``2017-03``), optionally split by respondent type and/or
channel; an empty string means "not split" (so the unique key holds on every
database, where NULLs would not collide).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.core import Agency, Base, UTCDateTime, utcnow


class Register(Base):
    """Dossiers handled by one agency in one period (one cell of its split)."""

    __tablename__ = "registers"
    __table_args__ = (
        UniqueConstraint("agency_id", "period", "respondent_type", "channel"),
        CheckConstraint("dossiers >= 0", name="dossiers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    #: ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM`` (local calendar).
    period: Mapped[str] = mapped_column(String(7))
    #: Option key of the questionnaires' ``respondent_type`` question, or "" (all).
    respondent_type: Mapped[str] = mapped_column(String(64), default="")
    #: Option key of the questionnaires' ``submission_channel`` question, or "" (all).
    channel: Mapped[str] = mapped_column(String(64), default="")
    dossiers: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
