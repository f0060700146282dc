"""The feedback cases section of agency and city reports: HTML rows, PDF table, XLSX sheet.

Texts are in the documents' language (``renderers.wording.using``), as in the rest of
the PDF, whether rendered for a page, a download or ``surveyapp report --lang``.

Per agency: cases left in the report's period, % answered on time (of the cases
answered or past their deadline), median days to answer (of those answered). See
``surveyapp.services.feedback_cases.figures``.
"""

from __future__ import annotations

from collections.abc import Sequence

from surveyapp.renderers.numbers import DASH, num
from surveyapp.renderers.pdf import Document
from surveyapp.renderers.wording import both as _
from surveyapp.renderers.wording import pick
from surveyapp.reporting.feedback import FeedbackRow

#: Column names of the XLSX sheet (data, not interface text).
SHEET_HEAD = ("code", "cases", "answered", "on_time_pct", "median_days_to_answer")


def heading() -> str:
    return _("Feedback cases (petitions and complaints)")


def head() -> tuple[str, str, str, str]:
    return (_("Agency"), _("Cases"), _("Answered on time"), _("Median days to answer"))


def text_rows(rows: Sequence[FeedbackRow]) -> list[tuple[str, str, str, str]]:
    return [
        (
            f"{pick(r.name_vi, r.name_en)} ({r.code})",
            str(r.cases),
            DASH if r.on_time_pct is None else f"{num(r.on_time_pct)}%",
            num(r.median_days),
        )
        for r in rows
    ]


def pdf_section(pdf: Document, rows: Sequence[FeedbackRow]) -> None:
    """Write the section (nothing when no agency has a case)."""
    shown = [r for r in rows if r.cases]
    if not shown:
        return
    pdf.h2(heading())
    pdf.data_table(head(), text_rows(shown), (80, 25, 35, 34), size=8.5)


def sheet_rows(rows: Sequence[FeedbackRow]) -> list[list[object]]:
    return [[r.code, r.cases, r.answered, r.on_time_pct, r.median_days] for r in rows]
