"""Reading accepted responses out of the database: raw rows, local days and months."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Row, Select, and_, func, select
from sqlalchemy.orm import Session

from surveyapp.models import Answer, Response, UnfoldedResponse
from surveyapp.reporting.sufficient import AnswerRow

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class RawResponse:
    """One accepted response with its answers, as the report reads it."""

    id: int
    agency_id: int
    submitted_at: dt.datetime
    answers: AnswerRow


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def local_month(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.date:
    """The first day of the local month ``moment`` falls in."""
    return month_of(moment.astimezone(tz).date())


def week_of(day: dt.date) -> dt.date:
    """The Monday that starts the ISO week of ``day``."""
    return day - dt.timedelta(days=day.weekday())


def local_week(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.date:
    """The Monday of the local ISO week ``moment`` falls in."""
    return week_of(moment.astimezone(tz).date())


def week_label(monday: dt.date) -> str:
    """ISO 8601 week label ``YYYY-Www`` (the ISO year, which may differ from the calendar's)."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def utc_bounds(
    first: dt.date | None, last: dt.date | None, tz: zoneinfo.ZoneInfo
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``[start, end)`` in UTC covering local days ``first`` to ``last`` inclusive."""
    start = None if first is None else dt.datetime.combine(first, dt.time(), tzinfo=tz)
    end = (
        None
        if last is None
        else dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    )
    return (
        None if start is None else start.astimezone(dt.UTC),
        None if end is None else end.astimezone(dt.UTC),
    )


def _in_scope(
    table: type[Response] | type[UnfoldedResponse],
    version_id: int | None,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> list[object]:
    conditions: list[object] = []
    if version_id is not None:
        conditions.append(table.questionnaire_version_id == version_id)
    if agency_ids is not None:
        conditions.append(table.agency_id.in_(list(agency_ids)))
    if start is not None:
        conditions.append(table.submitted_at >= start)
    if end is not None:
        conditions.append(table.submitted_at < end)
    return conditions


def accepted(
    version_id: int,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> list[object]:
    """WHERE conditions selecting the accepted responses of a version, agencies and span."""
    return [
        Response.status == "accepted",
        *_in_scope(Response, version_id, agency_ids, start, end),
    ]


def count_accepted(
    session: Session,
    version_id: int,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> int:
    query: Select[tuple[int]] = select(func.count(Response.id)).where(
        and_(*accepted(version_id, agency_ids, start, end))  # type: ignore[arg-type]
    )
    return int(session.scalar(query) or 0)


def edge_of(
    session: Session,
    version_id: int,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    *,
    last: bool,
) -> dt.datetime | None:
    """First (or ``last``) submission time of the accepted responses in scope.

    An ordered ``LIMIT 1`` walks an index on ``submitted_at`` (per agency, or by
    status city-wide) and stops at the first match, where ``MIN``/``MAX`` together
    read every row of the span (a month of the whole city: ~0.1 s at 1M responses).
    """
    order = Response.submitted_at.desc() if last else Response.submitted_at.asc()
    return session.scalar(
        select(Response.submitted_at)
        .where(and_(*accepted(version_id, agency_ids, start, end)))  # type: ignore[arg-type]
        .order_by(order)
        .limit(1)
    )


def count_all_accepted(session: Session, start: dt.datetime | None, end: dt.datetime | None) -> int:
    """Accepted responses of every version in ``[start, end)``: an index-only count."""
    query = select(func.count()).select_from(Response).where(Response.status == "accepted")
    if start is not None:
        query = query.where(Response.submitted_at >= start)
    if end is not None:
        query = query.where(Response.submitted_at < end)
    return int(session.scalar(query) or 0)


#: The columns ``answers_by_response`` reads, in its order.
ANSWER_COLUMNS = (
    Answer.response_id,
    Answer.question_key,
    Answer.value_num,
    Answer.value_text,
    Answer.is_na,
)


def answers_by_response(
    rows: Iterable[Row[tuple[int, str, float | None, str | None, bool]]],
) -> dict[int, AnswerRow]:
    """Rows of ``ANSWER_COLUMNS`` as ``{response_id: {key: (number, text, is_na)}}``."""
    found: dict[int, AnswerRow] = {}
    for response_id, key, num, value_text, na in rows:
        found.setdefault(response_id, {})[key] = (num, value_text, bool(na))
    return found


def waiting(
    version_id: int | None,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> list[object]:
    """WHERE conditions on ``unfolded_responses`` (None: any version)."""
    return _in_scope(UnfoldedResponse, version_id, agency_ids, start, end)


def count_all_waiting(session: Session, start: dt.datetime | None, end: dt.datetime | None) -> int:
    """Accepted responses of every version in ``[start, end)`` not folded yet."""
    query = select(func.count()).select_from(UnfoldedResponse)
    for condition in waiting(None, None, start, end):
        query = query.where(condition)  # type: ignore[arg-type]
    return int(session.scalar(query) or 0)


def waiting_responses(
    session: Session,
    version_id: int,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    batch: int = 5000,
) -> Iterator[RawResponse]:
    """Accepted responses not folded into the aggregates yet, with their answers.

    Their ids come from the small ``unfolded_responses`` table; the responses and
    answers are then read by primary key.
    """
    ids = list(
        session.scalars(
            select(UnfoldedResponse.response_id)
            .where(*waiting(version_id, agency_ids, start, end))  # type: ignore[arg-type]
            .order_by(UnfoldedResponse.response_id)
        )
    )
    for offset in range(0, len(ids), batch):
        chunk = ids[offset : offset + batch]
        heads = session.execute(
            select(Response.id, Response.agency_id, Response.submitted_at)
            .where(Response.id.in_(chunk), Response.status == "accepted")
            .order_by(Response.id)
        ).all()
        answers = answers_by_response(
            session.execute(select(*ANSWER_COLUMNS).where(Answer.response_id.in_(chunk)))
        )
        for response_id, agency_id, submitted_at in heads:
            yield RawResponse(response_id, agency_id, submitted_at, answers.get(response_id, {}))


def raw_responses(
    session: Session,
    version_id: int,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    batch: int = 20000,
    *,
    skip_waiting: bool = False,
) -> Iterator[RawResponse]:
    """Stream accepted responses with their answers, in id order.

    ``skip_waiting``: leave out the responses waiting to be folded.
    """
    conditions = accepted(version_id, agency_ids, start, end)
    if skip_waiting:
        conditions.append(Response.id.not_in(select(UnfoldedResponse.response_id)))
    where = and_(*conditions)  # type: ignore[arg-type]
    heads = session.execute(
        select(Response.id, Response.agency_id, Response.submitted_at)
        .where(where)
        .order_by(Response.id)
    ).all()
    for offset in range(0, len(heads), batch):
        chunk = heads[offset : offset + batch]
        low, high = chunk[0][0], chunk[-1][0]
        answers = answers_by_response(
            session.execute(
                select(*ANSWER_COLUMNS)
                .join(Response, Response.id == Answer.response_id)
                .where(where, Answer.response_id >= low, Answer.response_id <= high)
            )
        )
        for response_id, agency_id, submitted_at in chunk:
            yield RawResponse(response_id, agency_id, submitted_at, answers.get(response_id, {}))


def current_timezone() -> str:
    """The configured report time zone (the app's ``TIMEZONE``, else the default)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config.get("TIMEZONE", DEFAULT_TIMEZONE))
    return DEFAULT_TIMEZONE
