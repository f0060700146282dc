"""The city-wide comparison of agencies."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import (
    RankEntry,
    RankTable,
    chi_square_satisfied,
    dunn,
    kruskal_wallis,
    rank_by_simulation,
    versus_rest_proportions,
    versus_rest_ranks,
    wilson_interval,
)
from analysis.suppression import one_margin
from surveyapp.models import Agency, QuestionnaireVersion
from surveyapp.reporting import aggregates, fact_sections
from surveyapp.reporting.facts import suppression_min_n
from surveyapp.reporting.method import city_method
from surveyapp.reporting.model import (
    CITY_SCHEMA,
    AgencyRow,
    ChiSquare,
    CityReport,
    Dunn,
    DunnPair,
    IndexReport,
    Kruskal,
    VersusRest,
)
from surveyapp.reporting.periods import _satisfied, period_start, trend
from surveyapp.reporting.scope import (
    NOTE_ONE_VERSION,
    NOTE_RESPONDENT_MEANS,
    _period,
    _qref,
    _weighted,
    choose_version,
)
from surveyapp.reporting.stats import (
    _reason,
    dimension_reports,
    driver_report,
    index_report,
    indices,
    item_reports,
    min_n_of,
)
from surveyapp.reporting.sufficient import ALL_SCORED, Summary
from surveyapp.services.questionnaires import definition_of

#: ``flag`` and ``reason`` of a suppressed row, and of its versus-rest tests.
SUPPRESSED = "suppressed"


def _dunn(scope: str, table: RankTable, hidden: frozenset[str] = frozenset()) -> Dunn:
    """Dunn's pairs, without the pairs of a suppressed agency (its row shows nothing)."""
    if not table.values:
        return Dunn((), "no_data", scope)
    result = dunn(table)
    pairs = tuple(
        DunnPair(p.group_a, p.group_b, p.z, p.p_value, p.p_adjusted)
        for p in result.pairs
        if p.group_a not in hidden and p.group_b not in hidden
    )
    return Dunn(pairs, _reason(result.reason), scope)


def _kruskal(scope: str, table: RankTable, min_n: float) -> Kruskal:
    result = kruskal_wallis(table, min_n=min_n)
    return Kruskal(
        scope,
        result.statistic,
        result.p_value,
        result.df,
        result.epsilon_squared,
        result.n,
        result.reliable,
        result.flag,
        _reason(result.reason),
    )


def rank_table(groups: Sequence[str], per_group: Sequence[Summary], scope: str) -> RankTable:
    """Agencies x distinct respondent means (exact fractions) from the histograms."""
    layout = per_group[0].layout if per_group else None
    if layout is None or not layout.grid(scope):
        return RankTable(tuple(groups), (), np.zeros((len(groups), 0)))
    counts = np.array([s.means_vector(scope) for s in per_group])
    used = np.flatnonzero(counts.sum(axis=0))
    grid = layout.grid(scope)
    return RankTable(tuple(groups), tuple(float(grid[i]) for i in used), counts[:, used])


