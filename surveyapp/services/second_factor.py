"""The second factor of staff sign-in: TOTP codes (RFC 6238) and recovery codes.

Admins must have one; an admin may require it of inspectors or agency users too
(``role_policies``). Enrolment stores a new secret, shows it as a QR code and
counts only once the user has typed a code it generates; ten single-use
recovery codes are then shown once and stored as SHA-256 hashes.

A code is accepted for the current 30-second step or the one either side (a
phone's clock may be off by a few seconds), and only for a step later than the
last one accepted: a code seen over a shoulder, or replayed, opens nothing.
Code attempts are counted with the password attempts (``accounts.count_attempt``),
so the same limits hold for guessing either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from surveyapp.db import Database
from surveyapp.errors import InputError, Problem
from surveyapp.models import ROLES, RecoveryCode, RolePolicy, User, utcnow
from surveyapp.services import accounts, audit

ISSUER = "surveyapp"
STEP_SECONDS = 30
#: Steps accepted either side of the current one (RFC 6238 section 5.2: one is enough).
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
#: Characters of a recovery code: base32's, which cannot be misread (no 0, 1, 8).
_RECOVERY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_RECOVERY_LENGTH = 12  # 60 random bits, shown as XXXX-XXXX-XXXX
#: Roles an admin may require a second factor of (admins always need one).
OPTIONAL_ROLES = tuple(r for r in ROLES if r != "admin")


@dataclass(frozen=True)
class CodeOutcome:
    """Whether a code was accepted; ``retry_after`` (seconds) when the attempt was refused."""

    ok: bool
    retry_after: int | None = None
    recovery: bool = False


# -- policy --------------------------------------------------------------------------------


def required_roles(session: Session) -> set[str]:
    """Return the roles whose users must have a second factor (always ``admin``)."""
    rows = session.scalars(
        select(RolePolicy.role).where(RolePolicy.second_factor_required.is_(True))
    )
    return {"admin", *rows}


def is_required(session: Session, user: User) -> bool:
    return user.role in required_roles(session)


def set_required(
    session: Session, role: str, required: bool, *, actor: User | None, via: str = "web"
) -> None:
    """Require (or stop requiring) a second factor of the users of ``role``."""
    if role not in OPTIONAL_ROLES:
        raise InputError(
            Problem(
                "role: one of %(roles)s, not %(role)r", roles=", ".join(OPTIONAL_ROLES), role=role
            )
        )
    policy = session.get(RolePolicy, role)
    if policy is None:
        policy = RolePolicy(role=role, second_factor_required=required)
        session.add(policy)
    elif policy.second_factor_required == required:
        return
    policy.second_factor_required = required
    policy.updated_at = utcnow()
    audit.record(
        session, actor, "second_factor.policy", f"role:{role}", {"required": required, "via": via}
    )


# -- enrolment -----------------------------------------------------------------------------


def pending_secret(session: Session, user_id: int) -> str:
    """Return the user's unconfirmed secret, making one when there is none.

    Reloading the enrolment page keeps the secret already scanned.
    """
    user = session.get(User, user_id)
    if user is None:
        raise InputError(Problem("no such user"))
    if user.has_second_factor:
        raise InputError(Problem("this account already has a second factor"))
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def provisioning_uri(email: str, secret: str) -> str:
    """Return the ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """Return the QR code of ``uri`` as an SVG data URI (allowed by the pages' CSP)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def confirm(
    database: Database, user_id: int, code: str, *, secret: str, address: str
) -> tuple[CodeOutcome, list[str]]:
    """Confirm enrolment with a code from the new secret; return the recovery codes."""
    with database.session() as session:
        user = session.get(User, user_id)
        email = user.email if user is not None else ""
    account_key, ip_key = accounts.attempt_keys(secret, email, address)
    now = utcnow()
    wait = accounts.count_attempt(database, account_key, ip_key, accounts.LoginLimits(), now)
    if wait:
        return CodeOutcome(False, retry_after=wait), []
    with database.write() as session:
        user = session.get(User, user_id)
        if user is None or user.totp_secret is None or user.has_second_factor:
            return CodeOutcome(False), []
        step = _matching_step(user.totp_secret, None, code, now)
        if step is None:
            return CodeOutcome(False), []
        user.totp_confirmed_at = now
        user.totp_last_step = step
        codes = _new_recovery_codes(session, user)
        accounts.clear_attempts(session, account_key)
        audit.record(session, user, "second_factor.enrol", f"user:{user.email}")
    return CodeOutcome(True), codes


# -- checking codes ------------------------------------------------------------------------


def verify(
    database: Database,
    user_id: int,
    code: str,
    *,
    secret: str,
    address: str,
    limits: accounts.LoginLimits | None = None,
    now: dt.datetime | None = None,
) -> CodeOutcome:
    """Check a TOTP or recovery code of an enrolled user, throttled like passwords."""
    limits = limits or accounts.LoginLimits()
    now = now or utcnow()
    with database.session() as session:
        user = session.get(User, user_id)
        email = user.email if user is not None else ""
    account_key, ip_key = accounts.attempt_keys(secret, email, address)
    wait = accounts.count_attempt(database, account_key, ip_key, limits, now)
    if wait:
        return CodeOutcome(False, retry_after=wait)
    with database.write() as session:
        user = session.get(User, user_id)
        if user is None or not user.active or not user.has_second_factor:
            return CodeOutcome(False)
        outcome = _use_code(session, user, code, now)
        if outcome.ok:
            accounts.clear_attempts(session, account_key)
            detail = {"kind": "recovery" if outcome.recovery else "totp"}
            audit.record(session, user, "second_factor.success", f"user:{user.email}", detail)
        else:
            audit.record(session, None, "second_factor.failure", f"user:{user.email}")
    return outcome


def _use_code(session: Session, user: User, code: str, now: dt.datetime) -> CodeOutcome:
    typed = "".join(code.split())
    if typed.isascii() and typed.isdigit() and len(typed) == 6:
        assert user.totp_secret is not None
        step = _matching_step(user.totp_secret, user.totp_last_step, typed, now)
        if step is None:
            return CodeOutcome(False)
        # Only if no other request took this step meanwhile (one UPDATE, any backend).
        taken = session.execute(
            update(User)
            .where(User.id == user.id)
            .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        session.expire(user)
        return CodeOutcome(taken.rowcount == 1)  # type: ignore[attr-defined]
    used = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id)
        .where(RecoveryCode.code_hash == _recovery_hash(typed))
        .where(RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return CodeOutcome(used.rowcount == 1, recovery=True)  # type: ignore[attr-defined]


def _matching_step(secret: str, last_step: int | None, code: str, now: dt.datetime) -> int | None:
    """Return the step (later than ``last_step``) whose code is ``code``, or None."""
    typed = "".join(code.split())
    if not (typed.isascii() and typed.isdigit() and len(typed) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), typed):
            return step
    return None


# -- recovery codes and resets -------------------------------------------------------------


def _recovery_hash(code: str) -> str:
    clean = code.replace("-", "").strip().upper()
    return hashlib.sha256(clean.encode("utf-8")).hexdigest()


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
        session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    return codes


def recovery_codes_left(session: Session, user_id: int) -> int:
    query = select(RecoveryCode.id).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
    )
    return len(session.scalars(query).all())


def reset(session: Session, email: str, *, actor: User | None, via: str = "cli") -> User:
    """Remove a user's second factor and recovery codes; the user's sessions end.

    An admin (or a user of a role that requires one) enrols again at the next sign-in.
    """
    user = accounts.get_user(session, email)
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.session_version += 1
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(session, actor, "second_factor.reset", f"user:{user.email}", {"via": via})
    return user
