"""The report sections built on ``reporting.facts``: service facts, the counter section,
and the real-time figure of the current month."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session, aliased

from analysis import wilson_interval
from analysis.suppression import one_margin
from surveyapp.definitions import Questionnaire
from surveyapp.models import Answer, Counter, QuestionnaireVersion, Response
from surveyapp.reporting.extract import accepted, utc_bounds
from surveyapp.reporting.facts import (
    CHANNELS,
    CITY,
    L_NO_COUNTER,
    L_NO_OFFICER,
    L_NOT_ANSWERED,
    Measure,
    Table,
    _table,
    _text_key,
    breakdown,
    count_by,
    fact_table,
    hidden_cells,
    label,
    measure_of,
)
from surveyapp.reporting.facts_model import (
    NOT_ANSWERED,
    CounterSection,
    FactBreakdown,
    RealTimeFigure,
)

#: Service facts read from tagged questions, and the name of each breakdown.
FACT_BREAKDOWNS = (("late", "late"), ("trips", "trips"), ("procedure", "procedure"),
                   ("channel", "submission_channel"))  # fmt: skip


def _row(table: Table, agency_id: int | None, keys: Sequence[str]) -> dict[str, list[int]]:
    if agency_id is not None:
        return {k: table[(agency_id, k)] for k in keys if (agency_id, k) in table}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_, k), (n, sat) in table.items():
        out[k][0] += n
        out[k][1] += sat
    return dict(out)


def _city_breakdown(
    fact: str,
    question: str | None,
    measure: Measure,
    table: Table,
    labels: Mapping[str, tuple[str, str]],
    order: Sequence[str],
    agency_id: int | None,
    min_n: int,
    reliable_n: float,
) -> FactBreakdown:
    """The agency's (or the city's) row, suppressed over the city-wide table."""
    present = {k for _, k in table}
    keys = [k for k in order if k in present or k != NOT_ANSWERED]
    hidden = hidden_cells(table, keys, min_n)
    row = CITY if agency_id is None else agency_id
    return breakdown(
        fact, question, measure, _row(table, agency_id, keys), labels, keys,
        {k for a, k in hidden if a == row}, min_n, reliable_n,
    )  # fmt: skip


def service_facts(
    session: Session,
    version: QuestionnaireVersion,
    definition: Questionnaire,
    agency_id: int | None,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
    min_n: int,
    reliable_n: float,
) -> tuple[FactBreakdown, ...]:
    """% satisfied by each service fact, for one agency (or the city: ``None``)."""
    measure = measure_of(definition)
    if measure is None:
        return ()
    start, end = utc_bounds(first, last, zoneinfo.ZoneInfo(timezone))
    out = []
    for fact, name in FACT_BREAKDOWNS:
        item = definition.fact_item(fact)
        if item is None:
            continue
        table, labels, order = fact_table(session, version.id, None, start, end, measure, item)
        out.append(
            _city_breakdown(
                name, item.key, measure, table, labels, order, agency_id, min_n, reliable_n
            )
        )
    rows = count_by(session, version.id, None, start, end, measure, Response.channel)
    table = _table(rows, str)
    labels = {k: label(v) for k, v in CHANNELS.items()}
    order = [*CHANNELS, *sorted({k for _, k in table} - set(CHANNELS))]
    out.append(
        _city_breakdown(
            "channel", None, measure, table, labels, order, agency_id, min_n, reliable_n
        )
    )
    return tuple(out)


def _one_margin(
    fact: str,
    question: str | None,
    measure: Measure,
    counts: Mapping[str, list[int]],
    labels: Mapping[str, tuple[str, str]],
    order: Sequence[str],
    min_n: int,
    reliable_n: float,
) -> FactBreakdown:
    hidden = one_margin({k: counts.get(k, [0, 0])[0] for k in order}, min_n).hidden
    return breakdown(fact, question, measure, counts, labels, order, hidden, min_n, reliable_n)


def counter_section(
    session: Session,
    version: QuestionnaireVersion,
    definition: Questionnaire,
    agency_id: int,
    first: dt.date | None,
    last: dt.date | None,
    timezone: str,
    min_n: int,
    reliable_n: float,
    *,
    officers: bool,
) -> CounterSection | None:
    """The agency's counter ratings by counter, officer (``officers``), hour and lateness."""
    measure = measure_of(definition)
    if measure is None:
        return None
    tz = zoneinfo.ZoneInfo(timezone)
    start, end = utc_bounds(first, last, tz)
    at_counter = [Response.channel == "counter"]
    args = (session, version.id, [agency_id], start, end, measure)
    by_counter = _table(count_by(*args, Response.counter_id, extra=at_counter), str)
    n = sum(v[0] for v in by_counter.values())
    if n == 0:
        return None
    counters = {
        str(c.id): c for c in session.scalars(select(Counter).where(Counter.agency_id == agency_id))
    }
    counts = {k: v for (_, k), v in by_counter.items()}
    labels = {k: (c.name_vi, c.name_en) for k, c in counters.items()}
    labels["None"] = label(L_NO_COUNTER)
    order = sorted(counts, key=lambda k: (k == "None", counters[k].code if k in counters else k))
    counter_part = _one_margin("counter", None, measure, counts, labels, order, min_n, reliable_n)
    # Counter cells are known by the counter's code, not its row id.
    counter_part = _rekey(counter_part, {k: c.code for k, c in counters.items()})
    officer_part = None
    if officers:
        rows = count_by(*args, Response.officer_code, extra=at_counter)
        counts = {k: v for (_, k), v in _table(rows, _text_key).items()}
        order = sorted(counts, key=lambda k: (k == NOT_ANSWERED, k))
        labels = {k: (k, k) for k in order}
        labels[NOT_ANSWERED] = label(L_NO_OFFICER)
        officer_part = _one_margin(
            "officer", None, measure, counts, labels, order, min_n, reliable_n
        )
    hours = _hours(session, version.id, agency_id, start, end, measure, tz)
    order = [f"{h:02d}" for h in range(24) if f"{h:02d}" in hours]
    hour_part = _one_margin(
        "hour", None, measure, hours, {k: (f"{k}:00", f"{k}:00") for k in order}, order,
        min_n, reliable_n,
    )  # fmt: skip
    late_part = None
    item = definition.fact_item("late")
    if item is not None:
        labels = {o.key: (o.label.vi, o.label.en) for o in item.options}
        labels[NOT_ANSWERED] = label(L_NOT_ANSWERED)
        order = [*item.option_keys, NOT_ANSWERED]
        rows = count_by(*args, lambda f: f.value_text, fact_key=item.key, extra=at_counter)
        counts = {k: v for (_, k), v in _table(rows, _text_key).items()}
        late_part = _one_margin("late", item.key, measure, counts, labels, order, min_n, reliable_n)
    return CounterSection(n, counter_part, officer_part, hour_part, late_part)


