"""Models of the admin console: API tokens and questionnaire availability per agency."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.core import Agency, Base, UTCDateTime, utcnow

#: ``agency``: reads one agency's reports; ``city``: reads every agency's and the city's.
TOKEN_SCOPES = ("agency", "city")


class ApiToken(Base):
    """A bearer token of the JSON API; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("scope IN ('agency', 'city')", name="scope"),
        CheckConstraint("(scope = 'agency') = (agency_id IS NOT NULL)", name="agency_scope"),
        Index(None, "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the token is for, as its creator described it (``Cổng dịch vụ công Q1``).
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 (hex) of the token; the token itself has 256 random bits, so no salt is needed.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, shown in listings to tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: ``agency`` or ``city`` (``TOKEN_SCOPES``).
    scope: Mapped[str] = mapped_column(String(16))
    #: The agency an ``agency`` token reads; NULL for ``city`` tokens.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    #: The admin who created it (NULL once that user is deleted).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last request it authorised (UTC), NULL before the first.
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: When it was revoked (UTC); a revoked token authorises nothing.
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: When it stops working (UTC), chosen at creation (365 days unless chosen otherwise).
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    agency: Mapped[Agency | None] = relationship()


class QuestionnaireAvailability(Base):
    """Whether a questionnaire takes answers: for one agency, or for all (``agency_id`` NULL).

    An agency's own row overrides the all-agencies row; with no row at all the
    questionnaire is open. ``opens_at``/``closes_at`` bound an open period.
    """

    __tablename__ = "questionnaire_availability"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "agency_id"),
        CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="period_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE")
    )
    #: The agency this applies to; NULL: every agency without a row of its own.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    #: False: closed whatever the period says.
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Start of the open period (UTC), inclusive; NULL: no start.
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: End of the open period (UTC), exclusive; NULL: no end.
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
