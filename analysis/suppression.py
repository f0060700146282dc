"""Small-cell suppression with complementary suppression.

A published table of counts (respondents per group, and satisfied respondents per
group) discloses a small group even when its own cell is hidden, if the cell can be
recovered by subtraction from a published total and the other cells of the same
margin. ``suppress`` hides every cell below ``min_n`` (primary suppression) and then
more cells (complementary suppression: the smallest shown cell in the same margin)
until no hidden cell is a linear function of the published figures: for every hidden
cell the system "each margin's hidden cells sum to the margin's published total minus
its shown cells" leaves that cell undetermined.

Cells are any hashable keys; a *margin* is a set of cells whose total is published
(a breakdown's cells and the agency's total; one agency's cells across a city's
categories; a category's cells across agencies and the city-wide figure). The same
pattern protects every additive count published per cell (``n``, satisfied).

A cell that is the whole of a published margin (the margin's other cells are empty,
or all hidden and still not enough) cannot be protected: such cells are listed in
``exposed`` (still hidden, never shown) so the caller knows the figure equals one
already published, or can hide the total too.

References
----------
.. [1] Hundepool, A. et al. (2012). Statistical Disclosure Control. Wiley, ch. 4
   (primary and secondary suppression of tabular data; recovering cells from margins).
.. [2] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
   JASA 75(370), 377-385.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

#: The default minimum number of respondents a published cell rests on.
DEFAULT_MIN_N = 10

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Suppression(Generic[K]):
    """Which cells to hide: ``primary`` (below ``min_n``) and ``complementary`` ones."""

    min_n: int
    primary: frozenset[K]
    complementary: frozenset[K]
    exposed: frozenset[K]

    @property
    def hidden(self) -> frozenset[K]:
        return self.primary | self.complementary

    def shows(self, cell: K) -> bool:
        return cell not in self.hidden


def _order(
    cells: Mapping[K, float],
    candidates: Collection[K],
    margins: Sequence[Collection[K]] = (),
    hidden: Collection[K] = (),
) -> list[K]:
    # First a cell that also closes another margin holding a single hidden cell (one
    # complement then serves two margins), then the smallest, non-empty cells before
    # empty ones (an empty cell hides little), then the key's text, so the choice is
    # reproducible.
    def lone(k: K) -> int:
        return sum(1 for m in margins if k in m and sum(1 for j in m if j in hidden) == 1)

    return sorted(candidates, key=lambda k: (-lone(k), cells[k] == 0, cells[k], repr(k)))


def determined(hidden: Collection[K], margins: Sequence[Collection[K]]) -> set[K]:
    """Hidden cells whose value the margins' published totals fix exactly.

    Each margin gives one linear equation in its hidden cells. Cell ``c`` is
    determined exactly when the unit vector of ``c`` lies in the row space of the
    equations: appending it leaves the rank unchanged.
    """
    order = sorted(hidden, key=repr)
    if not order:
        return set()
    column = {k: i for i, k in enumerate(order)}
    rows = []
    for margin in margins:
        row = np.zeros(len(order))
        for cell in margin:
            if cell in column:
                row[column[cell]] = 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    out = set()
    for cell, i in column.items():
        unit = np.zeros((1, len(order)))
        unit[0, i] = 1.0
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            out.add(cell)
    return out


def suppress(
    cells: Mapping[K, float],
    margins: Sequence[Collection[K]],
    min_n: int = DEFAULT_MIN_N,
) -> Suppression[K]:
    """Choose the cells to hide so that none below ``min_n`` can be shown or recovered.

    Parameters
    ----------
    cells
        Respondents per cell (the count the threshold applies to).
    margins
        Groups of cells each of whose total is published (or may be known).
    min_n
        Smallest number of respondents a shown cell may rest on; a cell with
        ``0 < n < min_n`` is hidden. An empty cell discloses nobody and is shown
        unless chosen as a complement.
    """
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, not {min_n}")
    for margin in margins:
        unknown = [k for k in margin if k not in cells]
        if unknown:
            raise ValueError(f"margin names cells that are not in the table: {unknown!r}")
    primary = frozenset(k for k, n in cells.items() if 0 < n < min_n)
    hidden = set(primary)
    # A cell that is the whole of a published margin (every other cell empty) is
    # disclosed by that total whatever is hidden: protecting it elsewhere is pretence.
    exposed: set[K] = {
        k for k in primary for m in margins if k in m and all(cells[j] == 0 for j in m if j != k)
    }
    while True:
        changed = False
        # A margin with exactly one hidden cell gives it away by subtraction.
        for margin in margins:
            inside = [k for k in margin if k in hidden and k not in exposed]
            shown = [k for k in margin if k not in hidden]
            if len(inside) == 1 and shown:
                hidden.add(_order(cells, shown, margins, hidden)[0])
                changed = True
        if changed:
            continue
        # Subtler: several margins together (a cycle of rows and columns broken by a
        # bridge) can still pin a cell down; hide one more cell next to it.
        for cell in sorted(determined(hidden, margins) - exposed, key=repr):
            nearby = {k for m in margins if cell in m for k in m if k not in hidden}
            if nearby:
                hidden.add(_order(cells, nearby, margins, hidden)[0])
                changed = True
                break
            exposed.add(cell)
        if not changed:
            break
    return Suppression(
        min_n=min_n,
        primary=primary,
        complementary=frozenset(hidden - primary),
        exposed=frozenset(exposed),
    )


def one_margin(cells: Mapping[K, float], min_n: int = DEFAULT_MIN_N) -> Suppression[K]:
    """Suppression for a one-way breakdown whose cells add up to a published total."""
    return suppress(cells, [list(cells)], min_n)


def two_way(
    cells: Mapping[tuple[K, K], float], min_n: int = DEFAULT_MIN_N
) -> Suppression[tuple[K, K]]:
    """Suppression for a (row, column) table whose row and column totals are published."""
    rows: dict[K, list[tuple[K, K]]] = {}
    cols: dict[K, list[tuple[K, K]]] = {}
    for key in cells:
        rows.setdefault(key[0], []).append(key)
        cols.setdefault(key[1], []).append(key)
    return suppress(cells, [*rows.values(), *cols.values()], min_n)