def _rekey(part: FactBreakdown, codes: Mapping[str, str]) -> FactBreakdown:
    import dataclasses

    cells = tuple(
        dataclasses.replace(c, key=codes.get(c.key, NOT_ANSWERED if c.key == "None" else c.key))
        for c in part.cells
    )
    test = part.test
    if test is not None:
        test = dataclasses.replace(test, groups=tuple(codes.get(g, g) for g in test.groups))
    return dataclasses.replace(part, cells=cells, test=test)


def _hours(
    session: Session,
    version_id: int,
    agency_id: int,
    start: dt.datetime | None,
    end: dt.datetime | None,
    measure: Measure,
    tz: zoneinfo.ZoneInfo,
) -> dict[str, list[int]]:
    """Counter ratings by the local hour given (``given_at``, else ``submitted_at``)."""
    rating = aliased(Answer)
    query = (
        select(
            Response.given_at,
            Response.submitted_at,
            case((rating.value_num.in_(measure.satisfied), 1), else_=0),
        )
        .select_from(Response)
        .join(
            rating,
            and_(
                rating.response_id == Response.id,
                rating.question_key == measure.key,
                rating.is_na.is_(False),
                rating.value_num.is_not(None),
            ),
        )
        .where(*accepted(version_id, [agency_id], start, end), Response.channel == "counter")  # type: ignore[arg-type]
    )
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for given, submitted, sat in session.execute(query):
        hour = f"{(given or submitted).astimezone(tz).hour:02d}"
        out[hour][0] += 1
        out[hour][1] += int(sat)
    return dict(out)


def realtime(
    session: Session,
    version: QuestionnaireVersion,
    definition: Questionnaire,
    agency_ids: Collection[int],
    codes: Mapping[int, str],
    timezone: str,
    min_n: int,
    now: dt.datetime | None = None,
) -> dict[str, RealTimeFigure]:
    """Each agency's % satisfied from the first of this local month to now.

    Read from the responses as they arrive (no aggregate, no cache); an agency with
    fewer than ``min_n`` ratings this month shows no figure.
    """
    measure = measure_of(definition)
    if measure is None or not agency_ids:
        return {}
    tz = zoneinfo.ZoneInfo(timezone)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()
    start, _ = utc_bounds(today.replace(day=1), None, tz)
    rows = count_by(session, version.id, list(agency_ids), start, None, measure, Response.channel)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for agency_id, _channel, n, sat in rows:
        totals[agency_id][0] += n
        totals[agency_id][1] += sat
    month = today.strftime("%Y-%m")
    out = {}
    for agency_id in agency_ids:
        n, sat = totals.get(agency_id, [0, 0])
        code = codes[agency_id]
        if n < min_n:
            out[code] = RealTimeFigure(code, month, None, None, None, n > 0)
            continue
        ci = wilson_interval(sat, n)
        out[code] = RealTimeFigure(
            code, month, n, 100 * sat / n, None if ci is None else ci.scaled(100.0), False
        )
    return out
