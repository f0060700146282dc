"""The method profile of a report and the index under it; weights to the registers.

The report's headline index follows the profile (``stats.index_report``: items ->
criteria -> index from the item counts, or the mean respondent score from the
per-respondent sums a respondent-level layout keeps), exact before and after a fold,
so the ``method`` object repeats it. The weights to the registers are computed from
the raw rows in scope: a weight depends on the respondent.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import kish, reliability_flag
from analysis.calibration import weights_to_registers
from analysis.method import DEFAULT_PROFILE, MethodProfile, ProfileIndex, profile_index, profile_of
from surveyapp.definitions import Questionnaire
from surveyapp.models import Agency, QuestionnaireVersion
from surveyapp.reporting.extract import RawResponse, raw_responses, utc_bounds
from surveyapp.reporting.method_model import MethodReport, RegisterWeighted, WeightedCriterion
from surveyapp.reporting.model import IndexReport, Period
from surveyapp.reporting.profiles import profile_for, respondent_level
from surveyapp.reporting.stats import min_n_of
from surveyapp.services import registers

#: Questions a register's respondent type / channel split refers to.
SPLIT_QUESTIONS = {"respondent_type": "respondent_type", "channel": "submission_channel"}


def needs_rows(profile: MethodProfile | None) -> bool:
    """Whether the profile's index needs the raw rows (the summaries do not hold it)."""
    if profile is None or respondent_level(profile):
        return False
    return profile.na_rule != "exclude"


def _criteria(
    definition: Questionnaire, dimensions: Sequence[tuple[str, Sequence[str]]]
) -> list[tuple[str, tuple[str, ...]]]:
    chosen = definition.scoring.index_dimensions if definition.scoring else ()
    return [(k, tuple(items)) for k, items in dimensions if not chosen or k in chosen]


