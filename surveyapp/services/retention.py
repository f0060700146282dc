"""Erase free text and dossier codes older than each questionnaire's retention period.

A questionnaire's period is ``retention: {days: N}`` in its newest version's definition
(docs/questionnaire-format.md); it applies to the responses of every version of that
slug. Free-text answers (``short_text``, ``long_text``) of responses submitted before
the cut-off become empty strings: the answer row stays, so the answered counts and
every number of a report stay as they were, and nothing shows as a comment any more.
The dossier code a response used is replaced by ``~ERASED-<id>`` (a form no code that
is loaded can take), so the response still counts as checked against a dossier but
can no longer be linked to one. Numeric and choice answers and the aggregates are not
touched. The contact details of a feedback case are erased once the case has been
closed for the period (at the first run after closing without a period): see
``surveyapp.services.feedback_cases``. Each questionnaire's run is one
``retention.apply`` event of the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, cast, func, literal, select, update
from sqlalchemy.orm import Session

from surveyapp.models import Answer, DossierCode, Questionnaire, Response, utcnow
from surveyapp.services import audit, feedback_cases
from surveyapp.services.questionnaires import definition_of

FREE_TEXT_TYPES = ("short_text", "long_text")
#: What an erased dossier code becomes (followed by its row id); a loaded code never
#: starts with "~" (surveyapp.services.dossiers.CODE_PATTERN).
ERASED_CODE = "~ERASED-"


@dataclass(frozen=True)
class Outcome:
    """One questionnaire's retention run: its period, cut-off and what was (or would be) erased."""

    slug: str
    days: int | None
    cutoff: dt.datetime | None
    texts: int = 0
    dossier_codes: int = 0
    #: Contact details of feedback cases closed longer ago than the period (or at all,
    #: without a period) that were (or would be) erased.
    case_contacts: int = 0


def _erase(
    session: Session, responses: ColumnElement[bool], keys: list[str], *, dry_run: bool
) -> tuple[int, int]:
    old = select(Response.id).where(responses)
    texts_where = (
        Answer.response_id.in_(old),
        Answer.question_key.in_(keys),
        Answer.value_text.is_not(None),
        Answer.value_text != "",
    )
    codes_where = (DossierCode.response_id.in_(old), ~DossierCode.code.startswith("~"))
    if dry_run:
        texts = session.scalar(select(func.count()).select_from(Answer).where(*texts_where))
        codes = session.scalar(select(func.count()).select_from(DossierCode).where(*codes_where))
        return int(texts or 0), int(codes or 0)
    texts = 0
    if keys:
        result = session.execute(
            update(Answer).where(*texts_where).values(value_text=""),
            execution_options={"synchronize_session": False},
        )
        texts = int(result.rowcount or 0)  # type: ignore[attr-defined]
    result = session.execute(
        update(DossierCode)
        .where(*codes_where)
        .values(code=literal(ERASED_CODE).concat(cast(DossierCode.id, String))),
        execution_options={"synchronize_session": False},
    )
    return texts, int(result.rowcount or 0)  # type: ignore[attr-defined]


def _erase_case_contacts(
    session: Session, questionnaire_id: int, days: int | None, dry_run: bool, now: dt.datetime
) -> int:
    """Erase the contacts of closed feedback cases past the period (see feedback_cases)."""
    return feedback_cases.erase_contacts(
        session, questionnaire_id, days or 0, dry_run=dry_run, now=now
    )


def apply(
    session: Session, *, dry_run: bool = False, now: dt.datetime | None = None
) -> list[Outcome]:
    """Erase (or with ``dry_run`` count) what each questionnaire's period no longer keeps."""
    moment = now or utcnow()
    outcomes: list[Outcome] = []
    for questionnaire in session.scalars(select(Questionnaire).order_by(Questionnaire.slug)):
        versions = sorted(questionnaire.versions, key=lambda v: v.version)
        if not versions:
            continue
        days = definition_of(versions[-1]).retention_days
        contacts = _erase_case_contacts(session, questionnaire.id, days, dry_run, moment)
        if days is None:
            outcomes.append(Outcome(questionnaire.slug, None, None, case_contacts=contacts))
            continue
        cutoff = moment - dt.timedelta(days=days)
        texts = codes = 0
        for version in versions:
            keys = [i.key for i in definition_of(version).items() if i.type in FREE_TEXT_TYPES]
            erased = _erase(
                session,
                (Response.questionnaire_version_id == version.id)
                & (Response.submitted_at < cutoff),
                keys,
                dry_run=dry_run,
            )
            texts += erased[0]
            codes += erased[1]
        outcome = Outcome(questionnaire.slug, days, cutoff, texts, codes, contacts)
        outcomes.append(outcome)
        if not dry_run:
            audit.record(
                session,
                None,
                "retention.apply",
                f"questionnaire:{questionnaire.slug}",
                {
                    "days": days,
                    "submitted_before": cutoff.isoformat(),
                    "texts_erased": texts,
                    "dossier_codes_erased": codes,
                    "case_contacts_erased": contacts,
                },
                at=moment,
            )
    return outcomes
