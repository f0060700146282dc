"""Report aggregates: sufficient statistics per questionnaire version, agency and month.

Maintained in the same transaction as the responses they summarise (see
``surveyapp.reporting.aggregates``) and rebuildable from the raw rows at any
time, so they are a cache with a guarantee, never a second source of truth.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.core import Base, UTCDateTime, utcnow


class ReportAggregate(Base):
    """The accepted responses of one version about one agency in one local month."""

    __tablename__ = "report_aggregates"
    __table_args__ = (
        UniqueConstraint("questionnaire_version_id", "agency_id", "month"),
        CheckConstraint("n_responses >= 0", name="n_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="CASCADE")
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    #: First day of the month, in the time zone below.
    month: Mapped[dt.date] = mapped_column(Date)
    #: The IANA time zone that decided which month a response falls in.
    timezone: Mapped[str] = mapped_column(String(64))
    #: Accepted responses summarised here.
    n_responses: Mapped[int] = mapped_column(Integer)
    #: ``Summary.to_dict()``: answer counts, moments and respondent-mean histograms.
    stats: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: When the row was last written (UTC).
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
