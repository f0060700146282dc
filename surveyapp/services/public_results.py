"""Public results: published periods, the city ranking and each agency's trend, open data.

Only periods an inspector published are shown. Of each, only the satisfaction index
of the agencies with enough responses is public: ``is_public`` is the one rule that
decides a cell (the number of responses behind a figure at least the minimum n,
``SURVEYAPP_PUBLIC_MIN_N``); complementary suppression can be added there. No free
text (comments, petitions) is ever read here: the figures come from the city report,
which holds aggregates only, and this module copies from it the codes, names, n,
index and interval of the public rows, nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis import suppression
from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import Agency, PublishedPeriod, Questionnaire, User
from surveyapp.reporting import build
from surveyapp.reporting.bounds import N_, LimitError, check_days
from surveyapp.services import audit

log = logging.getLogger(__name__)


def is_public(n: float, min_n: int) -> bool:
    """Return whether a figure resting on ``n`` responses may be shown to the public."""
    return n >= min_n


def hidden_agencies(sizes: Mapping[str, float], min_n: int, with_total: bool) -> frozenset[str]:
    """The agencies left out of a public ranking: each below ``min_n`` (``is_public``) and,
    when the city-wide number of responses is published (``with_total``), enough others
    (complementary suppression, ``analysis.suppression``) that no hidden agency's number
    of responses follows from the city total minus the agencies shown."""
    small = frozenset(code for code, n in sizes.items() if not is_public(n, min_n))
    if not with_total or not small:
        return small
    cells = {code: float(n) for code, n in sizes.items() if n}
    found = suppression.one_margin(cells, min_n)
    return small | found.primary | found.complementary | found.exposed


@dataclass(frozen=True)
class PublicRow:
    """One agency's public figures in one published period."""

    position: int
    code: str
    name_vi: str
    name_en: str
    kind: str
    n: int
    index: float
    ci_lower: float | None
    ci_upper: float | None


@dataclass(frozen=True)
class PublicPeriod:
    """A published period and the agencies shown in its ranking, best first."""

    id: int
    slug: str
    title_vi: str
    title_en: str
    first: dt.date
    last: dt.date
    rows: tuple[PublicRow, ...]
    city_n: int | None
    city_index: float | None

    def row_of(self, code: str) -> PublicRow | None:
        return next((r for r in self.rows if r.code == code), None)


def published(session: Session) -> list[PublishedPeriod]:
    """Return the published periods, newest first."""
    return list(
        session.scalars(
            select(PublishedPeriod)
            .options(
                selectinload(PublishedPeriod.questionnaire).selectinload(Questionnaire.versions)
            )
            .order_by(PublishedPeriod.last_day.desc(), PublishedPeriod.id.desc())
        )
    )


class PublishError(InputError):
    """A period that cannot be published; ``template % values`` says why (the page translates)."""

    def __init__(self, template: str, **values: Any) -> None:
        self.template = template
        self.values = values
        super().__init__(template % values)


def check_period(first: dt.date, last: dt.date, today: dt.date | None = None) -> None:
    """Refuse a period the public pages could not show; PublishError says why.

    The period must start no later than it ends, lie in the calendar bounds and span
    at most ``SURVEYAPP_REPORT_MAX_DAYS`` days (the public pages build a report of
    it), and, when ``today`` is given, have ended: published figures are final.
    """
    if first > last:
        raise PublishError(
            N_("the period's first day (%(first)s) is after its last day (%(last)s)"),
            first=first.isoformat(),
            last=last.isoformat(),
        )
    try:
        check_days(first, last)
    except LimitError as exc:
        raise PublishError(exc.template, **exc.values) from None
    if today is not None and last >= today:
        raise PublishError(
            N_(
                "the period has not ended: its last day (%(last)s) must be before today "
                "(%(today)s); only ended periods are published"
            ),
            last=last.isoformat(),
            today=today.isoformat(),
        )


def publish(
    session: Session,
    actor: User,
    slug: str,
    first: dt.date,
    last: dt.date,
    today: dt.date | None = None,
) -> PublishedPeriod:
    """Publish ``slug``'s period first..last (audited); PublishError when it cannot be.

    ``check_period`` decides what may be published (``today``: the city's date).
    """
    check_period(first, last, today)
    questionnaire = session.scalar(select(Questionnaire).where(Questionnaire.slug == slug))
    if questionnaire is None:
        raise PublishError(N_("no questionnaire is called %(slug)s"), slug=slug)
    exists = session.scalar(
        select(PublishedPeriod).where(
            PublishedPeriod.questionnaire_id == questionnaire.id,
            PublishedPeriod.first_day == first,
            PublishedPeriod.last_day == last,
        )
    )
    if exists is not None:
        raise PublishError(N_("this period is published already"))
    period = PublishedPeriod(
        questionnaire_id=questionnaire.id, first_day=first, last_day=last, published_by_id=actor.id
    )
    session.add(period)
    session.flush()
    audit.record(
        session,
        actor,
        "results.publish",
        f"questionnaire:{slug}",
        {"from": first.isoformat(), "to": last.isoformat()},
    )
    return period


