"""From a :class:`Summary` to the report's item, dimension and index sections."""

from __future__ import annotations

import math
from collections.abc import Sequence

from analysis import (
    DriverResult,
    IndexResult,
    Interval,
    cronbach_alpha,
    dimension_summary,
    drivers,
    item_stats,
    nps,
    percent_agree,
    reliability_flag,
    sipas_index,
    t_interval,
)
from analysis.results import SMALL_SAMPLE_THRESHOLD
from surveyapp.definitions import Item, Questionnaire
from surveyapp.reporting.model import (
    ChoiceReport,
    Component,
    DimensionReport,
    IndexReport,
    Indices,
    ItemReport,
    ItemTotal,
    NPSReport,
    ValueCount,
)
from surveyapp.reporting.sufficient import Summary


def min_n_of(definition: Questionnaire) -> float:
    return float(definition.scoring.min_n) if definition.scoring else SMALL_SAMPLE_THRESHOLD


def _reason(value: object) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def _scale_of(item: Item) -> tuple[float, float]:
    low, high = item.min_value, item.max_value
    return (float(low if low is not None else 1), float(high if high is not None else 5))


def _value_labels(item: Item) -> list[tuple[float, str, str]]:
    if item.scale is not None:
        return [(float(s.value), s.label.vi, s.label.en) for s in item.scale.steps]
    low, high = _scale_of(item)
    return [(float(v), str(v), str(v)) for v in range(int(low), int(high) + 1)]


def item_report(definition: Questionnaire, summary: Summary, key: str) -> ItemReport:
    item = definition.item(key)
    layout = summary.layout
    counts = summary.counts(key)
    is_scored_scale = item.type == "likert"
    stats = item_stats(
        counts,
        n_na=summary.n_na(key),
        n_missing=summary.n_missing(key),
        scale=_scale_of(item),
        satisfied=layout.satisfied if is_scored_scale else (),
        min_n=min_n_of(definition),
    )
    total = stats.n_valid
    distribution = tuple(
        ValueCount(v, vi, en, counts.get(v, 0), 100 * counts.get(v, 0) / total if total else None)
        for v, vi, en in _value_labels(item)
    )
    return ItemReport(
        key=key,
        type=item.type,
        dimension=item.dimension,
        text_vi=item.text.vi,
        text_en=item.text.en,
        n=stats.n_valid,
        n_na=stats.n_na,
        n_missing=stats.n_missing,
        mean=stats.mean,
        sd=stats.sd,
        mean_ci=stats.mean_ci,
        score_100=stats.score_100,
        satisfied_pct=stats.pct_satisfied if is_scored_scale else None,
        satisfied_ci=stats.pct_satisfied_ci if is_scored_scale else None,
        distribution=distribution,
        reliable=stats.reliable,
        flag=stats.flag,
        reason=_reason(stats.reason),
    )


def item_reports(definition: Questionnaire, summary: Summary) -> tuple[ItemReport, ...]:
    return tuple(item_report(definition, summary, key) for key, _ in summary.layout.numeric)


def choice_reports(definition: Questionnaire, summary: Summary) -> tuple[ChoiceReport, ...]:
    out = []
    for key, _ in summary.layout.choices:
        item = definition.item(key)
        counts = summary.options(key)
        answered = summary.n_answered(key)
        out.append(
            ChoiceReport(
                key=key,
                type=item.type,
                text_vi=item.text.vi,
                text_en=item.text.en,
                n=answered,
                n_na=summary.n_na(key),
                n_missing=summary.n_missing(key),
                distribution=tuple(
                    ValueCount(
                        o.key,
                        o.label.vi,
                        o.label.en,
                        counts.get(o.key, 0),
                        100 * counts.get(o.key, 0) / answered if answered else None,
                    )
                    for o in item.options
                ),
            )
        )
    return tuple(out)


def dimension_reports(definition: Questionnaire, summary: Summary) -> tuple[DimensionReport, ...]:
    min_n = min_n_of(definition)
    titles = {d.key: d.title for d in definition.dimensions()}
    out = []
    for key, items in summary.layout.dimensions:
        scale = _scale_of(definition.item(items[0]))
        dim = dimension_summary(
            summary.values, summary.satisfied, key, items, scale=scale, min_n=min_n
        )
        alpha = cronbach_alpha(summary.alpha(key), min_n=min_n)
        out.append(
            DimensionReport(
                key=key,
                title_vi=titles[key].vi,
                title_en=titles[key].en,
                items=items,
                n_min=dim.n_min,
                mean=dim.mean,
                mean_ci=dim.mean_ci,
                score_100=dim.score_100,
                score_100_ci=dim.score_100_ci,
                satisfied_pct=dim.pct_satisfied,
                satisfied_ci=dim.pct_satisfied_ci,
                alpha=alpha.alpha,
                alpha_ci=alpha.ci,
                alpha_n=alpha.n,
                alpha_reason=_reason(alpha.reason),
                item_total=tuple(
                    ItemTotal(i.name, i.corrected_item_total, i.alpha_if_deleted, _reason(i.reason))
                    for i in alpha.items
                ),
                reliable=dim.reliable,
                flag=dim.flag,
                reason=_reason(dim.reason),
            )
        )
    return tuple(out)


