"""Report sections of satisfaction by service fact and by counter (plain dataclasses).

A cell below the suppression minimum, or hidden so that it cannot be recovered by
subtraction (``analysis.suppression``), has ``suppressed=True`` and ``None`` for every
figure: it is not shown, in any output.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis import Interval

#: The key of the cell of respondents who did not answer the fact's question.
NOT_ANSWERED = "__not_answered__"
#: The key of the cell that gathers the less frequent groups (procedures).
OTHER = "__other__"


@dataclass(frozen=True)
class FactCell:
    """% satisfied (on the overall question) of the respondents in one group."""

    key: str
    label_vi: str
    label_en: str
    n: int | None
    satisfied: int | None
    satisfied_pct: float | None
    satisfied_ci: Interval | None
    suppressed: bool
    reliable: bool
    flag: str | None


@dataclass(frozen=True)
class FactTest:
    """Whether % satisfied differs across the groups shown (hidden ones left out).

    ``test``: ``two_proportion_z``, ``fisher_exact`` or ``chi_square``; ``difference``
    is first minus second group in percentage points (two groups only).
    """

    test: str | None
    statistic: float | None
    df: int
    p: float | None
    difference: float | None
    min_expected: float | None
    groups: tuple[str, ...]
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class FactBreakdown:
    """% satisfied by one service fact: ``late``, ``trips``, ``procedure``, ``channel``
    (the response channel), ``submission_channel`` (a ``fact: channel`` question), and in
    the counter section ``counter``, ``officer``, ``hour``."""

    fact: str
    question: str | None
    measure: str | None
    min_n: int
    cells: tuple[FactCell, ...]
    n_suppressed: int
    test: FactTest | None
    reason: str | None


@dataclass(frozen=True)
class CounterSection:
    """Ratings given at the one-stop-shop counters (the ``counter`` channel).

    ``officers`` is None where officer-level figures are not allowed (only the agency's
    own staff and admins see them); ``hour`` is the local hour the rating was given.
    """

    n_responses: int
    by_counter: FactBreakdown
    by_officer: FactBreakdown | None
    by_hour: FactBreakdown
    by_late: FactBreakdown | None


@dataclass(frozen=True)
class RealTimeFigure:
    """One agency's % satisfied so far this local month (counter ratings included)."""

    agency: str
    month: str
    n: int | None
    satisfied_pct: float | None
    satisfied_ci: Interval | None
    suppressed: bool
