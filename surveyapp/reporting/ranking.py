"""What one agency's report is compared with: its city-wide rank and the city average.

:func:`city_ranking` computes exactly the rank, rank interval, city index and city
dimension figures of :func:`~surveyapp.reporting.city.city_report` (the same code
paths: ``agency_sums``, ``rank_entries``, ``index_report``, ``dimension_reports``)
but none of the city report's significance tests (Kruskal-Wallis, Dunn's 1,225
pairs per scope, versus-rest tests, chi-square), trend, drivers or items, nor its
period bounds. An agency PDF needs only these figures; at 1M responses this takes
about a quarter of the time of the whole city report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis import Interval
from surveyapp.reporting import aggregates
from surveyapp.reporting.bounds import check_days
from surveyapp.reporting.city import agency_sums, hidden_agencies, rank_entries
from surveyapp.reporting.facts import suppression_min_n
from surveyapp.reporting.model import DimensionReport, IndexReport, QuestionnaireRef
from surveyapp.reporting.scope import _qref, choose_version
from surveyapp.reporting.stats import dimension_reports, index_report
from surveyapp.reporting.sufficient import Summary
from surveyapp.services.questionnaires import definition_of


@dataclass(frozen=True)
class RankedAgency:
    """One agency's place in the city-wide ranking (as in ``CityReport.agencies``)."""

    code: str
    n: int | None
    index: float | None
    index_ci: Interval | None
    rank: int | None
    rank_lower: int | None
    rank_upper: int | None
    reliable: bool
    #: No figure shown, as in the city report (``city.hidden_agencies``).
    suppressed: bool = False


@dataclass(frozen=True)
class CityRanking:
    """The city-wide figures an agency report is set against.

    ``index`` and ``dimensions`` are the city's (all agencies pooled), ``agencies``
    every agency the city report lists, by code; the same numbers as the city report
    for the same questionnaire version and days.
    """

    questionnaire: QuestionnaireRef
    n_responses: int
    index: IndexReport
    dimensions: tuple[DimensionReport, ...]
    agencies: tuple[RankedAgency, ...]


def city_ranking(
    session: Session,
    *,
    slug: str | None = None,
    version: int | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    timezone: str,
) -> CityRanking:
    """Rank every agency and pool the city for local days ``first``..``last``."""
    check_days(first, last)
    chosen = choose_version(session, slug, version)
    definition = definition_of(chosen)
    layout = aggregates.layout_of(chosen)
    agencies, sums, _ = agency_sums(session, chosen, first, last, timezone)
    city = Summary.total(layout, sums)
    codes = [a.code for a in agencies]
    idx = [index_report(definition, s) for s in sums]
    hidden = hidden_agencies(
        {c: s.n for c, s in zip(codes, sums, strict=True)}, suppression_min_n()
    )
    shown = [i for i, c in enumerate(codes) if c not in hidden]
    ranks = rank_entries([codes[i] for i in shown], [idx[i] for i in shown])
    rows = []
    for code, summary, index in zip(codes, sums, idx, strict=True):
        if code in hidden:
            rows.append(RankedAgency(code, None, None, None, None, None, None, False, True))
            continue
        entry = ranks.get(code)
        rows.append(
            RankedAgency(
                code=code,
                n=summary.n,
                index=index.value,
                index_ci=index.ci,
                rank=None if entry is None else entry.rank,
                rank_lower=None if entry is None else entry.rank_lower,
                rank_upper=None if entry is None else entry.rank_upper,
                reliable=index.reliable,
            )
        )
    return CityRanking(
        questionnaire=_qref(chosen),
        n_responses=city.n,
        index=index_report(definition, city),
        dimensions=dimension_reports(definition, city),
        agencies=tuple(rows),
    )
