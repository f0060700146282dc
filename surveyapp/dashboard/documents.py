"""Gathering what a document needs from the database: report, city context, extras.

The one place the dashboard, the downloads and the CLI read report data from;
views stay thin and renderers never see a session.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from analysis.comments import TopicSummary
from surveyapp.dashboard import report_cache
from surveyapp.definitions import Questionnaire
from surveyapp.models import (
    Agency,
    Answer,
    CommentTopic,
    QuestionnaireVersion,
    ReportAggregate,
    Response,
    UnfoldedResponse,
)
from surveyapp.renderers.document import AgencyDocument, CityDocument, Comment, DimensionCell
from surveyapp.reporting import aggregates, build, comment_topics, fact_sections
from surveyapp.reporting.comment_topics import comment_keys
from surveyapp.reporting.extract import (
    ANSWER_COLUMNS,
    accepted,
    answers_by_response,
    utc_bounds,
)
from surveyapp.reporting.facts import suppression_min_n
from surveyapp.reporting.facts_model import RealTimeFigure
from surveyapp.reporting.feedback import feedback_rows
from surveyapp.reporting.model import AgencyReport, CityReport
from surveyapp.reporting.stats import dimension_reports
from surveyapp.reporting.sufficient import Summary
from surveyapp.services.questionnaires import definition_of

#: Free-text answers shown in a PDF or page: the most recent ones.
COMMENTS_SHOWN = 25
#: Answer types whose text a respondent writes (scrubbed of personal data when shown).
FREE_TEXT_TYPES = ("short_text", "long_text")
#: What comment topics are counted from: the comment and its stored topics, if any.
_TOPIC_COLUMNS = (Answer.response_id, Answer.question_key, Answer.value_text, CommentTopic.topics)
#: Responses read per query when streaming raw rows.
BATCH = 5000


@dataclass(frozen=True)
class Scope:
    """What the person asked for: questionnaire, days, breakdowns, comments."""

    slug: str | None = None
    first: dt.date | None = None
    last: dt.date | None = None
    breakdowns: tuple[str, ...] = ()
    comments: bool = True


def version_of(session: Session, report: AgencyReport) -> QuestionnaireVersion:
    """Return the stored questionnaire version a report was built from."""
    return build.choose_version(session, report.questionnaire.slug, report.questionnaire.version)


#: The per-process cache (benchmarks clear it); with Redis, report_cache.current() is shared.
_city_cache = report_cache.local


def city_context(
    session: Session,
    slug: str,
    version: int,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> CityReport:
    """Return the city-wide report an agency report is compared with, cached.

    The key includes a fingerprint of the aggregates (rows, responses, last update)
    and of the accepted responses not folded into them yet, which every accepted
    submission, fold and rebuild changes, so a cached report is never stale;
    repeated agency downloads then skip the city-wide statistics.
    The cache is this process's, or Redis shared by every app server when
    ``SURVEYAPP_REDIS_URL`` is set (see ``report_cache``).
    """
    stored = build.choose_version(session, slug, version)
    fingerprint = tuple(
        session.execute(
            select(
                func.count(ReportAggregate.id),
                func.sum(ReportAggregate.n_responses),
                func.max(ReportAggregate.updated_at),
                func.max(ReportAggregate.id),
            ).where(ReportAggregate.questionnaire_version_id == stored.id)
        ).one()
    ) + tuple(
        # Responses not folded yet are in the report too (read raw).
        session.execute(
            select(
                func.count(UnfoldedResponse.response_id), func.max(UnfoldedResponse.response_id)
            ).where(UnfoldedResponse.questionnaire_version_id == stored.id)
        ).one()
    )
    key = (stored.id, first, last, timezone, *fingerprint)
    return report_cache.current().get_or_compute(
        key,
        lambda: build.city_report(
            session, slug=slug, version=version, first=first, last=last, timezone=timezone
        ),
    )


def agency_document(
    session: Session,
    code: str,
    scope: Scope,
    timezone: str,
    *,
    with_city: bool = True,
    officers: bool = False,
) -> AgencyDocument:
    """Build the agency report and its city context for the same version and days.

    ``officers``: the reader may see officer-level counter figures (``may_see_officers``).
    """
    report = build.agency_report(
        session,
        code,
        slug=scope.slug,
        first=scope.first,
        last=scope.last,
        timezone=timezone,
        breakdowns=scope.breakdowns,
        officers=officers,
    )
    agency = session.scalar(select(Agency).where(Agency.code == report.agency.code))
    version = version_of(session, report)
    city = None
    if with_city:
        # Rank and city average only: no city-wide significance tests for one agency.
        city = build.city_ranking(
            session,
            slug=report.questionnaire.slug,
            version=report.questionnaire.version,
            first=scope.first,
            last=scope.last,
            timezone=timezone,
        )
    tz = zoneinfo.ZoneInfo(timezone)
    start, end = utc_bounds(scope.first, scope.last, tz)
    where = and_(*accepted(version.id, [agency.id], start, end))  # type: ignore[arg-type,union-attr]
    channels = tuple(
        (str(c), int(n))
        for c, n in session.execute(
            select(Response.channel, func.count(Response.id))
            .where(where)
            .group_by(Response.channel)
            .order_by(func.count(Response.id).desc(), Response.channel)
        )
    )
    comments: tuple[Comment, ...] | None = None
    topics: TopicSummary | None = None
    total = 0
    texts = comment_keys(version)
    if texts:
        found = and_(
            where,
            Answer.question_key.in_(texts),
            Answer.value_text.is_not(None),
            Answer.value_text != "",
        )
        joined = select(Answer.response_id).join(Response, Response.id == Answer.response_id)
        total = int(
            session.scalar(select(func.count()).select_from(joined.where(found).subquery())) or 0
        )
        if scope.comments:
            rows = session.execute(
                select(Response.submitted_at, Answer.question_key, Answer.value_text)
                .join(Response, Response.id == Answer.response_id)
                .where(found)
                .order_by(Response.submitted_at.desc(), Response.id.desc())
                .limit(COMMENTS_SHOWN)
            )
            comments = tuple(
                Comment(when.astimezone(tz).date(), key, comment_topics.shown(text or ""))
                for when, key, text in rows
            )
        lexicon = comment_topics.current_lexicon()
        topics = comment_topics.summary(
            session,
            session.execute(
                select(*_TOPIC_COLUMNS)
                .join(Response, Response.id == Answer.response_id)
                .outerjoin(CommentTopic, comment_topics.topics_joined(lexicon))  # type: ignore[arg-type]
                .where(found)
                .order_by(Response.submitted_at.desc(), Response.id.desc())
            ),
            with_examples=scope.comments,
            lexicon=lexicon,
        )
    feedback = feedback_rows(session, [agency] if agency else [], scope.first, scope.last, timezone)
    return AgencyDocument(
        report,
        agency.kind if agency else "other",
        city,
        channels,
        comments,
        total,
        topics,
        feedback,
    )


def realtime_figures(
    session: Session, slug: str | None, agency_ids: Sequence[int], timezone: str
) -> dict[str, RealTimeFigure]:
    """Each agency's % satisfied so far this month on ``slug``'s newest version."""
    if slug is None or not agency_ids:
        return {}
    version = build.choose_version(session, slug)
    codes = dict(session.execute(select(Agency.id, Agency.code)).all())
    return fact_sections.realtime(
        session, version, definition_of(version), agency_ids, codes, timezone,
        suppression_min_n(),
    )  # fmt: skip


def city_document(session: Session, scope: Scope, timezone: str) -> CityDocument:
    """Build the city-wide report, agencies' kinds and the agencies x dimensions matrix."""
    version = build.choose_version(session, scope.slug)
    report = city_context(
        session, version.questionnaire.slug, version.version, scope.first, scope.last, timezone
    )
    definition = definition_of(version)
    layout = aggregates.layout_of(version)
    kinds = {code: kind for code, kind in session.execute(select(Agency.code, Agency.kind))}
    ids = dict(session.execute(select(Agency.id, Agency.code)).all())
    per_agency: dict[str, list[Summary]] = {}
    pieces = aggregates.summaries(session, version, None, scope.first, scope.last, timezone)
    for (agency_id, _month), summary in pieces.items():
        per_agency.setdefault(ids[agency_id], []).append(summary)
    keys = tuple(d.key for d in report.dimensions)
    titles = tuple(d.title_vi for d in report.dimensions)
    matrix: dict[str, tuple[DimensionCell, ...]] = {}
    # A suppressed agency's row shows nothing; nor do its cells here.
    hidden = {r.code for r in report.agencies if r.suppressed}
    for code, parts in per_agency.items():
        if code in hidden:
            continue
        dims = {d.key: d for d in dimension_reports(definition, Summary.total(layout, parts))}
        matrix[code] = tuple(
            DimensionCell(
                dims[k].satisfied_pct if k in dims else None,
                dims[k].reliable if k in dims else False,
            )
            for k in keys
        )
    listed = list(session.scalars(select(Agency).order_by(Agency.code)))
    feedback = feedback_rows(session, listed, scope.first, scope.last, timezone)
    return CityDocument(
        report,
        kinds,
        keys,
        titles,
        matrix,
        topics=_shown(_city_topics(session, version, scope, timezone), hidden),
        feedback=feedback,
    )


