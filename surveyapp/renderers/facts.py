"""Service-fact and counter breakdowns in documents: the words and rows every renderer
(PDF, XLSX, dashboard pages) shows. A suppressed cell shows no figure anywhere."""

from __future__ import annotations

from collections.abc import Sequence

from surveyapp.renderers.numbers import DASH, count, num, with_interval
from surveyapp.renderers.wording import N_, both, p_text, tr
from surveyapp.reporting.facts_model import CounterSection, FactBreakdown

TITLES = {
    "late": N_("Satisfaction by result on time or late"),
    "trips": N_("Satisfaction by number of trips"),
    "procedure": N_("Satisfaction by procedure"),
    "submission_channel": N_("Satisfaction by how the dossier was submitted"),
    "channel": N_("Satisfaction by response channel"),
    "counter": N_("Satisfaction by counter"),
    "officer": N_("Satisfaction by civil servant"),
    "hour": N_("Satisfaction by hour of day (local time the rating was given)"),
}
H_SERVICE_FACTS = N_("Satisfaction and service facts")
H_COUNTER = N_("Ratings at the one-stop-shop counter")
H_COUNTER_LATE = N_("Counter ratings by result on time or late")
COL_GROUP = N_("Group")
COL_SATISFIED = N_("Satisfied (%) [95% CI]")
SUPPRESSED = N_("not shown")
SUPPRESSED_NOTE = N_(
    "Groups of fewer than %(min_n)s respondents are not shown, nor a second group where "
    "it would let the hidden one be worked out from the totals."
)
MEASURE_NOTE = N_("Satisfied: answer 4 or 5 to the overall satisfaction question.")
COUNTER_N = N_("%(n)s ratings given at the counters.")
TESTS = {
    "chi_square": N_("Chi-square test across the groups shown: X² = %(stat)s, df = %(df)s, %(p)s."),
    "two_proportion_z": N_(
        "Two-proportion z test: difference %(diff)s percentage points, z = %(stat)s, %(p)s."
    ),
    "fisher_exact": N_(
        "Fisher's exact test (small expected counts): difference %(diff)s percentage points, %(p)s."
    ),
}
NO_TEST = N_("No test: fewer than two groups shown.")
DIFFERENT = N_("The difference is larger than chance.")
ALIKE = N_("The difference is no larger than chance alone would give.")
SMALL = N_("⚠ small sample: read with care.")
REALTIME = N_("This month so far (%(month)s)")
REALTIME_HIDDEN = N_("fewer than %(min_n)s ratings")


def title(part: FactBreakdown, lang: str | None = None) -> str:
    """Return the breakdown's heading (both languages when ``lang`` is None)."""
    message = TITLES.get(part.fact, part.fact)
    return both(message) if lang is None else tr(lang, message)


def cell_rows(part: FactBreakdown, lang: str = "vi") -> list[tuple[str, str, str]]:
    """(group, n, % satisfied [CI]) per cell; a suppressed cell says only so."""
    out = []
    for c in part.cells:
        name = c.label_vi if lang == "vi" else c.label_en
        if c.suppressed:
            out.append((name, DASH, tr(lang, SUPPRESSED)))
        else:
            out.append((name, count(c.n), with_interval(c.satisfied_pct, c.satisfied_ci)))
    return out


def flagged(part: FactBreakdown) -> list[bool]:
    return [not c.suppressed and not c.reliable for c in part.cells]


def test_text(part: FactBreakdown, lang: str) -> str:
    """The significance test in words, with its verdict."""
    t = part.test
    if t is None or t.test is None or t.p is None:
        return tr(lang, NO_TEST)
    p = p_text(t.p, lang)
    values = {
        "stat": num(t.statistic, 2),
        "df": t.df,
        "p": p,
        "diff": num(t.difference),
    }
    words = [tr(lang, TESTS[t.test], **values), tr(lang, DIFFERENT if t.p < 0.05 else ALIKE)]
    if not t.reliable:
        words.append(tr(lang, SMALL))
    return " ".join(words)


def notes(part: FactBreakdown, lang: str) -> str:
    """The measure and the suppression rule, in ``lang``."""
    text = tr(lang, MEASURE_NOTE)
    return f"{text} {tr(lang, SUPPRESSED_NOTE, min_n=part.min_n)}"


def counter_parts(section: CounterSection) -> list[FactBreakdown]:
    """The counter section's breakdowns in display order (officers only when allowed)."""
    parts: Sequence[FactBreakdown | None] = (
        section.by_counter,
        section.by_officer,
        section.by_hour,
        section.by_late,
    )
    return [p for p in parts if p is not None]


def part_title(part: FactBreakdown, *, at_counter: bool, lang: str | None = None) -> str:
    """Heading of a breakdown; lateness inside the counter section says so."""
    if at_counter and part.fact == "late":
        return both(H_COUNTER_LATE) if lang is None else tr(lang, H_COUNTER_LATE)
    return title(part, lang)


def page_sections(
    parts: Sequence[FactBreakdown], lang: str, *, at_counter: bool = False
) -> list[dict[str, object]]:
    """What a dashboard page shows of each breakdown, in ``lang`` (precomputed)."""
    return [
        {
            "fact": part.fact,
            "title": part_title(part, at_counter=at_counter, lang=lang),
            "head": (tr(lang, COL_GROUP), "n", tr(lang, COL_SATISFIED)),
            "rows": [
                (*row, c.suppressed, flag)
                for row, c, flag in zip(
                    cell_rows(part, lang), part.cells, flagged(part), strict=True
                )
            ],
            "test": test_text(part, lang),
            "notes": notes(part, lang),
        }
        for part in parts
    ]
