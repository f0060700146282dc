"""Counters of the one-stop shop and the kiosks enrolled at them.

A counter (``quầy``) is where a dossier is received or returned; ratings given
there arrive on the ``counter`` channel and name their counter, and optionally
the civil servant's staff code. A kiosk is a shared device an admin enrolled:
it proves itself with a device secret of which only a hash is kept.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.core import Agency, Base, UTCDateTime, utcnow


class Counter(Base):
    """One counter of one agency's one-stop shop, known by a short code."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    #: Short code printed at the counter and used in links (``?counter=3``).
    code: Mapped[str] = mapped_column(String(32))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    #: An inactive counter takes no new ratings; its past ratings stay counted.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()


class Kiosk(Base):
    """A shared device enrolled by an admin to take ratings at one counter."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id", ondelete="SET NULL"))
    #: What the admin calls the device ("Máy tính bảng quầy 3").
    label: Mapped[str] = mapped_column(String(200))
    #: SHA-256 hex digest of the device secret; the secret itself is shown once.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship()
    counter: Mapped[Counter | None] = relationship()
