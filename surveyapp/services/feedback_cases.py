"""Feedback cases of an agency: deadlines, answering, closing, lookup, figures, erasure.

A case is due on the agency's n-th working day (Monday-Friday) after the local day it
was left (``agency_case_settings``, 10 days unless set). It is *overdue* while it has
no answer after that day, *answered on time* when the answer's local day is at most
that day. Days to answer are elapsed days (fractional) from the case to its answer.
Contact details are erased by the retention run once a case has been closed for the
retention period of its questionnaire (at the first run after closing when the
questionnaire keeps free text indefinitely: a contact only serves the answer).
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import (
    Agency,
    AgencyCaseSetting,
    CaseContact,
    FeedbackCase,
    QuestionnaireVersion,
    Response,
    User,
    utcnow,
)
from surveyapp.models.feedback import DEFAULT_DEADLINE_DAYS, MAX_ANSWER_TEXT, MAX_DEADLINE_DAYS
from surveyapp.services import audit

STATES = ("open", "overdue", "answered", "closed", "all")


def add_working_days(start: dt.date, days: int) -> dt.date:
    """Return the ``days``-th working day (Monday-Friday) after ``start``."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def due_on(created: dt.date, deadline_days: int) -> dt.date:
    """Return the last local day on which a case left on ``created`` is answered on time."""
    return add_working_days(created, deadline_days)


def deadline_days_of(session: Session, agency_id: int) -> int:
    setting = session.get(AgencyCaseSetting, agency_id)
    return DEFAULT_DEADLINE_DAYS if setting is None else setting.deadline_days


def set_deadline_days(session: Session, actor: User | None, agency_id: int, days: int) -> None:
    """Set an agency's deadline for new cases (1-90 working days), audited."""
    if not 1 <= days <= MAX_DEADLINE_DAYS:
        raise InputError(
            Problem("the deadline must be 1 to %(n)s working days", n=MAX_DEADLINE_DAYS)
        )
    setting = session.get(AgencyCaseSetting, agency_id)
    if setting is None:
        setting = AgencyCaseSetting(agency_id=agency_id, deadline_days=days)
        session.add(setting)
    setting.deadline_days = days
    audit.record(session, actor, "case.deadline", f"agency:{agency_id}", {"days": days})


def local_day(moment: dt.datetime, timezone: str) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def is_overdue(case: FeedbackCase, today: dt.date) -> bool:
    return case.answered_at is None and today > case.due_on


def state_of(case: FeedbackCase, today: dt.date) -> str:
    if case.closed_at is not None:
        return "closed"
    if case.answered_at is not None:
        return "answered"
    return "overdue" if is_overdue(case, today) else "open"


def list_cases(
    session: Session, agency_ids: Sequence[int], state: str, today: dt.date
) -> list[FeedbackCase]:
    """Return the cases of ``agency_ids`` in ``state`` (see STATES), oldest first."""
    if state not in STATES:
        raise InputError(Problem("state must be one of %(states)s", states=", ".join(STATES)))
    query = (
        select(FeedbackCase)
        .where(FeedbackCase.agency_id.in_(list(agency_ids)))
        .options(selectinload(FeedbackCase.agency), selectinload(FeedbackCase.response))
        .order_by(FeedbackCase.due_on, FeedbackCase.id)
    )
    if state in ("open", "overdue"):
        query = query.where(FeedbackCase.answered_at.is_(None))
    if state == "overdue":
        query = query.where(FeedbackCase.due_on < today)
    if state == "answered":
        query = query.where(FeedbackCase.answered_at.is_not(None), FeedbackCase.closed_at.is_(None))
    if state == "closed":
        query = query.where(FeedbackCase.closed_at.is_not(None))
    return list(session.scalars(query))


def get_case(session: Session, case_id: int, agency_ids: Iterable[int]) -> FeedbackCase:
    """Return case ``case_id`` when it is one of ``agency_ids``'; NotFoundError otherwise."""
    case = session.get(FeedbackCase, case_id)
    if case is None or case.agency_id not in set(agency_ids):
        raise NotFoundError("no such case")
    return case


def answer_case(
    session: Session, actor: User, case: FeedbackCase, text: str, *, now: dt.datetime | None = None
) -> None:
    """Store (or correct, while open) the agency's answer; audited."""
    answer = text.replace("\r\n", "\n").strip()
    if not answer:
        raise InputError(Problem("the answer is empty"))
    if len(answer) > MAX_ANSWER_TEXT:
        raise InputError(Problem("the answer is longer than %(n)s characters", n=MAX_ANSWER_TEXT))
    if case.closed_at is not None:
        raise InputError(Problem("the case is closed"))
    first = case.answered_at is None
    case.answer = answer
    if first:
        case.answered_at = now or utcnow()
    case.answered_by_id = actor.id
    audit.record(
        session, actor, "case.answer", f"case:{case.id}", {"first": first, "agency": case.agency_id}
    )


def close_case(
    session: Session, actor: User, case: FeedbackCase, *, now: dt.datetime | None = None
) -> None:
    """Close an answered case; audited."""
    if case.answered_at is None:
        raise InputError(Problem("answer the case before closing it"))
    if case.closed_at is not None:
        raise InputError(Problem("the case is closed already"))
    case.closed_at = now or utcnow()
    case.closed_by_id = actor.id
    audit.record(session, actor, "case.close", f"case:{case.id}", {"agency": case.agency_id})


