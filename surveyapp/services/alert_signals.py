"""Trend signals: each agency's monthly and weekly % satisfied per dimension on control charts.

A respondent is satisfied with a dimension when the mean of their answers to its
items reaches the lowest ``satisfied_values`` of the scoring (4 of 5); ``index`` is
the same over every scored item. The series are the months up to the latest
complete month with responses (at most ``WINDOW`` months); the first half, at most
``analysis.control_charts.BASELINE_PERIODS`` months, is the agency's baseline.
A fall in the latest month (p-chart or EWMA, ``analysis.control_charts``) raises
one event per agency and month, key ``signal:<CODE>:month:<YYYY-MM>``.

Weekly series are the local ISO weeks (Monday to Sunday in the city's timezone) up to
the latest complete week (at most ``WEEK_WINDOW`` weeks, the first half, at most 12,
the baseline). Only where n allows: an agency's dimension gets a weekly chart when
every baseline week has at least ``max(30, ceil(5 / min(p0, 1 - p0)))`` respondents,
``p0`` its baseline proportion (``analysis.control_charts.adequate_chart``); a fall in
the latest week raises one event per agency and week, key
``signal:<CODE>:week:<YYYY-Www>``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.control_charts import (
    BASELINE_PERIODS,
    ControlChart,
    adequate_chart,
    control_chart,
)
from surveyapp.models import Agency, AlertEvent, Answer, QuestionnaireVersion, Response
from surveyapp.reporting.extract import (
    local_month,
    local_week,
    month_of,
    next_month,
    week_label,
)
from surveyapp.services.questionnaires import definition_of

WINDOW = 24
INDEX = "index"
MIN_MONTHS = 4
WEEK_WINDOW = 24
MIN_WEEKS = 4


@dataclass(frozen=True)
class SignalSeries:
    """Satisfied and respondents per agency, dimension and period (oldest first).

    ``unit`` is ``"month"`` (``periods`` are first days) or ``"week"`` (Mondays of ISO
    weeks). Arrays have one row an agency and one column a period.
    """

    unit: str
    periods: list[dt.date]
    agencies: list[Agency]
    titles: dict[str, tuple[str, str]]
    satisfied: dict[str, np.ndarray]
    n: dict[str, np.ndarray]

    def label(self, period: dt.date) -> str:
        return week_label(period) if self.unit == "week" else f"{period:%Y-%m}"

    def chart(self, dimension: str) -> ControlChart:
        baseline = min(BASELINE_PERIODS, len(self.periods) // 2)
        x, n = self.satisfied[dimension], self.n[dimension]
        if self.unit == "week":
            return adequate_chart(x, n, baseline=baseline).chart
        return control_chart(x, n, baseline=baseline)


def latest_complete_month(session: Session, timezone: str, now: dt.datetime) -> dt.date | None:
    """The latest local month with accepted responses that has ended by ``now``."""
    tz = zoneinfo.ZoneInfo(timezone)
    last = _last_seen(session)
    if last is None:
        return None
    month = local_month(last, tz)
    current = local_month(now, tz)
    return month if month < current else month_of(current - dt.timedelta(days=1))


def latest_complete_week(session: Session, timezone: str, now: dt.datetime) -> dt.date | None:
    """The Monday of the latest local ISO week with accepted responses ended by ``now``."""
    tz = zoneinfo.ZoneInfo(timezone)
    last = _last_seen(session)
    if last is None:
        return None
    week = local_week(last, tz)
    current = local_week(now, tz)
    return week if week < current else current - dt.timedelta(days=7)


@dataclass(frozen=True)
class _Binning:
    """How one series groups responses: its unit, periods and UTC window [start, end)."""

    unit: str
    periods: list[dt.date]
    period_of: Callable[[dt.datetime], dt.date]
    start: dt.datetime
    end: dt.datetime


def _months(session: Session, timezone: str, now: dt.datetime) -> _Binning | None:
    tz = zoneinfo.ZoneInfo(timezone)
    last = latest_complete_month(session, timezone, now)
    first_seen = _first_seen(session)
    if last is None or first_seen is None:
        return None
    months = [last]
    while len(months) < WINDOW and months[0] > local_month(first_seen, tz):
        months.insert(0, month_of(months[0] - dt.timedelta(days=1)))
    if len(months) < MIN_MONTHS:
        return None
    start, end = _bounds(months[0], next_month(last), tz)
    return _Binning("month", months, lambda t: local_month(t, tz), start, end)


def _weeks(session: Session, timezone: str, now: dt.datetime) -> _Binning | None:
    tz = zoneinfo.ZoneInfo(timezone)
    last = latest_complete_week(session, timezone, now)
    first_seen = _first_seen(session)
    if last is None or first_seen is None:
        return None
    weeks = [last - dt.timedelta(days=7 * k) for k in range(WEEK_WINDOW - 1, -1, -1)]
    weeks = [w for w in weeks if w >= local_week(first_seen, tz)]
    if len(weeks) < MIN_WEEKS:
        return None
    start, end = _bounds(weeks[0], last + dt.timedelta(days=7), tz)
    return _Binning("week", weeks, lambda t: local_week(t, tz), start, end)


def _bounds(
    first: dt.date, after: dt.date, tz: zoneinfo.ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` in UTC from local midnight of ``first`` to that of ``after``."""
    start, end = (
        dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC) for day in (first, after)
    )
    return start, end


