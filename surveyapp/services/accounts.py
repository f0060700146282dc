"""Staff accounts: users, password hashing and throttled sign-in.

Passwords are hashed with scrypt (Werkzeug's ``generate_password_hash``), a
memory-hard KDF in the standard library, so no extra dependency is needed.

Sign-in attempts are throttled per account and per client address with rows in
the database (``login_failures``), so every gunicorn worker and machine sees
the same counts without Redis. An attempt is counted *before* its password is
checked and uncounted when it succeeds, so concurrent guesses cannot slip past
the limit. Only keyed hashes (HMAC with the secret key) of the typed e-mail and
of the address are stored.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp.db import Database
from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import ROLES, Agency, LoginFailure, User, utcnow
from surveyapp.models.accounts import MAX_EMAIL_LENGTH
from surveyapp.services import audit

MIN_PASSWORD_LENGTH = 12
#: Long enough for any passphrase, short enough that hashing it costs nothing extra.
MAX_PASSWORD_LENGTH = 1024
PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hash method name, not a password
EMAIL_PATTERN = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+")
#: PostgreSQL advisory lock namespaces for the two throttling keys.
_LOCK_ACCOUNT = 0x5375
_LOCK_IP = 0x5376


@dataclass(frozen=True)
class LoginLimits:
    """How many failed sign-ins are allowed per account and per address in a window."""

    window: dt.timedelta = dt.timedelta(minutes=15)
    per_account: int = 5
    per_ip: int = 20


@dataclass(frozen=True)
class LoginOutcome:
    """The signed-in user, or None; ``retry_after`` (seconds) when the attempt was refused."""

    user: User | None
    retry_after: int | None = None


# -- e-mail and password rules ------------------------------------------------------------


def normalise_email(raw: str) -> str:
    """Return the e-mail stripped and lower-cased; raise InputError when it is not one."""
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH:
        raise InputError(
            Problem("an e-mail address has at most %(n)s characters", n=MAX_EMAIL_LENGTH)
        )
    if not EMAIL_PATTERN.fullmatch(email):
        raise InputError(Problem("not an e-mail address: %(value)r", value=raw))
    return email


def check_password_policy(password: str) -> None:
    """Raise InputError when ``password`` is too short or too long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            Problem("the password must be at least %(n)s characters long", n=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(
            Problem("the password must be at most %(n)s characters long", n=MAX_PASSWORD_LENGTH)
        )


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


@functools.cache
def _dummy_hash() -> str:
    # Checked for unknown accounts so they cost the same time as known ones.
    return hash_password(secrets.token_urlsafe(24))


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """Return HMAC-SHA256(secret, purpose:value) in hex: linkable, not reversible."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


# -- users ---------------------------------------------------------------------------------


def get_user(session: Session, email: str) -> User:
    """Return the user with this e-mail; raise NotFoundError when there is none."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(f"no user with e-mail {email.strip()!r}")
    return user


def list_users(session: Session) -> list[User]:
    query = select(User).options(selectinload(User.agency)).order_by(User.email)
    return list(session.scalars(query))


def check_new_user(
    session: Session, email: str, role: str, agency_code: str | None
) -> Agency | None:
    """Check a user about to be added; return its agency. Raise InputError naming every problem."""
    problems = []
    try:
        clean = normalise_email(email)
    except InputError as exc:
        problems.extend(exc.messages)
    else:
        if session.scalar(select(User.id).where(User.email == clean)) is not None:
            problems.append(Problem("a user with e-mail %(email)r already exists", email=clean))
    agency = None
    if role not in ROLES:
        problems.append(
            Problem(
                "the role must be one of %(roles)s, not %(role)r", roles=", ".join(ROLES), role=role
            )
        )
    elif role == "agency" and not agency_code:
        problems.append(Problem("an agency user needs --agency CODE"))
    elif role != "agency" and agency_code:
        problems.append(
            Problem(
                "only agency users belong to an agency; a %(role)s sees every agency", role=role
            )
        )
    if agency_code and role == "agency":
        agency = session.scalar(select(Agency).where(Agency.code == agency_code.strip().upper()))
        if agency is None:
            problems.append(Problem("no agency with code %(code)r", code=agency_code))
    if problems:
        raise InputError(problems)
    return agency


def add_user(
    session: Session,
    email: str,
    role: str,
    agency_code: str | None,
    password: str,
    *,
    actor: User | None = None,
    via: str = "cli",
) -> User:
    """Add a user; raise InputError for a bad e-mail, role/agency pair or password."""
    agency = check_new_user(session, email, role, agency_code)
    check_password_policy(password)
    user = User(
        email=normalise_email(email),
        role=role,
        agency=agency,
        password_hash=hash_password(password),
        active=True,
        session_version=1,
    )
    session.add(user)
    session.flush()
    detail: dict[str, Any] = {"role": role, "via": via}
    if agency is not None:
        detail["agency"] = agency.code
    audit.record(session, actor, "user.add", f"user:{user.email}", detail)
    return user


def set_active(
    session: Session, email: str, active: bool, *, actor: User | None = None, via: str = "cli"
) -> User:
    """Enable or disable a user; disabling ends every session the user has."""
    user = get_user(session, email)
    if user.active != active:
        user.active = active
        user.session_version += 1
        action = "user.enable" if active else "user.disable"
        audit.record(session, actor, action, f"user:{user.email}", {"via": via})
    return user


def set_password(
    session: Session,
    email: str,
    password: str,
    *,
    secret: str,
    actor: User | None = None,
    via: str = "cli",
) -> User:
    """Replace a user's password, end the user's other sessions and lift its sign-in lock."""
    check_password_policy(password)
    user = get_user(session, email)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_version += 1
    account_key = keyed_hash(secret, "login-account", user.email)
    session.execute(delete(LoginFailure).where(LoginFailure.account_key == account_key))
    audit.record(session, actor, "user.set_password", f"user:{user.email}", {"via": via})
    return user


def set_language(session: Session, user_id: int, language: str) -> None:
    """Keep ``language`` (``vi`` or ``en``) as the user's language of staff pages and reports."""
    if language not in ("vi", "en"):
        raise InputError(Problem("language: must be vi or en, not %(value)r", value=language))
    user = session.get(User, user_id)
    if user is not None and user.language != language:
        user.language = language
        audit.record(session, user, "user.language", f"user:{user.email}", {"language": language})


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of a user (signing out); the next sign-in starts a new one."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1


def load_session_user(session: Session, session_id: str) -> User | None:
    """Return the active user whose current session id is ``session_id``, else None.

    The user's agency is loaded too, so the user stays usable after ``session`` closes.
    """
    user_id, _, version = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = session.get(User, int(user_id), options=[selectinload(User.agency)])
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


# -- sign-in -------------------------------------------------------------------------------


def authenticate(
    database: Database,
    email: str,
    password: str,
    *,
    secret: str,
    address: str,
    limits: LoginLimits | None = None,
    now: dt.datetime | None = None,
) -> LoginOutcome:
    """Check a sign-in attempt, throttled per account and per address, and audit it.

    Unknown e-mail, wrong password and disabled user all give the same outcome
    after the same work (one scrypt check).
    """
    limits = limits or LoginLimits()
    now = now or utcnow()
    typed = email.strip().lower()
    account_key, ip_key = attempt_keys(secret, typed, address)
    wait = count_attempt(database, account_key, ip_key, limits, now)
    if wait:
        return LoginOutcome(None, retry_after=wait)
    # The slow hash runs outside the write transaction, which would hold SQLite's lock.
    with database.session() as session:
        user = session.scalar(select(User).where(User.email == typed))
    stored = user.password_hash if user is not None else _dummy_hash()
    matches = check_password_hash(stored, password)
    client = {"client": ip_key[:16]}
    target = f"user:{typed}" if EMAIL_PATTERN.fullmatch(typed) else None
    with database.write() as session:
        if user is not None and matches and user.active:
            fresh = session.get(User, user.id)
            if fresh is not None and fresh.active:
                fresh.last_login_at = now
                # With a second factor, the attempt counts until its code is right too:
                # otherwise typing the password again would reset the code guesses.
                if not fresh.has_second_factor:
                    clear_attempts(session, account_key)
                audit.record(session, fresh, "login.success", target, client, at=now)
                return LoginOutcome(fresh)
        if user is None:
            reason = "unknown_user"
        elif not user.active:
            reason = "disabled"
        else:
            reason = "wrong_password"
        audit.record(session, None, "login.failure", target, {"reason": reason, **client}, at=now)
    return LoginOutcome(None)


def confirm_password(
    database: Database, user_id: int, password: str, *, secret: str, address: str
) -> LoginOutcome:
    """Check the signed-in user's password again (re-authentication), throttled like sign-in."""
    now = utcnow()
    with database.session() as session:
        user = session.get(User, user_id)
    if user is None:
        return LoginOutcome(None)
    account_key, ip_key = attempt_keys(secret, user.email, address)
    wait = count_attempt(database, account_key, ip_key, LoginLimits(), now)
    if wait:
        return LoginOutcome(None, retry_after=wait)
    matches = check_password_hash(user.password_hash, password)
    with database.write() as session:
        fresh = session.get(User, user_id)
        if fresh is not None and matches and fresh.active:
            if not fresh.has_second_factor:  # else cleared once the code is right too
                clear_attempts(session, account_key)
            audit.record(session, fresh, "reauth.success", f"user:{fresh.email}", at=now)
            return LoginOutcome(fresh)
        audit.record(session, None, "reauth.failure", f"user:{user.email}", at=now)
    return LoginOutcome(None)


def attempt_keys(secret: str, email: str, address: str) -> tuple[str, str]:
    """Return the throttling keys (account, address) of an attempt on ``email``."""
    account_key = keyed_hash(secret, "login-account", email.strip().lower())
    return account_key, keyed_hash(secret, "login-ip", address)


def count_attempt(
    database: Database, account_key: str, ip_key: str, limits: LoginLimits, now: dt.datetime
) -> int:
    """Count an attempt (password or second factor) before it is checked.

    Returns the seconds to wait when the account or the address is over its limit
    (nothing is counted then), else 0. ``clear_attempts`` uncounts a success.
    """
    with database.write() as session:
        _serialise(session, account_key, ip_key)
        session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - limits.window))
        wait = max(
            _wait(
                session, LoginFailure.account_key == account_key, limits.per_account, limits, now
            ),
            _wait(session, LoginFailure.ip_key == ip_key, limits.per_ip, limits, now),
        )
        if wait:
            return wait
        session.add(LoginFailure(account_key=account_key, ip_key=ip_key, failed_at=now))
    return 0


