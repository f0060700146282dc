"""What a report covers: the agency, the questionnaire version and the local days."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.definitions import Questionnaire
from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import Agency, QuestionnaireVersion, ReportAggregate, UnfoldedResponse
from surveyapp.models import Questionnaire as QuestionnaireRow
from surveyapp.reporting import aggregates
from surveyapp.reporting.bounds import check_days
from surveyapp.reporting.extract import (
    edge_of,
    next_month,
    raw_responses,
    utc_bounds,
)
from surveyapp.reporting.model import (
    Period,
    QuestionnaireRef,
    Weighted,
)
from surveyapp.reporting.weighted import weighted_section
from surveyapp.services.report_choice import default_questionnaire

NOTE_ONE_VERSION = (
    "A report covers one questionnaire version (by default the newest with responses); "
    "responses to other versions are not included."
)
NOTE_RESPONDENT_MEANS = (
    "Comparisons between agencies use each respondent's mean over the scored likert items "
    "they answered; % satisfied comparisons and trends use the overall satisfaction item."
)


class ReportError(InputError):
    """A report cannot be made as asked; the message says why and what to do."""


# -- choosing what to report on -------------------------------------------------------
def _agency(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        raise NotFoundError(f"no agency with code {code!r}")
    return agency


def choose_version(
    session: Session,
    slug: str | None,
    version: int | None = None,
    agency_id: int | None = None,
) -> QuestionnaireVersion:
    """The version to report on: as named, else the newest one with accepted responses.

    Without ``slug``, the questionnaire of :func:`default_questionnaire` (at any time;
    pages, downloads, the API and the CLI resolve it for their period first).
    """
    # The aggregates and the responses waiting to be folded into them say which
    # versions have accepted responses without scanning them (a report then checks
    # them against the responses it covers).
    in_aggregates = select(ReportAggregate.questionnaire_version_id).where(
        ReportAggregate.n_responses > 0
    )
    in_waiting = select(UnfoldedResponse.questionnaire_version_id)
    if agency_id is not None:
        in_aggregates = in_aggregates.where(ReportAggregate.agency_id == agency_id)
        in_waiting = in_waiting.where(UnfoldedResponse.agency_id == agency_id)
    with_responses = (
        select(QuestionnaireRow.slug, func.max(QuestionnaireVersion.version))
        .join(QuestionnaireVersion, QuestionnaireVersion.questionnaire_id == QuestionnaireRow.id)
        .where(QuestionnaireVersion.id.in_(in_aggregates.union(in_waiting)))
        .group_by(QuestionnaireRow.slug)
    )
    newest = {slug_: v for slug_, v in session.execute(with_responses).all()}
    if slug is None:
        chosen = default_questionnaire(session, agency_id=agency_id)
        if chosen is None:
            raise NotFoundError("no questionnaire is loaded")
        slug = chosen.slug
    if version is None:
        version = newest.get(slug)
    found = session.scalars(
        select(QuestionnaireVersion)
        .join(QuestionnaireRow)
        .where(QuestionnaireRow.slug == slug)
        .where(True if version is None else QuestionnaireVersion.version == version)
        .order_by(QuestionnaireVersion.version.desc())
        .limit(1)
    ).first()
    if found is None:
        what = slug if version is None else f"{slug} version {version}"
        raise NotFoundError(f"no questionnaire {what}")
    return found


def _period(
    session: Session,
    version: QuestionnaireVersion,
    agency_ids: Sequence[int] | None,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> Period:
    check_days(first, last)
    if first is None or last is None:
        # The aggregates name the first and last months; only those months are read.
        tz = zoneinfo.ZoneInfo(timezone)
        first_month, last_month = aggregates.month_span(session, version, agency_ids, timezone)
        if first is None and first_month is not None:
            start, end = utc_bounds(first_month, next_month(first_month), tz)
            earliest = edge_of(session, version.id, agency_ids, start, end, last=False)
            if earliest is not None:
                first = earliest.astimezone(tz).date()
        if last is None and last_month is not None:
            start, end = utc_bounds(last_month, next_month(last_month), tz)
            latest = edge_of(session, version.id, agency_ids, start, end, last=True)
            if latest is not None:
                last = latest.astimezone(tz).date()
    return Period(first, last, timezone)


def _qref(version: QuestionnaireVersion) -> QuestionnaireRef:
    return QuestionnaireRef(
        version.questionnaire.slug, version.version, version.title_vi, version.title_en
    )


def _weighted(
    session: Session,
    version: QuestionnaireVersion,
    definition: Questionnaire,
    agency_ids: Sequence[int] | None,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
) -> Weighted | None:
    """Weighted estimates from the raw rows in scope (only when the questionnaire asks)."""
    if definition.weighting is None:
        return None
    start, end = utc_bounds(first, last, zoneinfo.ZoneInfo(timezone))
    rows = list(raw_responses(session, version.id, agency_ids, start, end))
    return weighted_section(definition, aggregates.layout_of(version), rows)