def agency_sums(
    session: Session,
    version: QuestionnaireVersion,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> tuple[list[Agency], list[Summary], dict[dt.date, list[Summary]]]:
    """The agencies a city-wide comparison lists (active, or with responses in scope),
    by code, with each one's summary over the days, and the month summaries."""
    layout = aggregates.layout_of(version)
    pieces = aggregates.summaries(session, version, None, first, last, timezone)
    per_agency: dict[int, list[Summary]] = defaultdict(list)
    by_month: dict[dt.date, list[Summary]] = defaultdict(list)
    for (agency_id, month), summary in pieces.items():
        per_agency[agency_id].append(summary)
        by_month[month].append(summary)
    agencies = list(
        session.scalars(
            select(Agency)
            .where(Agency.active | Agency.id.in_(list(per_agency)))
            .order_by(Agency.code)
        )
    )
    sums = [Summary.total(layout, per_agency.get(a.id, [])) for a in agencies]
    return agencies, sums, by_month


def rank_entries(codes: Sequence[str], idx: Sequence[IndexReport]) -> dict[str, RankEntry]:
    """Rank (1 = best) and rank interval of every agency with an index and its SE."""
    ranked = [i for i, r in enumerate(idx) if r.value is not None and r.se is not None]
    if not ranked:
        return {}
    return {
        e.name: e
        for e in rank_by_simulation(
            [codes[i] for i in ranked],
            [idx[i].value for i in ranked],  # type: ignore[misc]
            [idx[i].se for i in ranked],  # type: ignore[misc]
        )
    }


def kind_ranks(agencies: Sequence[Agency], idx: Sequence[IndexReport]) -> dict[str, RankEntry]:
    """Rank and rank interval of every agency among the agencies of its own kind."""
    out: dict[str, RankEntry] = {}
    for kind in sorted({a.kind for a in agencies}):
        members = [i for i, a in enumerate(agencies) if a.kind == kind]
        out.update(rank_entries([agencies[i].code for i in members], [idx[i] for i in members]))
    return out


def hidden_agencies(sizes: Mapping[str, float], min_n: int) -> frozenset[str]:
    """Agencies whose row of the city comparison shows no figure.

    Each agency with responses below ``min_n`` and, as the city total is published,
    enough others (complementary suppression, ``analysis.suppression``) that no hidden
    agency's figures follow from the city total minus the agencies shown. Agencies
    without responses have nothing to hide.
    """
    cells = {code: float(n) for code, n in sizes.items() if n}
    found = one_margin(cells, min_n)
    return found.hidden | found.exposed


def _hidden_row(agency: Agency) -> AgencyRow:
    return AgencyRow(
        agency.code, agency.name_vi, agency.name_en, None, None, None, None, None, None,
        None, None, None, VersusRest(None, None, None, None, None, None, SUPPRESSED),
        False, SUPPRESSED, SUPPRESSED, agency.kind, suppressed=True,
    )  # fmt: skip


def city_report(
    session: Session,
    *,
    slug: str | None = None,
    version: int | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    timezone: str,
    grain: str = "quarter",
    suppress: bool = True,
) -> CityReport:
    """The city-wide comparison of agencies for local days ``first``..``last``.

    ``suppress``: agencies in ``hidden_agencies`` (``SURVEYAPP_SUPPRESS_MIN_N``) show no
    figure and are left out of the ranks and Dunn's pairs; only a caller that applies
    its own rule to the raw rows (the public results) turns it off.
    """
    period_start(dt.date(2000, 1, 1), grain)
    chosen = choose_version(session, slug, version)
    definition = definition_of(chosen)
    layout = aggregates.layout_of(chosen)
    min_n = min_n_of(definition)
    period = _period(session, chosen, None, first, last, timezone)
    agencies, sums, by_month = agency_sums(session, chosen, first, last, timezone)
    city = Summary.total(layout, sums)
    codes = [a.code for a in agencies]
    idx = [index_report(definition, s) for s in sums]
    hidden = (
        hidden_agencies(
            {a.code: s.n for a, s in zip(agencies, sums, strict=True)}, suppression_min_n()
        )
        if suppress
        else frozenset()
    )
    shown = [i for i, a in enumerate(agencies) if a.code not in hidden]
    ranks = rank_entries([codes[i] for i in shown], [idx[i] for i in shown])
    in_kind = kind_ranks([agencies[i] for i in shown], [idx[i] for i in shown])
    table = rank_table(codes, sums, ALL_SCORED)
    sat = [_satisfied(s) for s in sums]
    rest_sat = versus_rest_proportions(codes, [x for x, _ in sat], [n for _, n in sat], min_n=min_n)
    rest_rank = versus_rest_ranks(table, min_n=min_n) if table.values else ()
    rows = []
    for i, agency in enumerate(agencies):
        if agency.code in hidden:
            rows.append(_hidden_row(agency))
            continue
        x, n = sat[i]
        ci = wilson_interval(x, n) if n > 0 else None
        entry = ranks.get(agency.code)
        own = in_kind.get(agency.code)
        means = sums[i].means(ALL_SCORED)
        n_means = sum(means.values())
        mean = sum(float(k) * c for k, c in means.items()) / n_means if n_means else None
        mw = rest_rank[i] if rest_rank else None
        rows.append(
            AgencyRow(
                code=agency.code,
                name_vi=agency.name_vi,
                name_en=agency.name_en,
                n=sums[i].n,
                index=idx[i].value,
                index_ci=idx[i].ci,
                rank=None if entry is None else entry.rank,
                rank_lower=None if entry is None else entry.rank_lower,
                rank_upper=None if entry is None else entry.rank_upper,
                respondent_mean=mean,
                satisfied_pct=100 * x / n if n else None,
                satisfied_ci=None if ci is None else ci.scaled(100.0),
                versus_rest=VersusRest(
                    rest_sat[i].difference,
                    rest_sat[i].ci,
                    rest_sat[i].p_value,
                    None if mw is None else mw.u,
                    None if mw is None else mw.p_value,
                    None if mw is None else mw.common_language,
                    _reason(rest_sat[i].reason) or (None if mw is None else _reason(mw.reason)),
                ),
                reliable=idx[i].reliable,
                flag=idx[i].flag,
                reason=idx[i].reason,
                kind=agency.kind,
                rank_in_kind=None if own is None else own.rank,
                rank_in_kind_lower=None if own is None else own.rank_lower,
                rank_in_kind_upper=None if own is None else own.rank_upper,
            )
        )
    by_dimension = {key: rank_table(codes, sums, key) for key, _ in layout.dimensions}
    chi = chi_square_satisfied(codes, [x for x, _ in sat], [n for _, n in sat], min_n=min_n)
    month_sums = {m: Summary.total(layout, parts) for m, parts in by_month.items()}
    headline = index_report(definition, city)
    method, register_weighted = city_method(
        session, chosen, definition, layout.dimensions, headline, period
    )
    return CityReport(
        schema=CITY_SCHEMA,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        questionnaire=_qref(chosen),
        period=period,
        min_n=min_n,
        n_responses=city.n,
        index=headline,
        indices=indices(definition, city),
        dimensions=dimension_reports(definition, city),
        items=item_reports(definition, city),
        agencies=tuple(rows),
        kruskal=_kruskal(ALL_SCORED, table, min_n),
        kruskal_by_dimension=tuple(
            _kruskal(key, dim_table, min_n) for key, dim_table in by_dimension.items()
        ),
        dunn=_dunn(ALL_SCORED, table, hidden),
        dunn_by_dimension=tuple(
            _dunn(key, dim_table, hidden) for key, dim_table in by_dimension.items()
        ),
        chi2=ChiSquare(
            None if layout.overall is None else f"{layout.overall} % satisfied",
            chi.statistic,
            chi.df,
            chi.p_value,
            chi.cramers_v,
            chi.min_expected,
            chi.reliable,
            chi.flag,
            _reason(chi.reason),
        ),
        trend=trend(definition, layout, month_sums, period, grain),
        drivers=driver_report(definition, city),
        weighted=_weighted(session, chosen, definition, None, first, last, timezone),
        notes=(NOTE_ONE_VERSION, NOTE_RESPONDENT_MEANS),
        service_facts=fact_sections.service_facts(
            session,
            chosen,
            definition,
            None,
            first,
            last,
            timezone,
            suppression_min_n(),
            min_n,
        ),
        method=method,
        register_weighted=register_weighted,
    )
