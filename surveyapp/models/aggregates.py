"""Report aggregates: sufficient statistics per questionnaire version, agency and month.

Accepted responses wait in ``unfolded_responses`` (written in the same transaction
as the response) until a fold adds them to their month and removes them from it;
reports add the waiting ones from the raw rows (see
``surveyapp.reporting.aggregates``). The aggregates are rebuildable from the raw
rows at any time, so they are a cache with a guarantee, never a second source of
truth.
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


class UnfoldedResponse(Base):
    """An accepted response the aggregates do not hold yet (a few at any time).

    It repeats the response's version, agency and time, so reports and folds find
    the waiting responses in this small table alone.
    """

    __tablename__ = "unfolded_responses"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    questionnaire_version_id: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
