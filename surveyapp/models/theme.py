"""An agency's logo, kept in the database (app servers keep no files) apart from the agency.

The logo has a table of its own so that loading agencies never loads images.
The agency's theme colour is a column of ``agencies`` (surveyapp/models/core.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.core import Base, UTCDateTime, _in, utcnow

#: The only image types stored (and served); never SVG, which can carry scripts.
LOGO_CONTENT_TYPES = ("image/png", "image/jpeg")
#: Largest width or height of a stored logo, in pixels (uploads are scaled down to it).
LOGO_MAX_SIDE = 512


class AgencyLogo(Base):
    """An agency's logo, re-encoded from the upload (metadata stripped, at most 512 px)."""

    __tablename__ = "agency_logos"
    __table_args__ = (
        CheckConstraint(_in("content_type", LOGO_CONTENT_TYPES), name="content_type"),
        CheckConstraint(f"width BETWEEN 1 AND {LOGO_MAX_SIDE}", name="width"),
        CheckConstraint(f"height BETWEEN 1 AND {LOGO_MAX_SIDE}", name="height"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )
    #: ``image/png`` or ``image/jpeg``: the type of ``data``, sent as Content-Type.
    content_type: Mapped[str] = mapped_column(String(16))
    #: The re-encoded image.
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: Hex SHA-256 of ``data``: the logo's ETag and the version in its URL.
    sha256: Mapped[str] = mapped_column(String(64))
    #: Size in pixels, so pages can reserve the logo's space before it loads.
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: When the logo was uploaded (UTC): its Last-Modified.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
