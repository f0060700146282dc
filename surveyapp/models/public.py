"""Models of the public side: one-time dossier codes (mã hồ sơ) of one-stop shops.

A code links a response to a service transaction without personal data: the
agency loads the receipt codes its one-stop shop issued, and each code can
answer once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.core import Base, UTCDateTime, utcnow


class DossierCode(Base):
    """A receipt code issued by an agency's one-stop shop; answers at most once."""

    __tablename__ = "dossier_codes"
    __table_args__ = (
        UniqueConstraint("agency_id", "code"),
        CheckConstraint("(response_id IS NULL) = (used_at IS NULL)", name="used_with_response"),
        CheckConstraint("length(code) BETWEEN 1 AND 64", name="code_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    #: The code as printed on the dossier receipt, upper-cased, spaces removed.
    code: Mapped[str] = mapped_column(String(64))
    #: When the agency loaded it (UTC).
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The response that used it; set once, never cleared.
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"), unique=True)
    #: When it was used (UTC); set exactly when ``response_id`` is.
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class DossierRequirement(Base):
    """An agency's questionnaire that can only be answered with one of its dossier codes."""

    __tablename__ = "dossier_requirements"

    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), primary_key=True
    )
    #: When the requirement was switched on (UTC).
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