def _shown(
    topics: dict[str, TopicSummary] | None, hidden: set[str]
) -> dict[str, TopicSummary] | None:
    """The agencies' topic counts without the suppressed agencies'."""
    if topics is None:
        return None
    return {code: summary for code, summary in topics.items() if code not in hidden}


def _city_topics(
    session: Session, version: QuestionnaireVersion, scope: Scope, timezone: str
) -> dict[str, TopicSummary] | None:
    """Each agency's comment topics (counts only: a city report shows no comment)."""
    texts = comment_keys(version)
    if not texts:
        return None
    start, end = utc_bounds(scope.first, scope.last, zoneinfo.ZoneInfo(timezone))
    lexicon = comment_topics.current_lexicon()
    rows = session.execute(
        select(Agency.code, *_TOPIC_COLUMNS)
        .join(Response, Response.id == Answer.response_id)
        .join(Agency, Agency.id == Response.agency_id)
        .outerjoin(CommentTopic, comment_topics.topics_joined(lexicon))  # type: ignore[arg-type]
        .where(
            *accepted(version.id, None, start, end),
            Answer.question_key.in_(texts),
            Answer.value_text.is_not(None),
            Answer.value_text != "",
        )
        .order_by(Agency.code, Response.submitted_at.desc(), Response.id.desc())
    )
    by_agency: dict[str, list[tuple[int, str, str, str | None]]] = {}
    for code, response_id, key, text, stored in rows:
        by_agency.setdefault(str(code), []).append((response_id, key, text or "", stored))
    return {
        code: comment_topics.summary(session, found, with_examples=False, lexicon=lexicon)
        for code, found in by_agency.items()
    }


