"""Kiosks: shared devices an admin enrolled at a counter, known by a device secret.

The secret (``kio_`` and 43 URL-safe characters, 256 random bits) is shown once,
as a link and QR code that the device opens; only its SHA-256 is stored (as for
API tokens, a random key needs no slow hash). The device then keeps it in a
cookie and sends it with every page and answer; a revoked or unknown secret is
refused. ``last_seen_at`` is written at most once a minute per kiosk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import User, utcnow
from surveyapp.models.counters import Counter, Kiosk
from surveyapp.services.counters import get_counter

SECRET_PREFIX = "kio_"  # noqa: S105 - a marker that makes leaked secrets easy to find
MAX_SECRET_LENGTH = 100
MAX_LABEL_LENGTH = 200
SEEN_RESOLUTION = dt.timedelta(minutes=1)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def enrol(
    session: Session, agency_code: str, counter_code: str, label: str, *, actor: User | None
) -> tuple[Kiosk, str]:
    """Enrol a kiosk at a counter; return the row and the secret (never stored, shown once)."""
    counter = get_counter(session, agency_code, counter_code)
    clean = " ".join(label.split())
    if not clean or len(clean) > MAX_LABEL_LENGTH:
        raise InputError(
            Problem("the device's name must be 1-%(n)s characters", n=MAX_LABEL_LENGTH)
        )
    if not counter.active:
        raise InputError(Problem("counter %(code)s is inactive", code=counter.code))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    kiosk = Kiosk(
        agency_id=counter.agency_id,
        counter_id=counter.id,
        label=clean,
        secret_hash=hash_secret(secret),
        created_by=actor.id if actor is not None else None,
    )
    session.add(kiosk)
    session.flush()
    return kiosk, secret


def revoke(session: Session, kiosk_id: int) -> Kiosk:
    """Revoke a kiosk: its pages become ordinary forms and its queued answers are refused."""
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise NotFoundError(f"no kiosk {kiosk_id}")
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utcnow()
        session.flush()
    return kiosk


def list_kiosks(session: Session, agency_id: int | None = None) -> list[Kiosk]:
    """Return kiosks (of one agency, or all), newest first, with their counter."""
    query = (
        select(Kiosk)
        .options(selectinload(Kiosk.counter), selectinload(Kiosk.agency))
        .order_by(Kiosk.created_at.desc(), Kiosk.id.desc())
    )
    if agency_id is not None:
        query = query.where(Kiosk.agency_id == agency_id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class KioskInfo:
    """A kiosk as a request sees it."""

    id: int
    agency_id: int
    agency_code: str
    counter_id: int | None
    counter_code: str | None
    revoked: bool


def identify(
    session: Session, raw: str | None, *, now: dt.datetime | None = None
) -> KioskInfo | None:
    """Return the kiosk whose secret is ``raw`` (revoked ones too), noting its contact.

    None for no secret or one no kiosk has. The caller's transaction stores the
    contact time; a revoked kiosk's contact is noted as well (the console shows it).
    """
    if not raw or len(raw) > MAX_SECRET_LENGTH or not raw.startswith(SECRET_PREFIX):
        return None
    kiosk = session.scalar(
        select(Kiosk)
        .where(Kiosk.secret_hash == hash_secret(raw))
        .options(selectinload(Kiosk.counter), selectinload(Kiosk.agency))
    )
    if kiosk is None:
        return None
    moment = now or utcnow()
    if kiosk.last_seen_at is None or moment - kiosk.last_seen_at >= SEEN_RESOLUTION:
        kiosk.last_seen_at = moment
        session.flush()
    counter: Counter | None = kiosk.counter
    return KioskInfo(
        kiosk.id,
        kiosk.agency_id,
        kiosk.agency.code,
        kiosk.counter_id,
        counter.code if counter else None,
        kiosk.revoked_at is not None,
    )
