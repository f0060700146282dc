"""Building reports from the database: one agency's report; the city-wide one is in
``surveyapp.reporting.city`` and the city figures an agency is compared with (rank,
city average) in ``surveyapp.reporting.ranking``, both re-exported here."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.orm import Session

from analysis.suppression import one_margin
from surveyapp.definitions import Questionnaire
from surveyapp.models import QuestionnaireVersion
from surveyapp.reporting import aggregates, fact_sections
from surveyapp.reporting.city import city_report
from surveyapp.reporting.extract import (
    raw_responses,
    utc_bounds,
)
from surveyapp.reporting.facts import suppression_min_n
from surveyapp.reporting.facts_model import NOT_ANSWERED
from surveyapp.reporting.method import agency_method
from surveyapp.reporting.model import (
    AGENCY_SCHEMA,
    AgencyRef,
    AgencyReport,
    Breakdown,
    BreakdownGroup,
)
from surveyapp.reporting.periods import GRAINS, period_start, trend
from surveyapp.reporting.ranking import CityRanking, city_ranking
from surveyapp.reporting.scope import (
    NOTE_ONE_VERSION,
    ReportError,
    _agency,
    _period,
    _qref,
    _weighted,
    choose_version,
)
from surveyapp.reporting.stats import (
    choice_reports,
    dimension_reports,
    driver_report,
    index_report,
    indices,
    item_reports,
    min_n_of,
)
from surveyapp.reporting.sufficient import Summary
from surveyapp.services.questionnaires import definition_of


def agency_report(
    session: Session,
    code: str,
    *,
    slug: str | None = None,
    version: int | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    timezone: str,
    grain: str = "quarter",
    breakdowns: Sequence[str] = (),
    officers: bool = False,
) -> AgencyReport:
    """One agency's report for local days ``first``..``last`` (inclusive).

    ``officers``: include officer-level counter figures (only for the agency's own
    staff and admins; never for inspectors, the API or public outputs).
    """
    period_start(dt.date(2000, 1, 1), grain)  # validates the grain early
    agency = _agency(session, code)
    chosen = choose_version(session, slug, version, agency.id)
    definition = definition_of(chosen)
    layout = aggregates.layout_of(chosen)
    for question in breakdowns:
        singles = [k for k, _ in layout.choices if definition.item(k).type == "single_choice"]
        if question not in singles:
            raise ReportError(
                f"--by {question}: not a single_choice question of {definition.slug}; "
                f"choose one of {', '.join(singles) or '(none)'}"
            )
    period = _period(session, chosen, [agency.id], first, last, timezone)
    pieces = aggregates.summaries(session, chosen, [agency.id], first, last, timezone)
    by_month = {month: s for (_, month), s in pieces.items()}
    summary = Summary.total(layout, by_month.values())
    headline = index_report(definition, summary)
    return AgencyReport(
        schema=AGENCY_SCHEMA,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        agency=AgencyRef(agency.code, agency.name_vi, agency.name_en),
        questionnaire=_qref(chosen),
        period=period,
        min_n=min_n_of(definition),
        n_responses=summary.n,
        index=headline,
        indices=indices(definition, summary),
        dimensions=dimension_reports(definition, summary),
        items=item_reports(definition, summary),
        profile=choice_reports(definition, summary),
        trend=trend(definition, layout, by_month, period, grain),
        drivers=driver_report(definition, summary),
        weighted=_weighted(session, chosen, definition, [agency.id], first, last, timezone),
        breakdowns=tuple(
            _breakdown(session, chosen, definition, agency.id, q, first, last, timezone)
            for q in breakdowns
        ),
        notes=(NOTE_ONE_VERSION,),
        service_facts=fact_sections.service_facts(
            session, chosen, definition, agency.id, first, last, timezone,
            suppression_min_n(), min_n_of(definition),
        ),
        counter=fact_sections.counter_section(
            session, chosen, definition, agency.id, first, last, timezone,
            suppression_min_n(), min_n_of(definition), officers=officers,
        ),
        method=agency_method(
            session, chosen, definition, layout.dimensions, headline, agency.id, period
        ),
    )  # fmt: skip


def _breakdown(
    session: Session,
    version: QuestionnaireVersion,
    definition: Questionnaire,
    agency_id: int,
    question: str,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> Breakdown:
    """Statistics within each answer of ``question``, from the raw rows of one agency."""
    layout = aggregates.layout_of(version)
    start, end = utc_bounds(first, last, zoneinfo.ZoneInfo(timezone))
    groups: dict[str, list[object]] = defaultdict(list)
    total = 0
    for raw in raw_responses(session, version.id, [agency_id], start, end):
        total += 1
        answer = raw.answers.get(question)
        if answer is not None and answer[1] is not None:
            groups[answer[1]].append(raw.answers)
    # The agency's total is published: respondents who did not answer are a cell too.
    sizes = {o.key: len(groups.get(o.key, [])) for o in definition.item(question).options}
    sizes[NOT_ANSWERED] = total - sum(sizes.values())
    hidden = one_margin(sizes, suppression_min_n()).hidden
    out = []
    for option in definition.item(question).options:
        if option.key in hidden:
            empty = Summary(layout)
            out.append(
                BreakdownGroup(
                    option.key, option.label.vi, option.label.en, None,
                    index_report(definition, empty), (), (), suppressed=True,
                )
            )  # fmt: skip
            continue
        summary = Summary.from_rows(layout, groups.get(option.key, []))  # type: ignore[arg-type]
        out.append(
            BreakdownGroup(
                option.key,
                option.label.vi,
                option.label.en,
                summary.n,
                index_report(definition, summary),
                dimension_reports(definition, summary),
                item_reports(definition, summary),
            )
        )
    return Breakdown(question, tuple(out))


__all__ = [
    "GRAINS",
    "CityRanking",
    "ReportError",
    "agency_report",
    "choose_version",
    "city_ranking",
    "city_report",
]