def monthly_series(session: Session, timezone: str, now: dt.datetime) -> SignalSeries | None:
    """Read the window's responses into per-month counts; None without enough months."""
    return signal_series(session, timezone, now)[0]


def weekly_series(session: Session, timezone: str, now: dt.datetime) -> SignalSeries | None:
    """Read the window's responses into per-ISO-week counts; None without enough weeks.

    Every agency is read; only those whose weekly sample allows a chart
    (``analysis.control_charts.adequate_chart``) get limits and signals.
    """
    return signal_series(session, timezone, now)[1]


def signal_series(
    session: Session, timezone: str, now: dt.datetime
) -> tuple[SignalSeries | None, SignalSeries | None]:
    """The monthly and the weekly series, from one reading of the responses."""
    binnings = [_months(session, timezone, now), _weeks(session, timezone, now)]
    found = _series(session, [b for b in binnings if b is not None])
    monthly = found.get("month")
    weekly = found.get("week")
    return monthly, weekly


def _last_seen(session: Session) -> dt.datetime | None:
    return session.scalar(
        select(func.max(Response.submitted_at)).where(Response.status == "accepted")
    )


def _first_seen(session: Session) -> dt.datetime | None:
    return session.scalar(
        select(func.min(Response.submitted_at)).where(Response.status == "accepted")
    )


def _series(session: Session, binnings: list[_Binning]) -> dict[str, SignalSeries]:
    """Count satisfied respondents per agency, dimension and period of each binning."""
    if not binnings:
        return {}
    start = min(b.start for b in binnings)
    end = max(b.end for b in binnings)
    agencies = list(session.scalars(select(Agency).where(Agency.active).order_by(Agency.code)))
    row_of = {a.id: i for i, a in enumerate(agencies)}
    cols_of = [{m: i for i, m in enumerate(b.periods)} for b in binnings]
    titles: dict[str, tuple[str, str]] = {INDEX: ("Chỉ số hài lòng", "Satisfaction index")}
    satisfied: list[dict[str, np.ndarray]] = [{} for _ in binnings]
    counts: list[dict[str, np.ndarray]] = [{} for _ in binnings]
    versions = session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id))
    for version in versions:
        definition = definition_of(version)
        if definition.scoring is None or not definition.scoring.satisfied_values:
            continue
        threshold = min(definition.scoring.satisfied_values)
        dim_of = {key: d.key for d in definition.dimensions() for key in d.items}
        if not dim_of:
            continue
        for d in definition.dimensions():
            titles.setdefault(d.key, (d.title.vi, d.title.en))
        sums: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        heads: dict[int, tuple[int, dt.datetime]] = {}
        rows = session.execute(
            select(
                Response.id,
                Response.agency_id,
                Response.submitted_at,
                Answer.question_key,
                Answer.value_num,
            )
            .join(Answer, Answer.response_id == Response.id)
            .where(
                Response.questionnaire_version_id == version.id,
                Response.status == "accepted",
                Response.submitted_at >= start,
                Response.submitted_at < end,
                Answer.question_key.in_(list(dim_of)),
                Answer.value_num.is_not(None),
                Answer.is_na.is_(False),
            )
        )
        for response_id, agency_id, submitted_at, key, value in rows:
            heads[response_id] = (agency_id, submitted_at)
            for dim in (dim_of[key], INDEX):
                total = sums[(response_id, dim)]
                total[0] += value
                total[1] += 1
        for (response_id, dim), (total, count) in sums.items():
            agency_id, submitted_at = heads[response_id]
            if agency_id not in row_of:
                continue
            for k, binning in enumerate(binnings):
                col = cols_of[k].get(binning.period_of(submitted_at))
                if col is None:
                    continue
                shape = (len(agencies), len(binning.periods))
                x = satisfied[k].setdefault(dim, np.zeros(shape))
                n = counts[k].setdefault(dim, np.zeros(shape))
                n[row_of[agency_id], col] += 1
                if total / count >= threshold:
                    x[row_of[agency_id], col] += 1
    return {
        b.unit: SignalSeries(b.unit, b.periods, agencies, titles, satisfied[k], counts[k])
        for k, b in enumerate(binnings)
        if counts[k]
    }