@dataclass(frozen=True)
class Lookup:
    """What ``/r/<receipt>`` shows: the case, its state and its answer, nothing else."""

    kind: str
    text: str
    created_on: dt.date
    due_on: dt.date
    answer: str | None
    answered_on: dt.date | None
    closed: bool
    agency_vi: str
    agency_en: str
    #: The agency's embed origins: the page may be framed where the form was.
    origins: tuple[str, ...]


def lookup(session: Session, receipt: str, timezone: str) -> Lookup:
    """Return the case left with ``receipt``; NotFoundError when there is none."""
    case = session.scalar(
        select(FeedbackCase)
        .join(Response, Response.id == FeedbackCase.response_id)
        .where(Response.receipt_code == receipt)
        .options(selectinload(FeedbackCase.agency).selectinload(Agency.origins))
    )
    if case is None:
        raise NotFoundError("no case has this receipt")
    return Lookup(
        kind=case.kind,
        text=case.text,
        created_on=local_day(case.created_at, timezone),
        due_on=case.due_on,
        answer=case.answer,
        answered_on=None if case.answered_at is None else local_day(case.answered_at, timezone),
        closed=case.closed_at is not None,
        agency_vi=case.agency.name_vi,
        agency_en=case.agency.name_en,
        origins=tuple(o.origin for o in case.agency.origins),
    )


@dataclass(frozen=True)
class CaseDigest:
    """An agency's cases for the weekly digest."""

    open: int
    overdue: int
    new_since: int


def digest_figures(
    session: Session, agency_id: int, since: dt.datetime, today: dt.date
) -> CaseDigest:
    """Return the agency's unanswered cases, those overdue on ``today``, and those new since."""
    where = FeedbackCase.agency_id == agency_id
    unanswered = (where, FeedbackCase.answered_at.is_(None))
    count = select(func.count()).select_from(FeedbackCase)
    return CaseDigest(
        open=int(session.scalar(count.where(*unanswered)) or 0),
        overdue=int(session.scalar(count.where(*unanswered, FeedbackCase.due_on < today)) or 0),
        new_since=int(session.scalar(count.where(where, FeedbackCase.created_at >= since)) or 0),
    )


def overdue_counts(session: Session, agency_ids: Sequence[int], today: dt.date) -> dict[int, int]:
    """Return the number of overdue cases of each agency that has some."""
    rows = session.execute(
        select(FeedbackCase.agency_id, func.count())
        .where(
            FeedbackCase.agency_id.in_(list(agency_ids)),
            FeedbackCase.answered_at.is_(None),
            FeedbackCase.due_on < today,
        )
        .group_by(FeedbackCase.agency_id)
    )
    return {int(a): int(n) for a, n in rows}


@dataclass(frozen=True)
class FeedbackFigures:
    """An agency's cases left in a period: how many, % answered on time, median days."""

    agency_id: int
    cases: int
    answered: int
    on_time_pct: float | None
    median_days: float | None


def figures(
    session: Session,
    agency_ids: Sequence[int],
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> dict[int, FeedbackFigures]:
    """Return the feedback figures of each agency over cases left on local days first..last.

    On time % is over all cases whose deadline has passed or that are answered (a
    case still within its deadline and unanswered is not yet late); median days to
    answer is over answered cases.
    """
    tz = zoneinfo.ZoneInfo(timezone)
    query = select(FeedbackCase).where(FeedbackCase.agency_id.in_(list(agency_ids)))
    if first is not None:
        start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
        query = query.where(FeedbackCase.created_at >= start)
    if last is not None:
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        query = query.where(FeedbackCase.created_at < end)
    today = utcnow().astimezone(tz).date()
    by_agency: dict[int, list[FeedbackCase]] = {a: [] for a in agency_ids}
    for case in session.scalars(query):
        by_agency[case.agency_id].append(case)
    out: dict[int, FeedbackFigures] = {}
    for agency_id, cases in by_agency.items():
        days = [
            (c.answered_at - c.created_at).total_seconds() / 86400
            for c in cases
            if c.answered_at is not None
        ]
        judged = [c for c in cases if c.answered_at is not None or today > c.due_on]
        on_time = [
            c
            for c in judged
            if c.answered_at is not None and c.answered_at.astimezone(tz).date() <= c.due_on
        ]
        out[agency_id] = FeedbackFigures(
            agency_id,
            len(cases),
            len(days),
            100 * len(on_time) / len(judged) if judged else None,
            statistics.median(days) if days else None,
        )
    return out


def erase_contacts(
    session: Session, questionnaire_id: int, days: int, *, dry_run: bool, now: dt.datetime
) -> int:
    """Erase (or count) the contacts of a questionnaire's cases closed ``days`` days ago."""
    cases = list(
        session.scalars(
            select(FeedbackCase)
            .join(CaseContact, CaseContact.case_id == FeedbackCase.id)
            .join(Response, Response.id == FeedbackCase.response_id)
            .join(
                QuestionnaireVersion, QuestionnaireVersion.id == Response.questionnaire_version_id
            )
            .where(
                QuestionnaireVersion.questionnaire_id == questionnaire_id,
                FeedbackCase.closed_at <= now - dt.timedelta(days=days),
            )
        )
    )
    if not dry_run:
        for case in cases:
            case.contact = None  # delete-orphan: the row goes
            case.contact_erased_at = now
        session.flush()
    return len(cases)