def _matrix(rows: Sequence[RawResponse], keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    values = np.full((len(rows), len(keys)), np.nan)
    na = np.zeros((len(rows), len(keys)), dtype=bool)
    for r, raw in enumerate(rows):
        for c, key in enumerate(keys):
            answer = raw.answers.get(key)
            if answer is None:
                continue
            if answer[2]:
                na[r, c] = True
            elif answer[0] is not None:
                values[r, c] = answer[0]
    return values, na


def profile_index_of(
    definition: Questionnaire,
    dimensions: Sequence[tuple[str, Sequence[str]]],
    rows: Sequence[RawResponse],
    profile: MethodProfile,
    weights: np.ndarray | None = None,
) -> tuple[ProfileIndex, list[str]]:
    """The index of ``profile`` over ``rows`` (optionally weighted), and its criteria."""
    criteria = _criteria(definition, dimensions)
    keys = [k for _, items in criteria for k in items]
    positions, start = [], 0
    for _, items in criteria:
        positions.append(list(range(start, start + len(items))))
        start += len(items)
    values, na = _matrix(rows, keys)
    return profile_index(values, na, positions, profile, weights), [k for k, _ in criteria]


def method_report(
    definition: Questionnaire,
    dimensions: Sequence[tuple[str, Sequence[str]]],
    index: IndexReport,
    rows: Sequence[RawResponse] | None,
) -> MethodReport | None:
    """The ``method`` object: the profile and its index (``rows`` when it needs them)."""
    profile = profile_for(definition)
    if profile is None:
        return None
    base = (profile.name, profile.version, profile.satisfied, profile.aggregation, profile.na_rule)
    if not needs_rows(profile) or rows is None:
        return MethodReport(*base, index.value, index.ci, int(index.n_min))
    result, _ = profile_index_of(definition, dimensions, rows, profile)
    return MethodReport(*base, result.value, result.ci, result.n)


def register_weighted(
    session: Session,
    definition: Questionnaire,
    dimensions: Sequence[tuple[str, Sequence[str]]],
    rows: Sequence[RawResponse],
    period: str,
) -> RegisterWeighted:
    """City figures weighted to the registers of ``period``, beside the unweighted ones."""
    profile = profile_for(definition) or profile_of(DEFAULT_PROFILE)
    vols = registers.volumes(session, period)
    codes = dict(session.execute(select(Agency.id, Agency.code)).all())
    labels = [codes[r.agency_id] for r in rows]
    present = set(labels)
    splits: dict[str, tuple[list[str | None], dict[str, float]]] = {}
    for name, cells in (("respondent_type", vols.by_type), ("channel", vols.by_channel)):
        question = SPLIT_QUESTIONS[name]
        if not cells or question not in {i.key for i in definition.items()}:
            continue
        totals: dict[str, float] = {}
        for (code, category), dossiers in cells.items():
            if code in present:
                totals[category] = totals.get(category, 0.0) + dossiers
        cats = [r.answers.get(question, (None, None, False))[1] for r in rows]
        splits[name] = (cats, totals)
    unweighted, keys = profile_index_of(definition, dimensions, rows, profile)
    empty = RegisterWeighted(
        period, "", (), len(rows), 0, len(rows), None, None, unweighted.value,
        unweighted.ci, None, None, (), (), (), False, "small_sample", None,
    )  # fmt: skip
    try:
        made = weights_to_registers(labels, vols.by_agency, splits)
    except ValueError as exc:
        return dataclasses.replace(empty, reason=str(exc))
    w = made.weights
    summary = kish(w[w > 0])
    weighted, _ = profile_index_of(definition, dimensions, rows, profile, w)
    reliable, flag = reliability_flag(summary.n_effective, min_n_of(definition))
    return RegisterWeighted(
        period=period,
        method=made.method,
        variables=made.variables,
        n=len(rows),
        n_weighted=int((w > 0).sum()),
        n_excluded=int((w == 0).sum()),
        n_effective=summary.n_effective,
        design_effect=summary.design_effect,
        unweighted_index=unweighted.value,
        unweighted_index_ci=unweighted.ci,
        index=weighted.value,
        index_ci=weighted.ci,
        criteria=tuple(
            WeightedCriterion(k, u, v)
            for k, u, v in zip(keys, unweighted.criteria, weighted.criteria, strict=True)
        ),
        agencies_without_registers=tuple(str(a) for a in made.unregistered),
        registered_agencies_without_responses=tuple(str(a) for a in made.uncovered),
        reliable=reliable,
        flag=flag,
        reason=None,
    )


def _rows(
    session: Session,
    version: QuestionnaireVersion,
    agency_ids: Sequence[int] | None,
    period: Period,
) -> list[RawResponse]:
    start, end = utc_bounds(period.from_, period.to, zoneinfo.ZoneInfo(period.timezone))
    return list(raw_responses(session, version.id, agency_ids, start, end))


def agency_method(
    session: Session,
    version: QuestionnaireVersion,
    definition: Questionnaire,
    dimensions: Sequence[tuple[str, Sequence[str]]],
    index: IndexReport,
    agency_id: int,
    period: Period,
) -> MethodReport | None:
    """The ``method`` object of an agency report."""
    profile = profile_for(definition)
    rows = _rows(session, version, [agency_id], period) if needs_rows(profile) else None
    return method_report(definition, dimensions, index, rows)


def city_method(
    session: Session,
    version: QuestionnaireVersion,
    definition: Questionnaire,
    dimensions: Sequence[tuple[str, Sequence[str]]],
    index: IndexReport,
    period: Period,
) -> tuple[MethodReport | None, RegisterWeighted | None]:
    """The ``method`` object of the city report and its figures weighted to the registers.

    The registers used are those of the period that overlaps the report's days most;
    without registers there are no weighted figures.
    """
    profile = profile_for(definition)
    register_period = registers.period_covering(session, period.from_, period.to)
    rows = None
    if needs_rows(profile) or (register_period is not None and profile is not None):
        rows = _rows(session, version, None, period)
    method = method_report(definition, dimensions, index, rows)
    if register_period is None or rows is None:
        return method, None
    return method, register_weighted(session, definition, dimensions, rows, register_period)