def unpublish(session: Session, actor: User, period_id: int) -> None:
    """Take a published period off the public pages (audited); NotFoundError if none."""
    period = session.get(PublishedPeriod, period_id)
    if period is None:
        raise NotFoundError("no such published period")
    audit.record(
        session,
        actor,
        "results.unpublish",
        f"questionnaire:{period.questionnaire.slug}",
        {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()},
    )
    session.delete(period)
    session.flush()


def public_period(
    session: Session, period: PublishedPeriod, timezone: str, min_n: int
) -> PublicPeriod:
    """Return the public figures of a published period (agencies below min n left out)."""
    versions = sorted(period.questionnaire.versions, key=lambda v: v.version)
    report = build.city_report(
        session,
        slug=period.questionnaire.slug,
        first=period.first_day,
        last=period.last_day,
        timezone=timezone,
        suppress=False,  # the public rule below decides from every agency's n
    )
    city_public = is_public(report.n_responses, min_n) and report.index.value is not None
    hidden = hidden_agencies({a.code: a.n or 0 for a in report.agencies}, min_n, city_public)
    shown = sorted(
        (a for a in report.agencies if a.index is not None and a.code not in hidden),
        key=lambda a: (-(a.index or 0.0), a.code),
    )
    rows: list[PublicRow] = []
    for i, a in enumerate(shown):
        tied = rows and rows[-1].index == a.index
        rows.append(
            PublicRow(
                position=rows[-1].position if tied else i + 1,
                code=a.code,
                name_vi=a.name_vi,
                name_en=a.name_en,
                kind=a.kind,
                n=a.n or 0,
                index=float(a.index or 0.0),
                ci_lower=None if a.index_ci is None else a.index_ci.lower,
                ci_upper=None if a.index_ci is None else a.index_ci.upper,
            )
        )
    return PublicPeriod(
        id=period.id,
        slug=period.questionnaire.slug,
        title_vi=versions[-1].title_vi if versions else period.questionnaire.slug,
        title_en=versions[-1].title_en if versions else period.questionnaire.slug,
        first=period.first_day,
        last=period.last_day,
        rows=tuple(rows),
        city_n=report.n_responses if city_public else None,
        city_index=report.index.value if city_public else None,
    )


def all_public(session: Session, timezone: str, min_n: int) -> list[PublicPeriod]:
    """Return every published period's public figures, newest first.

    A stored period the rules of ``check_period`` refuse (stored before them, or the
    span limit lowered since) is left out with a warning rather than failing every
    public page: it is not clamped, since a shorter period is not what was published.
    """
    shown = []
    for period in published(session):
        try:
            check_period(period.first_day, period.last_day)
            shown.append(public_period(session, period, timezone, min_n))
        except InputError as exc:
            log.warning(
                "published period %s (%s, %s to %s) left out of the public results: %s",
                period.id,
                period.questionnaire.slug,
                period.first_day.isoformat(),
                period.last_day.isoformat(),
                exc,
            )
    return shown


def agency_by_code_or_none(session: Session, code: str) -> Agency | None:
    """Return the agency ``code`` (any case), or None."""
    if len(code) > 32:
        return None
    return session.scalar(
        select(Agency)
        .where(Agency.code == code.strip().upper())
        .options(selectinload(Agency.origins))
    )


#: The open data's columns: name, type, meaning (English; the page translates).
DICTIONARY: tuple[tuple[str, str, str], ...] = (
    ("questionnaire", "string", "The questionnaire's slug (its file name)."),
    ("period_from", "date", "First day of the published period (local time), included."),
    ("period_to", "date", "Last day of the published period (local time), included."),
    ("agency_code", "string", "The agency's code."),
    ("agency_name_vi", "string", "The agency's name in Vietnamese."),
    ("agency_name_en", "string", "The agency's name in English."),
    ("agency_kind", "string", "department, district or other."),
    ("n", "integer", "Responses counted; only agencies with at least the minimum are listed."),
    (
        "index",
        "number",
        "Satisfaction index, 0 to 100 (mean of the dimensions' percentage satisfied).",
    ),
    ("index_ci_lower", "number", "Lower end of the index's 95 percent confidence interval."),
    ("index_ci_upper", "number", "Upper end of the index's 95 percent confidence interval."),
    ("position", "integer", "Place in the period's ranking of the agencies listed (1 = best)."),
)


def open_data_rows(periods: list[PublicPeriod]) -> list[dict[str, object]]:
    """Return one record per public row of every published period (DICTIONARY's fields)."""
    return [
        {
            "questionnaire": p.slug,
            "period_from": p.first.isoformat(),
            "period_to": p.last.isoformat(),
            "agency_code": r.code,
            "agency_name_vi": r.name_vi,
            "agency_name_en": r.name_en,
            "agency_kind": r.kind,
            "n": r.n,
            "index": round(r.index, 2),
            "index_ci_lower": None if r.ci_lower is None else round(r.ci_lower, 2),
            "index_ci_upper": None if r.ci_upper is None else round(r.ci_upper, 2),
            "position": r.position,
        }
        for p in periods
        for r in p.rows
    ]
