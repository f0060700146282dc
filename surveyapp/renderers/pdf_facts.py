"""The PDF sections of satisfaction by service fact and at the counters, in the
document's language."""

from __future__ import annotations

from collections.abc import Sequence

from surveyapp.renderers import facts
from surveyapp.renderers.pdf import Document
from surveyapp.renderers.wording import both, language, tr
from surveyapp.reporting.facts_model import CounterSection, FactBreakdown


def _part(pdf: Document, part: FactBreakdown, *, at_counter: bool = False) -> None:
    pdf.h3(facts.part_title(part, at_counter=at_counter, lang=language()))
    pdf.data_table(
        [both(facts.COL_GROUP), "n", both(facts.COL_SATISFIED)],
        facts.cell_rows(part, language()),
        (100, 24, 50),
        flagged=facts.flagged(part),
        size=7.5,
    )
    pdf.para(facts.test_text(part, language()), 8)


def service_facts(pdf: Document, parts: Sequence[FactBreakdown]) -> None:
    """Write the service-fact breakdowns (agency or city report)."""
    if not parts:
        return
    pdf.h2(both(facts.H_SERVICE_FACTS), new_page=True)
    pdf.para(facts.notes(parts[0], language()), 8)
    for part in parts:
        _part(pdf, part)


def counter(pdf: Document, section: CounterSection | None) -> None:
    """Write the counter section of an agency report (nothing without counter ratings)."""
    if section is None:
        return
    pdf.h2(both(facts.H_COUNTER), new_page=True)
    pdf.para(tr(language(), facts.COUNTER_N, n=section.n_responses), 9)
    for part in facts.counter_parts(section):
        _part(pdf, part, at_counter=True)
