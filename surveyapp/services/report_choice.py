"""Which questionnaire a report shows when the person did not choose one.

Pages, downloads, the token API and ``surveyapp report`` all ask :func:`default_questionnaire`,
so an inspector sees the same report on the dashboard, in its PDF and on the command line.
Counts come from the report aggregates (whole local months) and the responses waiting to
be folded into them, never from a scan of the responses.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.models import Questionnaire, QuestionnaireVersion, ReportAggregate, UnfoldedResponse
from surveyapp.reporting.extract import utc_bounds
from surveyapp.services.questionnaires import newest_versions


@dataclass(frozen=True)
class QuestionnaireOption:
    """A questionnaire a staff page offers to report on (titles of its newest version)."""

    slug: str
    title_vi: str
    title_en: str


@dataclass(frozen=True)
class DefaultQuestionnaire:
    """The questionnaire chosen for a person who did not choose, and why.

    ``responses`` counts its accepted responses in the period (0: nobody answered any
    questionnaire then, and the choice is the one answered most ever, else the newest).
    """

    slug: str
    responses: int

    @property
    def reason(self) -> str:
        """Say in a few words why this questionnaire was chosen (for the command line)."""
        if self.responses:
            return f"most responses in the period: {self.responses}"
        return "no responses in the period; the one answered most, else the newest"


def questionnaire_options(session: Session) -> list[QuestionnaireOption]:
    """Return every questionnaire, by slug, with the titles of its newest version."""
    rows = session.execute(newest_versions()).all()
    return [QuestionnaireOption(q.slug, v.title_vi, v.title_en) for q, v in rows]


def _counts(
    session: Session,
    agency_id: int | None,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> dict[str, int]:
    """Accepted responses per questionnaire slug in the local months of ``first``..``last``."""
    folded = (
        select(Questionnaire.slug, func.sum(ReportAggregate.n_responses))
        .join(QuestionnaireVersion, QuestionnaireVersion.questionnaire_id == Questionnaire.id)
        .join(ReportAggregate, ReportAggregate.questionnaire_version_id == QuestionnaireVersion.id)
        .group_by(Questionnaire.slug)
    )
    waiting = (
        select(Questionnaire.slug, func.count(UnfoldedResponse.response_id))
        .join(QuestionnaireVersion, QuestionnaireVersion.questionnaire_id == Questionnaire.id)
        .join(
            UnfoldedResponse,
            UnfoldedResponse.questionnaire_version_id == QuestionnaireVersion.id,
        )
        .group_by(Questionnaire.slug)
    )
    if agency_id is not None:
        folded = folded.where(ReportAggregate.agency_id == agency_id)
        waiting = waiting.where(UnfoldedResponse.agency_id == agency_id)
    if first is not None:
        folded = folded.where(ReportAggregate.month >= first.replace(day=1))
    if last is not None:
        folded = folded.where(ReportAggregate.month <= last.replace(day=1))
    start, end = utc_bounds(first, last, zoneinfo.ZoneInfo(timezone))
    if start is not None:
        waiting = waiting.where(UnfoldedResponse.submitted_at >= start)
    if end is not None:
        waiting = waiting.where(UnfoldedResponse.submitted_at < end)
    counts: dict[str, int] = {}
    for query in (folded, waiting):
        for slug, n in session.execute(query):
            counts[slug] = counts.get(slug, 0) + int(n or 0)
    return {slug: n for slug, n in counts.items() if n > 0}


def _most(counts: dict[str, int]) -> str:
    # Most responses first; a tie goes to the first slug, so the choice never flickers.
    return min(counts, key=lambda slug: (-counts[slug], slug))


def default_questionnaire(
    session: Session,
    *,
    agency_id: int | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    timezone: str = "UTC",
) -> DefaultQuestionnaire | None:
    """Return the questionnaire to report on when none was chosen; None when none is loaded.

    The one with most accepted responses (of ``agency_id``, else of every agency) in the
    local days ``first``..``last`` (counted by whole months); when there are none, the one
    answered most at any time, else the newest loaded questionnaire.
    """
    in_period = _counts(session, agency_id, first, last, timezone)
    if in_period:
        slug = _most(in_period)
        return DefaultQuestionnaire(slug, in_period[slug])
    if first is not None or last is not None:
        ever = _counts(session, agency_id, None, None, timezone)
        if ever:
            return DefaultQuestionnaire(_most(ever), 0)
    newest = session.scalar(
        select(Questionnaire.slug)
        .join(QuestionnaireVersion, QuestionnaireVersion.questionnaire_id == Questionnaire.id)
        .order_by(QuestionnaireVersion.created_at.desc(), QuestionnaireVersion.id.desc())
        .limit(1)
    )
    return None if newest is None else DefaultQuestionnaire(newest, 0)
