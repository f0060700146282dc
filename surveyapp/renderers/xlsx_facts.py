"""The workbook sheets of satisfaction by service fact and at the counters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from surveyapp.reporting.facts_model import CounterSection, FactBreakdown

HEAD = (
    "breakdown",
    "question",
    "group",
    "label_vi",
    "label_en",
    "n",
    "satisfied",
    "satisfied_pct",
    "satisfied_ci_lower",
    "satisfied_ci_upper",
    "suppressed",
    "small_sample",
)
TEST_HEAD = ("breakdown", "test", "statistic", "df", "test_p", "difference_pct", "groups")

Sheet = Callable[..., None]


def _rows(parts: Iterable[FactBreakdown]) -> list[list[object]]:
    out: list[list[object]] = []
    for part in parts:
        for c in part.cells:
            ci = c.satisfied_ci
            out.append(
                [
                    part.fact, part.question, c.key, c.label_vi, c.label_en, c.n, c.satisfied,
                    c.satisfied_pct, None if ci is None else ci.lower,
                    None if ci is None else ci.upper, "yes" if c.suppressed else "no",
                    "" if c.suppressed else ("no" if c.reliable else "yes"),
                ]
            )  # fmt: skip
    return out


def _tests(parts: Iterable[FactBreakdown]) -> list[list[object]]:
    return [
        [p.fact, t.test, t.statistic, t.df, t.p, t.difference, ", ".join(t.groups)]
        for p in parts
        if (t := p.test) is not None
    ]


def write(
    wb: Any, sheet: Sheet, parts: Sequence[FactBreakdown], section: CounterSection | None = None
) -> None:
    """Add the ``service_facts`` sheets and, with counter ratings, the ``counter`` ones."""
    if parts:
        sheet(wb, "service_facts", HEAD, _rows(parts))
        sheet(wb, "service_fact_tests", TEST_HEAD, _tests(parts))
    if section is not None:
        counter = [
            p
            for p in (section.by_counter, section.by_officer, section.by_hour, section.by_late)
            if p is not None
        ]
        sheet(wb, "counter", HEAD, _rows(counter))
        sheet(wb, "counter_tests", TEST_HEAD, _tests(counter))
