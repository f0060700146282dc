"""Opening and closing a questionnaire, for one agency or for all, with an optional period.

With no setting a questionnaire is open (as before this feature). An agency's
own setting overrides the setting for all agencies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.errors import InputError, Problem
from surveyapp.models import User, utcnow
from surveyapp.models.admin import QuestionnaireAvailability
from surveyapp.services import audit


def _row(
    session: Session, questionnaire_id: int, agency_id: int | None
) -> QuestionnaireAvailability | None:
    agency_match = (
        QuestionnaireAvailability.agency_id.is_(None)
        if agency_id is None
        else QuestionnaireAvailability.agency_id == agency_id
    )
    return session.scalar(
        select(QuestionnaireAvailability).where(
            QuestionnaireAvailability.questionnaire_id == questionnaire_id, agency_match
        )
    )


def is_open(session: Session, agency_id: int, questionnaire_id: int, now: dt.datetime) -> bool:
    """Return whether the agency's form of the questionnaire takes answers at ``now`` (UTC)."""
    row = _row(session, questionnaire_id, agency_id) or _row(session, questionnaire_id, None)
    if row is None:
        return True
    return Setting(row.is_open, row.opens_at, row.closes_at).takes_answers(now)


@dataclass(frozen=True)
class Setting:
    """One availability setting's values, apart from its row."""

    is_open: bool
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None

    def takes_answers(self, now: dt.datetime) -> bool:
        """Return whether the setting lets the questionnaire take answers at ``now`` (UTC)."""
        if not self.is_open:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return not (self.closes_at is not None and now >= self.closes_at)


def set_availability(
    session: Session,
    questionnaire_id: int,
    agency_id: int | None,
    *,
    open_: bool,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    actor: User | None,
    target: str,
) -> QuestionnaireAvailability:
    """Open (optionally for a period) or close a questionnaire for an agency or all (None)."""
    for moment in (opens_at, closes_at):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("opening times must be timezone-aware")
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        raise InputError(Problem("the period must end after it starts"))
    row = _row(session, questionnaire_id, agency_id)
    if row is None:
        row = QuestionnaireAvailability(questionnaire_id=questionnaire_id, agency_id=agency_id)
        session.add(row)
    row.is_open = open_
    row.opens_at = opens_at if open_ else None
    row.closes_at = closes_at if open_ else None
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "questionnaire.open" if open_ else "questionnaire.close",
        target,
        {
            "from": opens_at.isoformat() if open_ and opens_at else None,
            "until": closes_at.isoformat() if open_ and closes_at else None,
        },
    )
    return row


def settings_of(session: Session, questionnaire_id: int) -> list[QuestionnaireAvailability]:
    """Every setting of a questionnaire, the all-agencies one first."""
    return list(
        session.scalars(
            select(QuestionnaireAvailability)
            .where(QuestionnaireAvailability.questionnaire_id == questionnaire_id)
            .order_by(
                QuestionnaireAvailability.agency_id.is_not(None), QuestionnaireAvailability.id
            )
        )
    )