# -- raw responses ---------------------------------------------------------------------
@dataclass(frozen=True)
class RawRow:
    id: int
    agency: str
    submitted_at: dt.datetime
    channel: str
    answers: dict[str, tuple[float | None, str | None, bool]]


def raw_columns(definition: Questionnaire) -> list[str]:
    """Return the answer columns of the raw export, in questionnaire order."""
    return [i.key for i in definition.items()]


def raw_rows(
    session: Session,
    version: QuestionnaireVersion,
    agency_ids: Sequence[int] | None,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
    batch: int = BATCH,
) -> Iterator[RawRow]:
    """Stream accepted responses with their answers, ``batch`` at a time (keyset paging).

    Only one batch of responses and answers is in memory at any moment, so an
    export of a million responses runs in constant memory.
    """
    start, end = utc_bounds(first, last, zoneinfo.ZoneInfo(timezone))
    where = and_(*accepted(version.id, agency_ids, start, end))  # type: ignore[arg-type]
    codes = dict(session.execute(select(Agency.id, Agency.code)).all())
    # Respondents write phone numbers and IDs into free text: exports show them scrubbed.
    free_text = {i.key for i in definition_of(version).items() if i.type in FREE_TEXT_TYPES}
    words = comment_topics.markers()
    after = 0
    while True:
        heads = session.execute(
            select(Response.id, Response.agency_id, Response.submitted_at, Response.channel)
            .where(where, Response.id > after)
            .order_by(Response.id)
            .limit(batch)
        ).all()
        if not heads:
            return
        low, high = heads[0][0], heads[-1][0]
        answers = answers_by_response(
            session.execute(
                select(*ANSWER_COLUMNS).where(Answer.response_id >= low, Answer.response_id <= high)
            )
        )
        for rid, agency_id, when, channel in heads:
            found = answers.get(rid, {})
            for key in set(found) & free_text:
                num, text, na = found[key]
                found[key] = (num, comment_topics.shown(text, words) if text else text, na)
            yield RawRow(rid, codes.get(agency_id, "?"), when, channel, found)
        after = high
