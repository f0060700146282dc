"""API tokens: created by an admin, shown once, stored as SHA-256, revocable.

A token is ``sat_`` and 43 URL-safe characters (256 random bits). Such a token
cannot be guessed, so a plain SHA-256 is enough to keep the stored hashes
useless to a thief (a slow, salted hash protects low-entropy passwords, not
random keys) and lets a request be checked with one indexed lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import Agency, User, utcnow
from surveyapp.models.admin import TOKEN_SCOPES, ApiToken
from surveyapp.services import audit

TOKEN_PREFIX = "sat_"  # noqa: S105 - a marker that makes leaked tokens easy to find, not a secret
MAX_NAME_LENGTH = 100
#: A token's lifetime unless its creator chooses another (ASVS 3.5.2), and the longest.
DEFAULT_DAYS = 365
MAX_DAYS = 3650
#: ``last_used_at`` is written at most this often per token, so reads stay reads.
USE_RESOLUTION = dt.timedelta(minutes=10)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    name: str,
    agency_code: str | None,
    *,
    actor: User | None,
    days: int = DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """Create a token for one agency (``agency_code``) or the whole city (None).

    It expires ``days`` days from now (1 to ``MAX_DAYS``).

    Returns the row and the token itself, which is never stored and cannot be shown again.
    """
    clean = " ".join(name.split())
    problems = []
    if not clean:
        problems.append(Problem("name: say what the token is for"))
    elif len(clean) > MAX_NAME_LENGTH:
        problems.append(Problem("name: at most %(n)s characters", n=MAX_NAME_LENGTH))
    agency = None
    if agency_code:
        agency = session.scalar(select(Agency).where(Agency.code == agency_code.strip().upper()))
        if agency is None:
            problems.append(Problem("agency: no agency with code %(code)r", code=agency_code))
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        problems.append(Problem("days: a whole number of days from 1 to %(n)s", n=MAX_DAYS))
    if problems:
        raise InputError(problems)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=clean,
        token_hash=hash_token(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        scope=TOKEN_SCOPES[0] if agency is not None else TOKEN_SCOPES[1],
        agency=agency,
        created_by_id=actor.id if actor is not None else None,
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "api_token.create",
        f"api_token:{token.id}",
        {
            "name": clean,
            "scope": token.scope,
            "agency": agency.code if agency else None,
            "expires_at": token.expires_at.isoformat(timespec="seconds"),
        },
    )
    return token, raw


def list_tokens(session: Session) -> list[ApiToken]:
    query = select(ApiToken).options(selectinload(ApiToken.agency)).order_by(ApiToken.id)
    return list(session.scalars(query))


def revoke(session: Session, token_id: int, *, actor: User | None) -> ApiToken:
    """Revoke a token; it authorises nothing from now on."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(f"no API token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "api_token.revoke", f"api_token:{token.id}", {})
    return token


def is_expired(token: ApiToken, now: dt.datetime | None = None) -> bool:
    return (now or utcnow()) >= token.expires_at


def find_token(session: Session, raw: str) -> ApiToken | None:
    """Return the token ``raw`` unless unknown or revoked (it may have expired: ``is_expired``)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(raw))
        .options(selectinload(ApiToken.agency))
    )
    if token is None or token.revoked_at is not None:
        return None
    return token


def note_use(session: Session, token_id: int, now: dt.datetime | None = None) -> None:
    """Record that a token was used, at most once per ``USE_RESOLUTION``."""
    now = now or utcnow()
    token = session.get(ApiToken, token_id)
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION
    ):
        token.last_used_at = now


def may_read_agency(token: ApiToken, agency_id: int) -> bool:
    return token.scope == "city" or token.agency_id == agency_id


def may_read_city(token: ApiToken) -> bool:
    return token.scope == "city"