def _index_report(result: IndexResult, method: str) -> IndexReport:
    return IndexReport(
        method=method,
        value=result.value,
        ci=result.ci,
        se=result.se,
        n_min=result.n_min,
        components=tuple(
            Component(c.name, c.value, c.ci, _reason(c.reason)) for c in result.components
        ),
        reliable=result.reliable,
        flag=result.flag,
        reason=_reason(result.reason),
    )


def index_dimensions(definition: Questionnaire, summary: Summary) -> dict[str, Sequence[str]]:
    chosen = definition.scoring.index_dimensions if definition.scoring else ()
    dims = dict(summary.layout.dimensions)
    return {k: dims[k] for k in (chosen or dims) if k in dims}


def index_report(definition: Questionnaire, summary: Summary) -> IndexReport:
    """The headline index named by ``scoring.index.method``, in the order of
    aggregation of the questionnaire's method profile."""
    method = definition.scoring.index_method if definition.scoring else "sipas"
    if summary.layout.respondent:
        return _respondent_index(definition, summary, method)
    dims = index_dimensions(definition, summary)
    if not dims:
        return _empty_index(method, definition)
    return _index_report(sipas_index(summary.satisfied, dims, min_n=min_n_of(definition)), method)


def _mean_score(
    n: float, total: float, squares: float
) -> tuple[float, float | None, Interval | None]:
    """Mean of scores in [0, 1] on 0-100, its SE and t interval (clipped to 0-100)."""
    mean = total / n
    if n < 2:
        return 100.0 * mean, None, None
    sd = math.sqrt(max(squares - n * mean * mean, 0.0) / (n - 1))
    ci = t_interval(100.0 * mean, 100.0 * sd, n)
    if ci is not None:
        ci = Interval(max(ci.lower, 0.0), min(ci.upper, 100.0), ci.level, ci.method)
    return 100.0 * mean, 100.0 * sd / math.sqrt(n), ci


def _respondent_index(definition: Questionnaire, summary: Summary, method: str) -> IndexReport:
    """The index as the mean respondent score (``analysis.method``, respondent order).

    The score is a per-respondent mean, so the interval is Student's t on the scores
    (their mean and SD from the summary's sums); each criterion likewise on the
    respondents who answered it.
    """
    n, total, squares = summary.respondent_moments()
    if n <= 0:
        return _empty_index(method, definition)
    value, se, ci = _mean_score(n, total, squares)
    components = []
    for key, _ in summary.layout.respondent:
        cn, ct, cs = summary.respondent_moments(key)
        if cn <= 0:
            components.append(Component(key, None, None, "no_data"))
            continue
        cv, _, cci = _mean_score(cn, ct, cs)
        components.append(Component(key, cv, cci, None))
    reliable, flag = reliability_flag(n, min_n_of(definition))
    return IndexReport(method, value, ci, se, n, tuple(components), reliable, flag, None)


def _empty_index(method: str, definition: Questionnaire) -> IndexReport:
    return IndexReport(
        method, None, None, None, 0.0, (), min_n_of(definition) <= 0, "small_sample", "no_data"
    )


def indices(definition: Questionnaire, summary: Summary) -> Indices:
    min_n = min_n_of(definition)
    scored = summary.layout.scored
    if scored:
        agree = _index_report(
            percent_agree(summary.satisfied, scored, min_n=min_n), "percent_agree"
        )
        scale = _scale_of(definition.item(scored[0]))
        overall = dimension_summary(
            summary.values, summary.satisfied, "all", scored, scale=scale, min_n=min_n
        )
        score, score_ci = overall.score_100, overall.score_100_ci
    else:
        agree, score, score_ci = _empty_index("percent_agree", definition), None, None
    if summary.layout.respondent:
        sipas = _respondent_index(definition, summary, "sipas")
    else:
        dims = index_dimensions(definition, summary)
        sipas = (
            _index_report(sipas_index(summary.satisfied, dims, min_n=min_n), "sipas")
            if dims
            else _empty_index("sipas", definition)
        )
    nps_key = definition.scoring.nps if definition.scoring else None
    nps_report = None
    if nps_key is not None:
        counts = {int(v): c for v, c in summary.counts(nps_key).items()}
        result = nps(counts, min_n=min_n)
        nps_report = NPSReport(
            nps_key,
            result.value,
            result.ci,
            result.n,
            result.pct_promoters,
            result.pct_passives,
            result.pct_detractors,
            result.reliable,
            result.flag,
            _reason(result.reason),
        )
    return Indices(sipas, agree, score, score_ci, nps_report)


def driver_report(definition: Questionnaire, summary: Summary) -> DriverResult | None:
    """Dimension respondent means against overall satisfaction (complete cases).

    Dimensions shown only to some respondents (``show_if``) are left out: complete
    cases would otherwise be only the respondents who saw them.
    """
    layout = summary.layout
    if layout.overall is None or summary.drivers is None or not layout.dimensions:
        return None
    labels = {d.key: d.title.vi for d in definition.dimensions()}
    return drivers(summary.drivers, layout.overall, labels_vi=labels, min_n=min_n_of(definition))
