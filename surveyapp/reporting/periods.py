"""Periods of a report (month, quarter, half-year, year) and the trend across them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

from analysis import (
    cochran_armitage,
    period_change,
    wilson_interval,
)
from surveyapp.definitions import Questionnaire
from surveyapp.reporting.bounds import check_periods
from surveyapp.reporting.extract import next_month
from surveyapp.reporting.model import (
    Change,
    Period,
    PeriodRow,
    Trend,
    TrendTest,
)
from surveyapp.reporting.scope import (
    ReportError,
)
from surveyapp.reporting.stats import (
    _reason,
    index_report,
    min_n_of,
)
from surveyapp.reporting.sufficient import Layout, Summary

GRAINS = ("month", "quarter", "half", "year")
GRAIN_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def period_start(month: dt.date, grain: str) -> dt.date:
    if grain == "month":
        return month
    if grain == "quarter":
        return month.replace(month=3 * ((month.month - 1) // 3) + 1)
    if grain == "half":
        return month.replace(month=1 if month.month <= 6 else 7)
    if grain == "year":
        return month.replace(month=1)
    raise ReportError(f"unknown period {grain!r}; choose one of {', '.join(GRAINS)}")


def _period_label(start: dt.date, grain: str) -> str:
    if grain == "month":
        return f"{start:%Y-%m}"
    if grain == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if grain == "half":
        return f"{start.year}-H{1 if start.month <= 6 else 2}"
    return str(start.year)


def _months_between(low: dt.date, high: dt.date) -> int:
    return (high.year - low.year) * 12 + high.month - low.month


def _period_end(start: dt.date, grain: str) -> dt.date:
    end = start
    for _ in range(GRAIN_MONTHS[grain]):
        end = next_month(end)
    return end - dt.timedelta(days=1)


def _satisfied(summary: Summary) -> tuple[float, float]:
    """(satisfied, valid) answers to the overall item."""
    layout = summary.layout
    if layout.overall is None:
        return 0.0, 0.0
    counts = summary.counts(layout.overall)
    valid = float(sum(counts.values()))
    return float(sum(c for v, c in counts.items() if v in layout.satisfied)), valid


def trend(
    definition: Questionnaire,
    layout: Layout,
    by_month: Mapping[dt.date, Summary],
    period: Period,
    grain: str,
) -> Trend:
    min_n = min_n_of(definition)
    grouped: dict[dt.date, list[Summary]] = defaultdict(list)
    for month, summary in by_month.items():
        grouped[period_start(month, grain)].append(summary)
    with_data = sorted(start for start, parts in grouped.items() if any(s.n for s in parts))
    if with_data:
        # Every period from the first to the last with data, empty ones between them
        # too; a range asked wider than the data adds no empty periods at its ends,
        # so the work follows the data, not the range asked.
        low, high = with_data[0], with_data[-1]
        check_periods(_months_between(low, high) // GRAIN_MONTHS[grain] + 1, grain)
        grouped = defaultdict(list, {k: v for k, v in grouped.items() if low <= k <= high})
        start = low
        while start <= high:
            grouped.setdefault(start, [])
            start = next_month(_period_end(start, grain))
    else:
        grouped.clear()
    rows: list[PeriodRow] = []
    previous: tuple[float, float] | None = None
    for start in sorted(grouped):
        summary = Summary.total(layout, grouped[start])
        x, n = _satisfied(summary)
        ci = wilson_interval(x, n) if n > 0 else None
        index = index_report(definition, summary)
        change = None
        if previous is not None:
            diff = period_change(_period_label(start, grain), x, n, *previous, min_n=min_n)
            change = Change(
                diff.difference,
                diff.ci,
                diff.p_value,
                diff.reliable,
                diff.flag,
                _reason(diff.reason),
            )
        end = _period_end(start, grain)
        rows.append(
            PeriodRow(
                label=_period_label(start, grain),
                from_=max(start, period.from_) if period.from_ else start,
                to=min(end, period.to) if period.to else end,
                n_responses=summary.n,
                satisfied_n=x,
                satisfied_of=n,
                satisfied_pct=100 * x / n if n else None,
                satisfied_ci=None if ci is None else ci.scaled(100.0),
                index=index.value,
                index_ci=index.ci,
                change=change,
                reliable=n >= min_n,
                flag=None if n >= min_n else "small_sample",
            )
        )
        previous = (x, n)
    test = None
    if layout.overall is not None and rows:
        ca = cochran_armitage(
            [r.satisfied_n for r in rows], [r.satisfied_of for r in rows], min_n=min_n
        )
        test = TrendTest(
            ca.z, ca.chi2, ca.p_value, ca.slope, ca.reliable, ca.flag, _reason(ca.reason)
        )
    measure = None if layout.overall is None else f"{layout.overall} % satisfied"
    return Trend(grain, measure, tuple(rows), test)
