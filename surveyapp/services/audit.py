"""The audit log: who did what to which thing, and when.

Every sign-in (success and failure), sign-out, change to a user and download
is recorded with ``record`` in the same transaction as the thing it records.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.models import AuditEvent, User, utcnow

#: Largest detail object stored, as JSON text; the log is for facts, not payloads.
MAX_DETAIL_BYTES = 2048
MAX_ACTION_LENGTH = 64
MAX_TARGET_LENGTH = 255


def record(
    session: Session,
    user: User | None,
    action: str,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Add one audit event to ``session`` (the caller's transaction commits it).

    ``user`` is the actor (None for anonymous attempts and the command line);
    its e-mail is copied so the event keeps meaning if the user changes.
    ``detail`` must be a small JSON object. Raises ValueError otherwise.
    """
    if not action or len(action) > MAX_ACTION_LENGTH:
        raise ValueError(f"an audit action must be 1-{MAX_ACTION_LENGTH} characters")
    clean_detail = dict(detail or {})
    encoded = json.dumps(clean_detail, ensure_ascii=False, sort_keys=True)
    if len(encoded.encode("utf-8")) > MAX_DETAIL_BYTES:
        raise ValueError(f"an audit detail must be at most {MAX_DETAIL_BYTES} bytes of JSON")
    event = AuditEvent(
        occurred_at=at or utcnow(),
        user_id=user.id if user is not None else None,
        user_email=user.email if user is not None else None,
        action=action,
        target=target[:MAX_TARGET_LENGTH] if target is not None else None,
        detail=json.loads(encoded),
    )
    session.add(event)
    session.flush()
    return event


def recent(session: Session, *, limit: int = 100, action: str | None = None) -> list[AuditEvent]:
    """Return the newest events first, optionally only those of one action."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query.limit(limit)))
