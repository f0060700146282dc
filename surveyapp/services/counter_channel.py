"""The counter channel's part of a submission: counter, officer, time given, client nonce.

A kiosk sends each rating with its own random nonce (its idempotency key: a
rating sent again from the offline queue returns the first receipt), the time
the person gave it and how long they took. ``adopt`` makes the checked form
token carry that nonce and a fill start such that the ordinary too-fast check
measures the person's own time; ``record`` stores the counter fields of the
response in the submission's write transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.orm import Session

from surveyapp.models import Response

if TYPE_CHECKING:
    from surveyapp.services.submissions import FormContext

NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: A staff code as printed on a civil servant's badge ("CB-0123").
OFFICER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


@dataclass(frozen=True)
class CounterFields:
    """What a counter rating carries besides its answers."""

    counter_id: int
    #: The device's own idempotency key of this rating.
    nonce: str
    #: When the person gave the answers (UTC).
    given_at: dt.datetime
    #: Seconds the person took from the first touch to sending.
    fill_seconds: float
    officer_code: str | None = None


def clean_officer(raw: str | None) -> str | None:
    """Return a staff code in its stored form (None when absent); ValueError when malformed."""
    if raw is None or not raw.strip():
        return None
    code = raw.strip().upper()
    if not OFFICER_RE.fullmatch(code):
        raise ValueError("officer: use 1-32 letters, digits, '.', '-' or '_'")
    return code


def adopt(context: FormContext, fields: CounterFields | None) -> FormContext:
    """Return ``context`` with the device's nonce and the person's own fill start."""
    if fields is None:
        return context
    started = int(time.time() - max(0.0, fields.fill_seconds))
    token = replace(context.token, nonce=fields.nonce, issued_at=started)
    return replace(context, token=token)


def record(session: Session, response_id: int, fields: CounterFields | None) -> None:
    """Store the counter, officer and time given of a just stored response."""
    if fields is None:
        return
    session.execute(
        update(Response)
        .where(Response.id == response_id)
        .values(
            counter_id=fields.counter_id,
            officer_code=fields.officer_code,
            given_at=fields.given_at,
        )
    )
