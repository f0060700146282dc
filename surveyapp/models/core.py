"""SQLAlchemy models: agencies, questionnaire versions, responses and answers.

Portable column types only (SQLite and PostgreSQL). Timestamps are stored in
UTC. Invariants live in check constraints; constraint names follow one
naming convention so migrations can refer to them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AGENCY_KINDS = ("department", "district", "other")
#: A theme colour is ``#rrggbb`` in lower case; only such a value is ever written into CSS.
THEME_COLOR_CHECK = (
    "theme_color IS NULL OR (length(theme_color) = 7 AND substr(theme_color, 1, 1) = '#' "
    "AND ltrim(substr(theme_color, 2), '0123456789abcdef') = '')"
)
CHANNELS = ("web", "embed", "api", "paper", "counter")
STATUSES = ("accepted", "quarantined", "deleted")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no time zone type, so values are normalised to UTC on the way
    in and marked as UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        stored: dt.datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=dt.UTC)
        return stored.astimezone(dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Agency(Base):
    """A department, district People's Committee or other body that is surveyed."""

    __tablename__ = "agencies"
    __table_args__ = (
        CheckConstraint(_in("kind", AGENCY_KINDS), name="kind"),
        CheckConstraint("length(code) BETWEEN 1 AND 32", name="code_length"),
        CheckConstraint(THEME_COLOR_CHECK, name="theme_color"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable identifier used in URLs, CLI and reports (e.g. ``Q1``, ``SNV``).
    code: Mapped[str] = mapped_column(String(32), unique=True)
    #: Name in Vietnamese, with diacritics.
    name_vi: Mapped[str] = mapped_column(String(200))
    #: Name in English.
    name_en: Mapped[str] = mapped_column(String(200))
    #: ``department``, ``district`` or ``other``.
    kind: Mapped[str] = mapped_column(String(16))
    #: Inactive agencies keep their responses but accept no new ones.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: When the agency was registered (UTC).
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Accent colour of the agency's public form (``#rrggbb``, lower case), or None.
    #: Its logo lives in ``agency_logos`` (surveyapp/models/theme.py), apart from this row.
    theme_color: Mapped[str | None] = mapped_column(String(7))

    origins: Mapped[list[AgencyOrigin]] = relationship(
        back_populates="agency", cascade="all, delete-orphan", order_by="AgencyOrigin.origin"
    )


class AgencyOrigin(Base):
    """A web origin (``scheme://host[:port]``) allowed to embed an agency's forms."""

    __tablename__ = "agency_origins"
    __table_args__ = (UniqueConstraint("agency_id", "origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    #: Exact origin, lower-case scheme and host, no path, default port omitted.
    origin: Mapped[str] = mapped_column(String(255))

    agency: Mapped[Agency] = relationship(back_populates="origins")


class Questionnaire(Base):
    """A questionnaire known by its slug (the definition file's name)."""

    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The definition file's name without extension.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.version"
    )


class QuestionnaireVersion(Base):
    """One immutable version of a questionnaire; a changed file becomes a new row."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "version"),
        UniqueConstraint("questionnaire_id", "content_hash"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    #: 1, 2, 3... in the order the versions were loaded.
    version: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the parsed definition; equal hashes mean the same questionnaire.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: Title in Vietnamese and English, copied from the definition for listings.
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    #: The parsed definition (``Questionnaire.to_dict()``), read back to build forms.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The file as it was loaded, for audit and download.
    source_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")


class Response(Base):
    """One respondent's submission of one questionnaire version about one agency."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(
            "(status = 'quarantined') = (quarantine_reason IS NOT NULL)",
            name="quarantine_reason",
        ),
        Index(None, "agency_id", "questionnaire_version_id", "submitted_at"),
        Index(None, "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: When the submission was committed (UTC).
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: How it arrived: ``web``, ``embed``, ``api``, ``paper`` (imported) or ``counter``.
    channel: Mapped[str] = mapped_column(String(16))
    #: ``accepted`` (counted), ``quarantined`` (held for review) or ``deleted`` (soft).
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    #: Why a response is held (honeypot, too fast...); set exactly when quarantined.
    quarantine_reason: Mapped[str | None] = mapped_column(String(64))
    #: Random code shown to the respondent as proof of submission.
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    #: The single-use nonce of the form token that produced it (idempotency key).
    submission_nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The counter a ``counter`` rating was given at (``counters.id``).
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id", ondelete="SET NULL"))
    #: The civil servant's staff code carried by the counter screen, if any.
    officer_code: Mapped[str | None] = mapped_column(String(32))
    #: When the respondent gave the answers, if earlier than ``submitted_at``
    #: (a kiosk's offline queue); ``submitted_at`` stays when it arrived.
    given_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    agency: Mapped[Agency] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(Base):
    """One response's answer to one item (a likert grid gives one row per item)."""

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint(
            "is_na = false OR (value_num IS NULL AND value_text IS NULL)", name="na_is_empty"
        ),
        CheckConstraint(
            "is_na = true OR value_num IS NOT NULL OR value_text IS NOT NULL",
            name="has_value",
        ),
        Index(None, "question_key", "value_num"),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    #: The item's key in the questionnaire definition.
    question_key: Mapped[str] = mapped_column(String(63), primary_key=True)
    #: Numeric answers: Likert and rating values, numbers.
    value_num: Mapped[float | None] = mapped_column(Float)
    #: Text answers: choice keys (several joined by ``;``), dates, free text.
    value_text: Mapped[str | None] = mapped_column(Text)
    #: The respondent chose "not applicable".
    is_na: Mapped[bool] = mapped_column(Boolean, default=False)

    response: Mapped[Response] = relationship(back_populates="answers")


@event.listens_for(Session, "before_flush")
def _versions_are_immutable(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, QuestionnaireVersion) and session.is_modified(obj):
            raise ValueError("questionnaire versions are immutable; load a new version instead")
