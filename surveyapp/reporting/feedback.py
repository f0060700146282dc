"""Feedback figures of a report: each agency's cases, % answered on time, median days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from surveyapp.models import Agency
from surveyapp.services import feedback_cases


@dataclass(frozen=True)
class FeedbackRow:
    """One agency's feedback figures in a report."""

    code: str
    name_vi: str
    cases: int
    answered: int
    on_time_pct: float | None
    median_days: float | None
    name_en: str = ""


def feedback_rows(
    session: Session,
    agencies: Sequence[Agency],
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> tuple[FeedbackRow, ...]:
    """Return the feedback figures of ``agencies`` over cases left on days first..last."""
    found = feedback_cases.figures(session, [a.id for a in agencies], first, last, timezone)
    return tuple(
        FeedbackRow(
            a.code,
            a.name_vi,
            found[a.id].cases,
            found[a.id].answered,
            found[a.id].on_time_pct,
            found[a.id].median_days,
            a.name_en or "",
        )
        for a in agencies
    )
