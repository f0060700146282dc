"""Small-cell suppression: no hidden cell can be shown or recovered from the published ones.

The attack each test makes is the one a reader can make with a spreadsheet: every
published margin total minus the shown cells of that margin equals the sum of its
hidden cells; solving these equations (numpy's least squares, independent of the
rank test the algorithm uses) must leave every hidden cell undetermined, i.e. two
non-negative tables that agree on every published figure differ in that cell.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.suppression import one_margin, suppress, two_way


def recoverable(cells, margins, hidden):
    """Hidden cells a reader pins down from the published totals and shown cells.

    A cell is pinned down when the null space of the equations has no component
    along it: then every solution gives it the same value.
    """
    order = sorted(hidden, key=repr)
    if not order:
        return set()
    index = {k: i for i, k in enumerate(order)}
    a = np.array([[1.0 if k in m else 0.0 for k in order] for m in margins])
    b = np.array(
        [sum(cells[k] for k in m) - sum(cells[k] for k in m if k not in hidden) for m in margins]
    )
    solution = np.linalg.lstsq(a, b, rcond=None)[0]
    # The equations hold for the true table: the attack sees consistent data.
    truth = np.array([cells[k] for k in order], dtype=float)
    assert np.allclose(a @ truth, b)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]
    out = set()
    for k, i in index.items():
        if null.shape[0] == 0 or np.allclose(null[:, i], 0):
            assert solution[i] == pytest.approx(cells[k])  # the attack succeeds
            out.add(k)
    return out


def test_one_cell_below_the_minimum_takes_the_smallest_other_with_it():
    # Counter A has 3 ratings: hiding it alone, total 60 - 25 - 32 = 3 gives it away.
    cells = {"A": 3, "B": 25, "C": 32}
    result = one_margin(cells, min_n=10)
    assert result.primary == {"A"}
    assert result.complementary == {"B"}
    assert recoverable(cells, [list(cells)], result.hidden) == set()


def test_nothing_hidden_when_every_cell_is_large_enough():
    cells = {"A": 10, "B": 11}
    assert one_margin(cells, min_n=10).hidden == frozenset()


def test_two_way_table_hides_a_cycle():
    # Agencies x late/on time, with agency totals and city-wide column totals published.
    cells = {
        ("D1", "late"): 4,
        ("D1", "on_time"): 40,
        ("D2", "late"): 30,
        ("D2", "on_time"): 50,
        ("D3", "late"): 20,
        ("D3", "on_time"): 60,
    }
    result = two_way(cells, min_n=10)
    assert ("D1", "late") in result.hidden
    rows = [[k for k in cells if k[0] == r] for r in ("D1", "D2", "D3")]
    cols = [[k for k in cells if k[1] == c] for c in ("late", "on_time")]
    assert recoverable(cells, rows + cols, result.hidden) == set()
    assert len(result.hidden) == 4  # the smallest cycle in a 2-column table


def test_a_bridge_between_two_protected_blocks_is_protected_too():
    # Two blocks of four hidden cells joined through one more margin: the margin
    # heuristic alone would leave the joining cell determined; the rank audit fixes it.
    cells = {k: 50 for k in itertools.product("abcd", "wxyz")}
    for k in [("a", "w"), ("b", "x")]:
        cells[k] = 2
    result = two_way(cells, min_n=10)
    rows = [[k for k in cells if k[0] == r] for r in "abcd"]
    cols = [[k for k in cells if k[1] == c] for c in "wxyz"]
    assert {("a", "w"), ("b", "x")} <= result.hidden
    assert recoverable(cells, rows + cols, result.hidden) == set()


def test_a_margin_of_one_cell_reports_the_cell_exposed():
    result = one_margin({"only": 4}, min_n=10)
    assert result.hidden == {"only"}
    assert result.exposed == {"only"}


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="min_n"):
        one_margin({"a": 1}, min_n=0)
    with pytest.raises(ValueError, match="not in the table"):
        suppress({"a": 1}, [["a", "b"]])


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5),
    st.integers(1, 5),
    st.lists(st.integers(0, 40), min_size=25, max_size=25),
    st.integers(1, 15),
)
def test_no_hidden_cell_is_recoverable_from_random_tables(n_rows, n_cols, values, min_n):
    cells = {(r, c): values[r * 5 + c] for r in range(n_rows) for c in range(n_cols)}
    rows = [[k for k in cells if k[0] == r] for r in range(n_rows)]
    cols = [[k for k in cells if k[1] == c] for c in range(n_cols)]
    margins = rows + cols + [list(cells)]  # the grand total is published as well
    result = suppress(cells, margins, min_n)
    # Every small cell is hidden, never shown.
    assert all(k in result.hidden for k, n in cells.items() if 0 < n < min_n)
    # A cell is recoverable only when the algorithm says it could not protect it.
    assert recoverable(cells, margins, result.hidden) <= result.exposed
    for k in result.exposed:
        # Only where a margin's other cells are all hidden or empty: its total fixes it.
        assert any(k in m and all(j in result.hidden or cells[j] == 0 for j in m) for m in margins)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=2, max_size=12), st.integers(1, 20))
def test_one_way_breakdowns_from_random_counts(values, min_n):
    cells = {f"g{i}": v for i, v in enumerate(values)}
    result = one_margin(cells, min_n)
    assert all(k in result.hidden for k, n in cells.items() if 0 < n < min_n)
    assert recoverable(cells, [list(cells)], result.hidden) <= result.exposed
    assert all(sum(1 for j in cells.values() if j) == 1 for _ in result.exposed)
    # Nothing beyond what is needed: at most one complement.
    assert len(result.complementary) <= 1
