"""Maintaining and reading the per-(version, agency, local month) report aggregates.

A submission stores its response and a row in ``unfolded_responses``;
``reporting.folding`` later adds such responses to their month's
:class:`~surveyapp.reporting.sufficient.Summary` many at a time with ``add_groups``.
``record`` adds responses that never waited (accepted in triage). ``rebuild`` recomputes
every month from the raw rows (after a bulk load, a time zone change or a change
of a response's status). ``summaries`` answers a report's question: whole months
come from the aggregates plus the few accepted responses not folded yet (read
raw), the partial months at either end of an arbitrary ``from``/``to`` from the
raw rows, so every day bound is exact whether or not a fold has run.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surveyapp.definitions import Questionnaire, StoredAnswer
from surveyapp.models import (
    QuestionnaireVersion,
    ReportAggregate,
    UnfoldedResponse,
    utcnow,
)
from surveyapp.reporting.extract import (
    count_accepted,
    count_all_accepted,
    count_all_waiting,
    local_month,
    month_of,
    next_month,
    raw_responses,
    utc_bounds,
    waiting,
    waiting_responses,
)
from surveyapp.reporting.sufficient import AnswerRow, Layout, Summary
from surveyapp.services.questionnaires import definition_of

Key = tuple[int, dt.date]  # (agency_id, first day of local month)


class StaleAggregatesError(RuntimeError):
    """The aggregates do not match the responses; ``rebuild`` them."""


@dataclass(frozen=True)
class Submitted:
    """What ``record`` needs of a stored response."""

    questionnaire_version_id: int
    agency_id: int
    submitted_at: dt.datetime
    status: str
    answers: Mapping[str, StoredAnswer]


_layouts: dict[str, Layout] = {}


def layout_of(version: QuestionnaireVersion) -> Layout:
    """The scoring layout of a stored version (cached by content hash)."""
    return layout_of_definition(definition_of(version))


def layout_of_definition(definition: Questionnaire) -> Layout:
    """The scoring layout of a parsed definition (cached by content hash)."""
    found = _layouts.get(definition.content_hash)
    if found is None:
        found = _layouts[definition.content_hash] = Layout.of(definition)
    return found


def _as_row(answers: Mapping[str, StoredAnswer]) -> AnswerRow:
    return {k: (a.value_num, a.value_text, a.is_na) for k, a in answers.items()}


def record(session: Session, submitted: Sequence[Submitted], timezone: str) -> None:
    """Add accepted responses to their months' aggregates, in the caller's transaction.

    They must not be waiting in ``unfolded_responses`` (``folding.fold`` adds those).
    """
    tz = zoneinfo.ZoneInfo(timezone)
    groups: dict[tuple[int, int, dt.date], list[AnswerRow]] = defaultdict(list)
    for item in submitted:
        if item.status != "accepted":
            continue
        key = (item.questionnaire_version_id, item.agency_id, local_month(item.submitted_at, tz))
        groups[key].append(_as_row(item.answers))
    add_groups(session, groups, timezone)


def add_groups(
    session: Session,
    groups: Mapping[tuple[int, int, dt.date], Sequence[AnswerRow]],
    timezone: str,
) -> None:
    """Add each (version, agency, local month) group of answer rows to its aggregate."""
    versions: dict[int, Layout] = {}
    # Sorted, so concurrent folds lock month rows in one order and cannot deadlock.
    for (version_id, agency_id, month), rows in sorted(groups.items()):
        if version_id not in versions:
            version = session.get(QuestionnaireVersion, version_id)
            if version is None:
                raise ValueError(f"no questionnaire version {version_id}")
            versions[version_id] = layout_of(version)
        layout = versions[version_id]
        _merge(
            session, layout, version_id, agency_id, month, timezone, Summary.from_rows(layout, rows)
        )


#: How often ``summaries`` reads again when the aggregates and responses disagree.
CONSISTENT_READ_ATTEMPTS = 3


def _merge(
    session: Session,
    layout: Layout,
    version_id: int,
    agency_id: int,
    month: dt.date,
    timezone: str,
    summary: Summary,
) -> None:
    # A month kept in another zone stays marked with it; reports then ask for a rebuild.
    locked = (
        select(ReportAggregate.id, ReportAggregate.stats)
        .where(
            ReportAggregate.questionnaire_version_id == version_id,
            ReportAggregate.agency_id == agency_id,
            ReportAggregate.month == month,
        )
        .with_for_update()
    )
    found = session.execute(locked).first()
    if found is None:
        # Create the row without racing a concurrent submission, then lock it.
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            insert(ReportAggregate)
            .values(
                questionnaire_version_id=version_id,
                agency_id=agency_id,
                month=month,
                timezone=timezone,
                n_responses=0,
                stats=Summary(layout).to_dict(),
                updated_at=utcnow(),
            )
            .on_conflict_do_nothing(
                index_elements=["questionnaire_version_id", "agency_id", "month"]
            )
        )
        found = session.execute(locked).one()
    row_id, stats = found
    merged = Summary.from_dict(layout, stats) + summary
    session.execute(
        update(ReportAggregate)
        .where(ReportAggregate.id == row_id)
        .values(
            stats=merged.to_dict(),
            n_responses=merged.n,
            updated_at=utcnow(),
        )
    )


def summarise_raw(
    session: Session,
    version: QuestionnaireVersion,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    tz: zoneinfo.ZoneInfo,
    *,
    only: Literal["all", "folded", "waiting"] = "all",
) -> dict[Key, Summary]:
    """Summaries per (agency, local month) straight from the raw rows.

    ``only``: every accepted response, or those not waiting to be folded, or the
    waiting ones.
    """
    layout = layout_of(version)
    rows: dict[Key, list[AnswerRow]] = defaultdict(list)
    if only == "waiting":
        found = waiting_responses(session, version.id, agency_ids, start, end)
    else:
        found = raw_responses(
            session, version.id, agency_ids, start, end, skip_waiting=only == "folded"
        )
    for raw in found:
        rows[(raw.agency_id, local_month(raw.submitted_at, tz))].append(raw.answers)
    return {key: Summary.from_rows(layout, group) for key, group in rows.items()}


def rebuild(
    session: Session,
    version: QuestionnaireVersion,
    timezone: str,
    agency_ids: Collection[int] | None = None,
) -> int:
    """Recompute the aggregates of ``version`` (all agencies or some) from raw rows.

    Works one agency at a time so memory stays bounded; returns the rows written.
    The responses in scope waiting to be folded are taken in; one stored while
    the rebuild runs keeps waiting for the next ``fold``, so none counts twice.
    """
    tz = zoneinfo.ZoneInfo(timezone)
    session.execute(
        delete(UnfoldedResponse).where(*waiting(version.id, agency_ids, None, None))  # type: ignore[arg-type]
    )
    if agency_ids is None:
        from surveyapp.models import Response

        agency_ids = list(
            session.scalars(
                select(Response.agency_id)
                .where(Response.questionnaire_version_id == version.id)
                .distinct()
            )
        )
        session.execute(
            delete(ReportAggregate).where(ReportAggregate.questionnaire_version_id == version.id)
        )
    written = 0
    for agency_id in sorted(agency_ids):
        session.execute(
            delete(ReportAggregate).where(
                ReportAggregate.questionnaire_version_id == version.id,
                ReportAggregate.agency_id == agency_id,
            )
        )
        pieces = summarise_raw(session, version, [agency_id], None, None, tz, only="folded")
        if pieces:
            session.execute(
                ReportAggregate.__table__.insert(),
                [
                    {
                        "questionnaire_version_id": version.id,
                        "agency_id": a,
                        "month": month,
                        "timezone": timezone,
                        "n_responses": summary.n,
                        "stats": summary.to_dict(),
                        "updated_at": utcnow(),
                    }
                    for (a, month), summary in sorted(pieces.items())
                ],
            )
        written += len(pieces)
    return written


def stored(
    session: Session,
    version: QuestionnaireVersion,
    agency_ids: Collection[int] | None = None,
    months: tuple[dt.date | None, dt.date | None] = (None, None),
) -> dict[Key, tuple[str, Summary]]:
    """Stored month summaries (with the zone they were built in) in ``months`` inclusive."""
    layout = layout_of(version)
    query = select(
        ReportAggregate.agency_id,
        ReportAggregate.month,
        ReportAggregate.timezone,
        ReportAggregate.stats,
    ).where(ReportAggregate.questionnaire_version_id == version.id)
    if agency_ids is not None:
        query = query.where(ReportAggregate.agency_id.in_(list(agency_ids)))
    if months[0] is not None:
        query = query.where(ReportAggregate.month >= months[0])
    if months[1] is not None:
        query = query.where(ReportAggregate.month <= months[1])
    return {
        (agency_id, month): (zone, Summary.from_dict(layout, stats))
        for agency_id, month, zone, stats in session.execute(query)
    }


def summaries(
    session: Session,
    version: QuestionnaireVersion,
    agency_ids: Collection[int] | None,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> dict[Key, Summary]:
    """Summaries per (agency, local month) of the accepted responses on local days
    ``first`` to ``last`` inclusive (``None``: unbounded).

    Raises StaleAggregatesError when stored months disagree with the responses.
    """
    tz = zoneinfo.ZoneInfo(timezone)
    out: dict[Key, Summary] = {}
    # Partial months at the edges are read raw; whole months come from the aggregates.
    whole_from = first if first is None or first.day == 1 else next_month(month_of(first))
    whole_to = last
    if last is not None and next_month(month_of(last)) - dt.timedelta(days=1) != last:
        whole_to = month_of(last) - dt.timedelta(days=1)
    edges: list[tuple[dt.date, dt.date]] = []
    if whole_from is not None and whole_to is not None and whole_from > whole_to:
        edges.append((first, last))  # type: ignore[arg-type]  # both set when bounded
    else:
        if first is not None and whole_from != first:
            edge_end = whole_from - dt.timedelta(days=1)  # type: ignore[operator]
            edges.append((first, edge_end if last is None else min(edge_end, last)))
        if last is not None and whole_to != last:
            edges.append((month_of(last), last))
    for edge_first, edge_last in edges:
        start, end = utc_bounds(edge_first, edge_last, tz)
        for key, summary in summarise_raw(session, version, agency_ids, start, end, tz).items():
            out[key] = out[key] + summary if key in out else summary
    if whole_from is not None and whole_to is not None and whole_from > whole_to:
        return out
    months = (
        None if whole_from is None else month_of(whole_from),
        None if whole_to is None else month_of(whole_to),
    )
    start, end = utc_bounds(whole_from, whole_to, tz)
    # On PostgreSQL each statement sees the newest commits, so a fold or a submission
    # committed between these reads can make them disagree for a moment: read again.
    # On SQLite a read transaction is one snapshot, so a disagreement is real.
    for _attempt in range(CONSISTENT_READ_ATTEMPTS):
        found = stored(session, version, agency_ids, months)
        zones = {zone for zone, _ in found.values()}
        if zones - {timezone}:
            raise StaleAggregatesError(
                f"report aggregates were built in time zone {', '.join(sorted(zones))}, not "
                f"{timezone}; run `surveyapp report rebuild-aggregates`"
            )
        # Accepted responses not folded yet are few: they are read raw.
        pending = summarise_raw(session, version, agency_ids, start, end, tz, only="waiting")
        if agency_ids is None:
            # City-wide, a count per version would read every response row; the count
            # over all versions is index-only and checks the aggregates of all versions.
            expected = count_all_accepted(session, start, end)
            have = stored_total(session, months) + count_all_waiting(session, start, end)
        else:
            expected = count_accepted(session, version.id, agency_ids, start, end)
            have = sum(summary.n for _, summary in found.values()) + sum(
                summary.n for summary in pending.values()
            )
        if have == expected:
            break
    else:
        raise StaleAggregatesError(
            f"report aggregates hold {have} responses where the database has {expected}; "
            "run `surveyapp report rebuild-aggregates`"
        )
    for key, (_, summary) in found.items():
        out[key] = out[key] + summary if key in out else summary
    for key, summary in pending.items():
        out[key] = out[key] + summary if key in out else summary
    return out


def stored_total(session: Session, months: tuple[dt.date | None, dt.date | None]) -> int:
    """Responses held by the aggregates of every version in ``months`` (inclusive)."""
    query = select(func.coalesce(func.sum(ReportAggregate.n_responses), 0))
    if months[0] is not None:
        query = query.where(ReportAggregate.month >= months[0])
    if months[1] is not None:
        query = query.where(ReportAggregate.month <= months[1])
    return int(session.scalar(query) or 0)


def month_span(
    session: Session,
    version: QuestionnaireVersion,
    agency_ids: Collection[int] | None,
    timezone: str,
) -> tuple[dt.date | None, dt.date | None]:
    """First and last local month with accepted responses of ``version`` in scope."""
    query = select(func.min(ReportAggregate.month), func.max(ReportAggregate.month)).where(
        ReportAggregate.questionnaire_version_id == version.id, ReportAggregate.n_responses > 0
    )
    if agency_ids is not None:
        query = query.where(ReportAggregate.agency_id.in_(list(agency_ids)))
    first, last = session.execute(query).one()
    # Responses not folded yet may open a month the aggregates do not have.
    tz = zoneinfo.ZoneInfo(timezone)
    earliest, latest = session.execute(
        select(
            func.min(UnfoldedResponse.submitted_at), func.max(UnfoldedResponse.submitted_at)
        ).where(*waiting(version.id, agency_ids, None, None))  # type: ignore[arg-type]
    ).one()
    if earliest is not None:
        low, high = local_month(earliest, tz), local_month(latest, tz)
        first = low if first is None else min(first, low)
        last = high if last is None else max(last, high)
    return first, last


def combine(layout: Layout, parts: Iterable[Summary]) -> Summary:
    return Summary.total(layout, parts)
