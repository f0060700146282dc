"""Sampling plans: each agency's quota for a period from its registers, and progress."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.sampling import DEFAULT_MARGIN, Progress, progress, quota
from surveyapp.errors import InputError, Problem
from surveyapp.models import Agency, Questionnaire, QuestionnaireVersion, Response
from surveyapp.reporting.extract import utc_bounds
from surveyapp.services.registers import period_days, volumes

RULES = ("slovin", "proportion")


@dataclass(frozen=True)
class AgencyQuota:
    code: str
    name_vi: str
    name_en: str
    dossiers: int
    progress: Progress


@dataclass(frozen=True)
class SamplingPlan:
    """Quotas of one period; ``elapsed_days`` of ``total_days`` have passed (local)."""

    period: str
    first: dt.date
    last: dt.date
    margin: float
    rule: str
    questionnaire: str | None
    elapsed_days: int
    total_days: int
    agencies: tuple[AgencyQuota, ...]

    @property
    def behind(self) -> tuple[AgencyQuota, ...]:
        return tuple(a for a in self.agencies if a.progress.behind)


def check_margin(text: str | None) -> float:
    """The margin of error from a form or option (``0.05`` or ``5%``)."""
    if text is None or not str(text).strip():
        return DEFAULT_MARGIN
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise InputError(
            Problem("margin: %(value)r is not a number (write 0.05 or 5%%)", value=raw)
        ) from None
    if not 0.001 <= value <= 0.5:
        raise InputError(Problem("margin: must be between 0.001 and 0.5 (0.1%% to 50%%)"))
    return value


def sampling_plan(
    session: Session,
    period: str,
    *,
    timezone: str,
    margin: float = DEFAULT_MARGIN,
    rule: str = "slovin",
    slug: str | None = None,
    agency_ids: list[int] | None = None,
    today: dt.date | None = None,
) -> SamplingPlan:
    """Each registered agency's quota for ``period`` and its responses so far."""
    if rule not in RULES:
        raise InputError(Problem("rule: choose one of %(rules)s", rules=", ".join(RULES)))
    try:
        first, last = period_days(period)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    tz = zoneinfo.ZoneInfo(timezone)
    today = today or dt.datetime.now(tz).date()
    total = (last - first).days + 1
    elapsed = max(0, min(total, (today - first).days + 1))
    vols = volumes(session, period, agency_ids)
    start, end = utc_bounds(first, last, tz)
    counts = (
        select(Agency.code, func.count(Response.id))
        .join(Agency, Agency.id == Response.agency_id)
        .where(Response.status == "accepted")
        .where(Response.submitted_at >= start, Response.submitted_at < end)
        .group_by(Agency.code)
    )
    if slug is not None:
        counts = (
            counts.join(
                QuestionnaireVersion,
                QuestionnaireVersion.id == Response.questionnaire_version_id,
            )
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .where(Questionnaire.slug == slug)
        )
    got = dict(session.execute(counts).all())
    names = {
        a.code: a
        for a in session.scalars(select(Agency).where(Agency.code.in_(list(vols.by_agency))))
    }
    rows = []
    for code in sorted(vols.by_agency):
        need = quota(vols.by_agency[code], margin, rule)
        agency = names[code]
        rows.append(
            AgencyQuota(
                code,
                agency.name_vi,
                agency.name_en,
                vols.by_agency[code],
                progress(need, int(got.get(code, 0)), elapsed, total),
            )
        )
    return SamplingPlan(period, first, last, margin, rule, slug, elapsed, total, tuple(rows))
