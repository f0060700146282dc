"""Satisfaction by service fact: on-time or late result, trips, procedure, channel.

Each breakdown counts, per (agency, group), the respondents who answered the overall
question and how many of them are satisfied, with one GROUP BY over the accepted
responses (never the folded aggregates, so a fold changes nothing). Cells are then
suppressed over the whole city's agencies x groups table (agency totals and city-wide
group totals are both published), so that a cell hidden in one agency's report cannot
be recovered from the city report and the other agencies' reports
(``analysis.suppression``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel.support import NullTranslations, Translations
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from analysis import wilson_interval
from analysis.contingency import association
from analysis.results import reliability_flag
from analysis.suppression import DEFAULT_MIN_N, suppress
from surveyapp.config import PACKAGE_DIR
from surveyapp.definitions import Item, Questionnaire
from surveyapp.models import Answer, Response
from surveyapp.reporting.extract import accepted
from surveyapp.reporting.facts_model import (
    NOT_ANSWERED,
    OTHER,
    FactBreakdown,
    FactCell,
    FactTest,
)

#: (agency_id, group key) -> [respondents, satisfied]
Table = dict[tuple[int, str], list[int]]
CITY = -1
#: Procedures named in free text: the most frequent are shown, the rest gathered.
PROCEDURES_SHOWN = 15
#: Trips of a ``number`` question: this many or more form one group.
TRIPS_CAP = 4


def N_(message: str) -> str:  # noqa: N802  # Babel's keyword for a message marked only
    return message


CHANNELS = {
    "web": N_("Web form"),
    "embed": N_("Form embedded on the agency's site"),
    "api": N_("Application (API)"),
    "paper": N_("Paper questionnaire"),
    "counter": N_("At the one-stop-shop counter"),
}
L_NOT_ANSWERED = N_("Not answered")
L_OTHER = N_("Other procedures")
L_NO_COUNTER = N_("No counter recorded")
L_NO_OFFICER = N_("No officer recorded")


@cache
def _catalog(lang: str) -> NullTranslations:
    return Translations.load(str(PACKAGE_DIR / "translations"), [lang], "messages")


def label(message: str) -> tuple[str, str]:
    """Return ``message`` (a msgid) in Vietnamese and English."""
    return _catalog("vi").gettext(message), _catalog("en").gettext(message)


def suppression_min_n() -> int:
    """The configured minimum n of a shown cell (``SURVEYAPP_SUPPRESS_MIN_N``)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get("SUPPRESS_MIN_N", DEFAULT_MIN_N))
    return DEFAULT_MIN_N


@dataclass(frozen=True)
class Measure:
    """The question satisfaction is read from and its satisfied answers."""

    key: str
    satisfied: tuple[float, ...]


def measure_of(definition: Questionnaire) -> Measure | None:
    """The overall question (``scoring.overall``), else the first scored item."""
    scoring = definition.scoring
    values = tuple(float(v) for v in (scoring.satisfied_values if scoring else (4, 5)))
    keys = {i.key for i in definition.items()}
    if scoring and scoring.overall in keys:
        return Measure(scoring.overall, values)
    scored = definition.scored_items()
    return Measure(scored[0].key, values) if scored else None


def count_by(
    session: Session,
    version_id: int,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    measure: Measure,
    group: Any,
    *,
    fact_key: str | None = None,
    extra: Sequence[Any] = (),
) -> Iterable[tuple[int, Any, int, int]]:
    """Rows (agency_id, group value, respondents, satisfied) of one GROUP BY.

    ``group`` is a column of ``responses`` or, with ``fact_key``, of the fact answer
    (alias ``fact``, passed to ``group`` when it is a callable).
    """
    rating = aliased(Answer)
    satisfied = func.sum(case((rating.value_num.in_(measure.satisfied), 1), else_=0))
    conditions = [
        *accepted(version_id, agency_ids, start, end),
        rating.response_id == Response.id,
        rating.question_key == measure.key,
        rating.is_na.is_(False),
        rating.value_num.is_not(None),
        *extra,
    ]
    query = select(Response.agency_id).select_from(Response).join(rating, and_(*conditions))  # type: ignore[arg-type]
    if fact_key is not None:
        fact = aliased(Answer)
        query = query.outerjoin(
            fact,
            and_(
                fact.response_id == Response.id,
                fact.question_key == fact_key,
                fact.is_na.is_(False),
            ),
        )
        group = group(fact)
    query = query.add_columns(group, func.count(), satisfied).group_by(Response.agency_id, group)
    return [(a, g, int(n), int(s or 0)) for a, g, n, s in session.execute(query)]


def _table(rows: Iterable[tuple[int, Any, int, int]], key: Callable[[Any], str]) -> Table:
    out: Table = defaultdict(lambda: [0, 0])
    for agency_id, value, n, sat in rows:
        cell = out[(agency_id, key(value))]
        cell[0] += n
        cell[1] += sat
    return dict(out)


def _text_key(value: Any) -> str:
    return NOT_ANSWERED if value is None or str(value).strip() == "" else str(value)