def clear_attempts(session: Session, account_key: str) -> None:
    """Forget an account's failed attempts (after it proved who it is)."""
    session.execute(delete(LoginFailure).where(LoginFailure.account_key == account_key))


def _serialise(session: Session, account_key: str, ip_key: str) -> None:
    """Make concurrent attempts on one account or address count one after another.

    SQLite write transactions already run one at a time (BEGIN IMMEDIATE); on
    PostgreSQL two transaction-scoped advisory locks do it, always taken in the
    same order so they cannot deadlock.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for namespace, key in ((_LOCK_ACCOUNT, account_key), (_LOCK_IP, ip_key)):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
            {"namespace": namespace, "key": int(key[:8], 16) - 2**31},
        )


def _wait(session: Session, where: Any, limit: int, limits: LoginLimits, now: dt.datetime) -> int:
    """Return the seconds until fewer than ``limit`` failures match ``where``, or 0."""
    times = session.scalars(
        select(LoginFailure.failed_at)
        .where(where, LoginFailure.failed_at > now - limits.window)
        .order_by(LoginFailure.failed_at.desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return 0
    return max(1, math.ceil((times[-1] + limits.window - now).total_seconds()))


def user_summary(user: User) -> Mapping[str, str]:
    """Return the plain fields shown for a user in listings."""
    return {
        "email": user.email,
        "role": user.role,
        "agency": user.agency.code if user.agency is not None else "-",
        "status": "active" if user.active else "disabled",
        "last_login": user.last_login_at.isoformat(timespec="seconds")
        if user.last_login_at
        else "never",
    }