def month_of_period(unit: str, period: dt.date) -> dt.date:
    """The month a period counts in: its own, or for an ISO week its Thursday's."""
    day = period + dt.timedelta(days=3) if unit == "week" else period
    return day.replace(day=1)


def month_keys(code: str, month: dt.date) -> list[str]:
    """Signal keys of ``code`` that count in ``month``: the month's and its weeks'."""
    keys = [f"signal:{code}:month:{month:%Y-%m}"]
    day = month
    while day.month == month.month:
        if day.weekday() == 3:  # a Thursday: its ISO week counts in this month
            keys.append(f"signal:{code}:week:{week_label(day - dt.timedelta(days=3))}")
        day += dt.timedelta(days=1)
    return keys


def raise_signals(session: Session, series: SignalSeries) -> int:
    """Raise an event for each agency whose latest period fell out of control.

    At most one a month per agency (``month_keys``): the weekly chart tells of a fall
    early, and the month's chart does not tell of it again.
    """
    label = series.label(series.periods[-1])
    found: dict[int, list[dict[str, object]]] = defaultdict(list)
    for dim in sorted(series.n, key=lambda d: (d != INDEX, d)):
        chart = series.chart(dim)
        fell = chart.signal[:, -1] & (chart.direction[:, -1] < 0)
        for row in np.flatnonzero(fell):
            vi, en = series.titles.get(dim, (dim, dim))
            found[int(row)].append(
                {
                    "dimension": dim,
                    "title_vi": vi,
                    "title_en": en,
                    "pct": round(100 * float(chart.p[row, -1]), 1),
                    "baseline_pct": round(100 * float(chart.centre[row]), 1),
                    "lower_pct": round(100 * float(chart.p_lower[row, -1]), 1),
                    "n": int(chart.n[row, -1]),
                    "charts": [
                        name
                        for name, hit in (
                            ("p", chart.p_signal[row, -1]),
                            ("ewma", chart.ewma.signal[row, -1]),
                        )
                        if hit
                    ],
                }
            )
    raised = 0
    month = month_of_period(series.unit, series.periods[-1])
    for row, dims in found.items():
        agency = series.agencies[row]
        key = f"signal:{agency.code}:{series.unit}:{label}"
        # One fall alert per agency and month: a week's fall is not sent again as its
        # month's, nor a second week of a month already signalled.
        same_month = [key, *month_keys(agency.code, month)]
        if session.scalar(select(AlertEvent.id).where(AlertEvent.key.in_(same_month))):
            continue
        session.add(
            AlertEvent(
                agency_id=agency.id,
                kind="signal",
                key=key,
                payload={
                    "agency": agency.code,
                    "unit": series.unit,
                    "period": label,
                    "dimensions": dims,
                },
            )
        )
        raised += 1
    return raised