def fact_table(
    session: Session,
    version_id: int,
    agency_ids: Collection[int] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    measure: Measure,
    item: Item,
) -> tuple[Table, dict[str, tuple[str, str]], list[str]]:
    """Counts by the answer to ``item`` with each group's labels and display order."""
    labels: dict[str, tuple[str, str]] = {o.key: (o.label.vi, o.label.en) for o in item.options}
    order = [o.key for o in item.options]
    if item.type == "number":
        rows = count_by(
            session, version_id, agency_ids, start, end, measure,
            lambda f: f.value_num, fact_key=item.key,
        )  # fmt: skip

        def trips(value: Any) -> str:
            if value is None:
                return NOT_ANSWERED
            whole = int(value)
            return f"{TRIPS_CAP}+" if whole >= TRIPS_CAP else str(whole)

        table = _table(rows, trips)
        order = sorted({k for _, k in table if k != NOT_ANSWERED}, key=lambda k: int(k.rstrip("+")))
        labels = {k: (k, k) for k in order}
    elif item.type == "short_text":
        rows = list(
            count_by(
                session, version_id, agency_ids, start, end, measure,
                lambda f: f.value_text, fact_key=item.key,
            )
        )  # fmt: skip
        table, labels, order = _procedures(rows)
    else:
        rows = count_by(
            session, version_id, agency_ids, start, end, measure,
            lambda f: f.value_text, fact_key=item.key,
        )  # fmt: skip
        table = _table(rows, _text_key)
    labels[NOT_ANSWERED] = label(L_NOT_ANSWERED)
    return table, labels, [*order, NOT_ANSWERED]


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _procedures(
    rows: list[tuple[int, Any, int, int]],
) -> tuple[Table, dict[str, tuple[str, str]], list[str]]:
    """Group free-text procedure names (spacing and case ignored); keep the most frequent."""
    sizes: Counter[str] = Counter()
    spelled: dict[str, Counter[str]] = defaultdict(Counter)
    for _, value, n, _sat in rows:
        if value is None or not str(value).strip():
            continue
        sizes[_normal(str(value))] += n
        spelled[_normal(str(value))][" ".join(str(value).split())] += n
    shown = [k for k, _ in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))][:PROCEDURES_SHOWN]
    keep = set(shown)

    def key(value: Any) -> str:
        if value is None or not str(value).strip():
            return NOT_ANSWERED
        normal = _normal(str(value))
        return normal if normal in keep else OTHER

    table = _table(rows, key)
    labels = {}
    for k in shown:
        text = spelled[k].most_common(1)[0][0]
        labels[k] = (text, text)
    order = list(shown)
    if any(k == OTHER for _, k in table):
        labels[OTHER] = label(L_OTHER)
        order.append(OTHER)
    return table, labels, order


def hidden_cells(table: Table, keys: Sequence[str], min_n: int) -> frozenset[tuple[int, str]]:
    """The cells to hide in the agencies x groups table and its city-wide row.

    Margins: each agency's cells (its respondents on the overall question are
    published), the city-wide row (the city's are), and each group's cells across
    agencies (the city-wide cell is their total).
    """
    agencies = sorted({a for a, _ in table})
    cells: dict[tuple[int, str], float] = {}
    for a in agencies:
        for k in keys:
            cells[(a, k)] = table.get((a, k), [0, 0])[0]
    for k in keys:
        cells[(CITY, k)] = sum(table.get((a, k), [0, 0])[0] for a in agencies)
    margins: list[list[tuple[int, str]]] = [[(a, k) for k in keys] for a in agencies]
    margins.append([(CITY, k) for k in keys])
    margins.extend([(a, k) for a in agencies] for k in keys)
    return suppress(cells, margins, min_n).hidden


def breakdown(
    fact: str,
    question: str | None,
    measure: Measure,
    counts: Mapping[str, Sequence[int]],
    labels: Mapping[str, tuple[str, str]],
    order: Sequence[str],
    hidden: Collection[str],
    min_n: int,
    reliable_n: float,
) -> FactBreakdown:
    """One breakdown's cells (hidden ones emptied) and the test over the cells shown."""
    cells = []
    for key in order:
        n, sat = counts.get(key, (0, 0))
        vi, en = labels.get(key, (key, key))
        if key in hidden:
            cells.append(FactCell(key, vi, en, None, None, None, None, True, False, None))
            continue
        ci = wilson_interval(sat, n)
        reliable, flag = reliability_flag(n, reliable_n)
        cells.append(
            FactCell(
                key, vi, en, int(n), int(sat),
                100 * sat / n if n else None,
                None if ci is None else ci.scaled(100.0),
                False, reliable, flag,
            )
        )  # fmt: skip
    tested = [c for c in cells if not c.suppressed and c.key != NOT_ANSWERED and c.n]
    result = association(
        [c.key for c in tested],
        [c.satisfied or 0 for c in tested],
        [c.n or 0 for c in tested],
        reliable_n,
    )
    test = FactTest(
        result.test, result.statistic, result.df, result.p_value, result.difference,
        result.min_expected, tuple(c.key for c in tested), result.reliable, result.flag,
        None if result.reason is None else str(result.reason),
    )  # fmt: skip
    return FactBreakdown(
        fact=fact,
        question=question,
        measure=measure.key,
        min_n=min_n,
        cells=tuple(cells),
        n_suppressed=sum(1 for c in cells if c.suppressed),
        test=test,
        reason=None,
    )
