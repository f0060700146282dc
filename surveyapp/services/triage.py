"""Response triage: reviewing quarantined responses, accepting or (soft) deleting them.

Report aggregates count accepted responses only, so every change of status here
changes them in the same transaction: an accepted response is added with
``reporting.aggregates.record``; deleting an accepted response recomputes its
agency's months of that version with ``reporting.aggregates.rebuild``.
Every action is written to the audit log with the reason given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from surveyapp.definitions import StoredAnswer
from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import Response, User
from surveyapp.reporting import aggregates
from surveyapp.services import audit

MAX_REASON_LENGTH = 500
#: Largest number of held responses listed on one page.
LIST_LIMIT = 200


@dataclass(frozen=True)
class HeldResponse:
    """A quarantined response as the triage page lists it."""

    id: int
    receipt_code: str
    agency_code: str
    agency_name: str
    slug: str
    version: int
    submitted_at: dt.datetime
    channel: str
    reason: str
    answers: int


def clean_reason(raw: str) -> str:
    """Return the reason stripped; raise InputError when empty or too long."""
    reason = " ".join(raw.split())
    if not reason:
        raise InputError(Problem("give a reason: it is recorded in the audit log"))
    if len(reason) > MAX_REASON_LENGTH:
        raise InputError(
            Problem("the reason must be at most %(n)s characters", n=MAX_REASON_LENGTH)
        )
    return reason


def count_held(session: Session) -> int:
    query = select(func.count()).select_from(Response).where(Response.status == "quarantined")
    return int(session.scalar(query) or 0)


def list_held(session: Session, *, limit: int = LIST_LIMIT) -> list[HeldResponse]:
    """Return the quarantined responses, oldest first (at most ``limit``)."""
    query = (
        select(Response)
        .where(Response.status == "quarantined")
        .options(
            selectinload(Response.agency),
            selectinload(Response.questionnaire_version),
            selectinload(Response.answers),
        )
        .order_by(Response.submitted_at, Response.id)
        .limit(limit)
    )
    return [
        HeldResponse(
            id=r.id,
            receipt_code=r.receipt_code,
            agency_code=r.agency.code,
            agency_name=r.agency.name_vi,
            slug=r.questionnaire_version.questionnaire.slug,
            version=r.questionnaire_version.version,
            submitted_at=r.submitted_at,
            channel=r.channel,
            reason=r.quarantine_reason or "",
            answers=len(r.answers),
        )
        for r in session.scalars(query)
    ]


def _load(session: Session, response_id: int) -> Response:
    response = session.scalar(
        select(Response)
        .where(Response.id == response_id)
        .options(selectinload(Response.answers), selectinload(Response.agency))
        .with_for_update()
    )
    if response is None:
        raise NotFoundError(f"no response {response_id}")
    return response


def accept(
    session: Session, response_id: int, reason: str, *, actor: User | None, timezone: str
) -> Response:
    """Accept a quarantined response: it counts in statistics from now on."""
    why = clean_reason(reason)
    response = _load(session, response_id)
    if response.status != "quarantined":
        raise InputError(
            Problem(
                "response %(id)s is %(status)s, not quarantined",
                id=response_id,
                status=response.status,
            )
        )
    held_for = response.quarantine_reason
    response.status = "accepted"
    response.quarantine_reason = None
    session.flush()
    answers = {
        a.question_key: StoredAnswer(a.value_num, a.value_text, a.is_na) for a in response.answers
    }
    aggregates.record(
        session,
        [
            aggregates.Submitted(
                response.questionnaire_version_id,
                response.agency_id,
                response.submitted_at,
                response.status,
                answers,
            )
        ],
        timezone,
    )
    audit.record(
        session,
        actor,
        "response.accept",
        f"response:{response.receipt_code}",
        {"reason": why, "held_for": held_for, "agency": response.agency.code},
    )
    return response


def delete(
    session: Session, response_id: int, reason: str, *, actor: User | None, timezone: str
) -> Response:
    """Soft-delete a response (quarantined or accepted): it leaves every statistic."""
    why = clean_reason(reason)
    response = _load(session, response_id)
    if response.status == "deleted":
        raise InputError(Problem("response %(id)s is already deleted", id=response_id))
    previous = response.status
    held_for = response.quarantine_reason
    response.status = "deleted"
    response.quarantine_reason = None
    session.flush()
    if previous == "accepted":
        aggregates.rebuild(
            session, response.questionnaire_version, timezone, agency_ids=[response.agency_id]
        )
    audit.record(
        session,
        actor,
        "response.delete",
        f"response:{response.receipt_code}",
        {
            "reason": why,
            "previous": previous,
            "held_for": held_for,
            "agency": response.agency.code,
        },
    )
    return response


def find_by_receipt(session: Session, receipt: str) -> Response:
    """Return the response with this receipt code (as printed, any case)."""
    found = session.scalar(select(Response).where(Response.receipt_code == receipt.strip().upper()))
    if found is None:
        raise NotFoundError(f"no response with receipt {receipt.strip()!r}")
    return found
