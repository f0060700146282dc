"""Counts that describe what the platform holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from surveyapp.models import Agency, QuestionnaireVersion, Response
from surveyapp.services.questionnaires import newest_versions


@dataclass(frozen=True)
class QuestionnaireRow:
    slug: str
    version: int
    title_vi: str
    title_en: str
    accepted: int


@dataclass(frozen=True)
class Summary:
    questionnaires: list[QuestionnaireRow]
    departments: int
    districts: int
    other_agencies: int
    accepted_responses: int


def ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


def summarise(session: Session) -> Summary:
    """Return the newest version of each questionnaire and overall counts."""
    accepted_by_questionnaire = dict(
        session.execute(
            select(QuestionnaireVersion.questionnaire_id, func.count(Response.id))
            .join(Response, Response.questionnaire_version_id == QuestionnaireVersion.id)
            .where(Response.status == "accepted")
            .group_by(QuestionnaireVersion.questionnaire_id)
        ).all()
    )
    rows = session.execute(newest_versions()).all()
    kinds = dict(
        session.execute(
            select(Agency.kind, func.count()).where(Agency.active).group_by(Agency.kind)
        ).all()
    )
    return Summary(
        questionnaires=[
            QuestionnaireRow(
                slug=q.slug,
                version=v.version,
                title_vi=v.title_vi,
                title_en=v.title_en,
                accepted=accepted_by_questionnaire.get(q.id, 0),
            )
            for q, v in rows
        ],
        departments=kinds.get("department", 0),
        districts=kinds.get("district", 0),
        other_agencies=kinds.get("other", 0),
        accepted_responses=sum(accepted_by_questionnaire.values()),
    )
