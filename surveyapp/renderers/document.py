"""What a PDF, workbook or dashboard page shows besides the report itself (plain data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analysis.comments import TopicSummary
from surveyapp.renderers.wording import N_
from surveyapp.reporting.feedback import FeedbackRow
from surveyapp.reporting.model import AgencyReport, AgencyRow, CityReport
from surveyapp.reporting.ranking import CityRanking, RankedAgency

#: Agency kinds as people read them (msgids: translate with ``wording.t`` or ``_``).
KIND_LABELS = {
    "department": N_("Departments and agencies"),
    "district": N_("Districts"),
    "other": N_("Other agencies"),
}


@dataclass(frozen=True)
class Comment:
    """One free-text answer, as the respondent wrote it (renderers escape it)."""

    day: dt.date
    question: str
    text: str


@dataclass(frozen=True)
class AgencyDocument:
    """An agency report with the city context it is compared with.

    ``city`` is the city-wide report, or just its ranking and city average
    (``reporting.ranking``, the same figures for a fraction of the cost), for the
    same questionnaire version and days; ``comments`` is None when they are left out.
    """

    report: AgencyReport
    kind: str
    city: CityReport | CityRanking | None
    channels: tuple[tuple[str, int], ...]
    comments: tuple[Comment, ...] | None
    comments_total: int
    #: How many comments mention each topic of the lexicon (examples scrubbed).
    topics: TopicSummary | None = None
    #: Feedback cases of the agency in the period (reporting/feedback.py).
    feedback: tuple[FeedbackRow, ...] = ()

    @property
    def city_row(self) -> AgencyRow | RankedAgency | None:
        """Return this agency's row of the city-wide ranking."""
        if self.city is None:
            return None
        for row in self.city.agencies:
            if row.code == self.report.agency.code:
                return row
        return None

    @property
    def ranked(self) -> int:
        """Return how many agencies have a rank in the city-wide report."""
        if self.city is None:
            return 0
        return sum(1 for row in self.city.agencies if row.rank is not None)


@dataclass(frozen=True)
class DimensionCell:
    value: float | None
    reliable: bool


@dataclass(frozen=True)
class CityDocument:
    """The city-wide report, each agency's kind, and agencies x dimensions % satisfied."""

    report: CityReport
    kinds: dict[str, str]
    dimension_keys: tuple[str, ...]
    dimension_titles: tuple[str, ...]
    matrix: dict[str, tuple[DimensionCell, ...]]
    #: Each agency's comment topics (counts only), None without free-text questions.
    topics: dict[str, TopicSummary] | None = None
    #: Feedback cases of every agency in the period (reporting/feedback.py).
    feedback: tuple[FeedbackRow, ...] = ()

    def rows_of_kind(self, kind: str) -> list[AgencyRow]:
        """Return the agencies of ``kind``, ranked first (by rank within the kind), then
        unranked by code."""
        rows = [r for r in self.report.agencies if self.kinds.get(r.code) == kind]
        return sorted(rows, key=lambda r: (r.rank_in_kind is None, r.rank_in_kind or 0, r.code))

    def kinds_present(self) -> list[str]:
        """Return the agency kinds in the report, departments first."""
        order = list(KIND_LABELS)
        found = {self.kinds.get(r.code, "other") for r in self.report.agencies}
        return sorted(found, key=lambda k: order.index(k) if k in order else len(order))
