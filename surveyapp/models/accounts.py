"""Staff accounts, failed sign-in attempts and the audit log.

Roles: ``admin`` may do everything, ``inspector`` reads every agency's reports
and the city-wide report, ``agency`` reads its own agency's reports and embed
settings only. An agency user has an agency; no other user does (a check
constraint says so).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from surveyapp.models.core import Agency, Base, UTCDateTime, utcnow

ROLES = ("admin", "inspector", "agency")
MAX_EMAIL_LENGTH = 254


class User(Base):
    """A staff member who signs in to read reports or manage the platform."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),
        CheckConstraint("(role = 'agency') = (agency_id IS NOT NULL)", name="agency_role"),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
        CheckConstraint("language IN ('vi', 'en')", name="language"),
        Index(None, "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Sign-in name: the e-mail address, stripped and lower-cased.
    email: Mapped[str] = mapped_column(String(MAX_EMAIL_LENGTH), unique=True)
    #: ``admin``, ``inspector`` or ``agency``.
    role: Mapped[str] = mapped_column(String(16))
    #: The agency whose reports an ``agency`` user reads; NULL for other roles.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    #: Werkzeug password hash (scrypt), with its method and salt.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Disabled users cannot sign in and their sessions stop working.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Part of the session's user id; raising it ends every existing session.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last successful sign-in (UTC), NULL before the first.
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The TOTP (RFC 6238) secret in base32; set when enrolment starts, NULL without one.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: When the user confirmed the secret with a code; the second factor counts from then.
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The time step (Unix time // 30) of the last code accepted: no code is used twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    #: The language of the staff pages and reports for this user: ``vi`` or ``en``.
    language: Mapped[str] = mapped_column(String(2), default="vi", server_default="vi")

    agency: Mapped[Agency | None] = relationship()

    @property
    def has_second_factor(self) -> bool:
        """Whether the user signs in with a TOTP code after the password."""
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Return the id stored in the session: changes when the sessions must end."""
        return f"{self.id}:{self.session_version}"


class RecoveryCode(Base):
    """A single-use code that stands in for a TOTP code (a lost phone); shown once.

    Only the SHA-256 of the code is stored: a code has 60 random bits, and sign-in
    attempts are throttled, so a slow hash would add nothing.
    """

    __tablename__ = "recovery_codes"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: SHA-256 (hex) of the code without its dashes, upper-case.
    code_hash: Mapped[str] = mapped_column(String(64))
    #: When it was used (UTC); a used code opens nothing.
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class RolePolicy(Base):
    """Whether a role's users must sign in with a second factor (admins always must)."""

    __tablename__ = "role_policies"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),
    )

    #: ``inspector`` or ``agency`` (a row for ``admin`` changes nothing).
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: Users of the role without a second factor are sent to enrol after the password.
    second_factor_required: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginFailure(Base):
    """One failed (or still running) sign-in attempt, counted to throttle guessing.

    Rows older than the throttling window are deleted as new attempts arrive.
    Neither the address nor the typed e-mail is stored: only keyed hashes.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index(None, "account_key", "failed_at"),
        Index(None, "ip_key", "failed_at"),
        Index(None, "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: HMAC-SHA256 (secret key) of the normalised e-mail that was typed.
    account_key: Mapped[str] = mapped_column(String(64))
    #: HMAC-SHA256 (secret key) of the client's IP address.
    ip_key: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """Who did what to which thing, and when: sign-ins, user management, downloads.

    Rows are never changed or deleted by the application.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index(None, "occurred_at"),
        Index(None, "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The acting user; NULL for anonymous attempts and the command line.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The acting user's e-mail at the time (kept if the user row changes).
    user_email: Mapped[str | None] = mapped_column(String(MAX_EMAIL_LENGTH))
    #: A dotted verb such as ``login.success``, ``user.add`` or ``report.download``.
    action: Mapped[str] = mapped_column(String(64))
    #: What was acted on, e.g. ``user:a@b.gov.vn`` or ``agency:Q1``.
    target: Mapped[str | None] = mapped_column(String(255))
    #: A small JSON object with the particulars (reason, format, period...).
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@event.listens_for(Session, "before_flush")
def _audit_log_is_append_only(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise ValueError("audit events are never deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise ValueError("audit events are never changed")
