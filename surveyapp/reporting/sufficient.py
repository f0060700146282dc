"""Additive sufficient statistics of a set of responses to one questionnaire version.

A :class:`Summary` holds everything the report needs about a group of responses
(one agency in one local month, say) in ONE float64 vector whose layout the
questionnaire fixes: answer counts per item and value, "not applicable" counts,
the pairwise moments behind the index and dimension intervals, listwise moments
for Cronbach's alpha and driver analysis, and histograms of respondent means for
the rank tests (a respondent's mean over integer answers is a fraction ``t/c``
with ``c`` at most the number of items, so every possible mean has a slot and the
rank tables are exact). Summaries add up by vector addition, so month pieces
stored in the database combine into any period, agency set or city total.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis import Moments, PairwiseMoments
from surveyapp.definitions import Item, Questionnaire
from surveyapp.reporting.profiles import profile_for, respondent_level

NUMERIC_TYPES = ("likert", "rating")
CHOICE_TYPES = ("single_choice", "multiple_choice")
ALL_SCORED = "__all__"
FORMAT = 1

Vector = NDArray[np.float64]
#: One respondent's stored answers: item key -> (value_num, value_text, is_na).
AnswerRow = Mapping[str, tuple[float | None, str | None, bool]]


def item_values(item: Item) -> tuple[float, ...]:
    """Every value a numeric item can take, in order."""
    if item.scale is not None:
        return tuple(float(v) for v in item.scale.values)
    low = int(item.min_value if item.min_value is not None else 0)
    high = int(item.max_value if item.max_value is not None else 10)
    return tuple(float(v) for v in range(low, high + 1))


def mean_grid(values: Sequence[float], items: int) -> tuple[Fraction, ...]:
    """Every possible mean of 1..``items`` integer answers within the value range."""
    low, high = int(min(values)), int(max(values))
    grid = {Fraction(t, c) for c in range(1, items + 1) for t in range(c * low, c * high + 1)}
    return tuple(sorted(grid))


@dataclass(frozen=True)
class Layout:
    """Which items a questionnaire version scores and where each statistic sits."""

    scored: tuple[str, ...]
    dimensions: tuple[tuple[str, tuple[str, ...]], ...]
    numeric: tuple[tuple[str, tuple[float, ...]], ...]
    choices: tuple[tuple[str, tuple[str, ...]], ...]
    overall: str | None
    satisfied: tuple[float, ...]
    scored_values: tuple[float, ...] = ()
    #: Dimensions every respondent is shown (no ``show_if``): the driver predictors.
    driver_dimensions: tuple[str, ...] = ()
    #: The index criteria when the method profile aggregates at respondent level
    #: (empty otherwise: then the layout, and stored aggregates, are as before).
    respondent: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Under a respondent-level profile, "not applicable" counts as not satisfied.
    na_not_satisfied: bool = False
    slices: dict[str, slice] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, definition: Questionnaire) -> Layout:
        scoring = definition.scoring
        items = definition.items()
        overall = scoring.overall if scoring else None
        scored = definition.scored_items()
        values = sorted({v for i in scored for v in item_values(i)})
        profile = profile_for(definition)
        dims = tuple((d.key, d.items) for d in definition.dimensions() if d.items)
        chosen = scoring.index_dimensions if scoring else ()
        criteria = tuple((k, items) for k, items in dims if not chosen or k in chosen)
        by_respondent = respondent_level(profile)
        return cls(
            scored=tuple(i.key for i in scored),
            dimensions=tuple((d.key, d.items) for d in definition.dimensions() if d.items),
            numeric=tuple((i.key, item_values(i)) for i in items if i.type in NUMERIC_TYPES),
            choices=tuple((i.key, i.option_keys) for i in items if i.type in CHOICE_TYPES),
            overall=overall if overall in {i.key for i in items} else None,
            satisfied=tuple(float(v) for v in (scoring.satisfied_values if scoring else (4, 5))),
            scored_values=tuple(values),
            driver_dimensions=tuple(
                d.key
                for d in definition.dimensions()
                if d.items and all(definition.item(k).show_if is None for k in d.items)
            ),
            respondent=criteria if by_respondent else (),
            na_not_satisfied=by_respondent
            and profile is not None
            and profile.na_rule == "not_satisfied",
        )

    def __post_init__(self) -> None:
        offset = 0
        k = len(self.scored)

        def put(name: str, size: int) -> None:
            nonlocal offset
            self.slices[name] = slice(offset, offset + size)
            offset += size

        put("n", 1)
        for key, values in self.numeric:
            put(f"count:{key}", len(values))
            put(f"na:{key}", 1)
        for key, options in self.choices:
            put(f"option:{key}", len(options))
            put(f"na:{key}", 1)
            put(f"answered:{key}", 1)
        for name in ("valid", "sat_sum", "sat_cross", "val_sum", "val_cross"):
            put(name, k * k)
        for key, items in self.dimensions:
            put(f"alpha:{key}", 1 + len(items) + len(items) ** 2)
        d = len(self.driver_names)
        put("drivers", 1 + d + d * d if d else 0)
        for scope, items in self.mean_scopes:
            put(f"means:{scope}", len(self.grid(scope)) if items else 0)
        if self.respondent:
            # Respondents scored, sum of scores, sum of squared scores; then the same
            # for each criterion's per-respondent share of satisfied answers.
            put("respondent", 3)
            for key, _ in self.respondent:
                put(f"respondent:{key}", 3)
        self.slices["__size__"] = slice(offset, offset)

    @property
    def size(self) -> int:
        return self.slices["__size__"].stop

    @property
    def driver_names(self) -> tuple[str, ...]:
        """Dimension keys then the overall item: the variables of driver moments."""
        if self.overall is None or not self.driver_dimensions:
            return ()
        return (*self.driver_dimensions, self.overall)

    @property
    def mean_scopes(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return ((ALL_SCORED, self.scored), *self.dimensions)

    @cached_property
    def _grids(self) -> dict[str, tuple[Fraction, ...]]:
        if not self.scored_values:
            return {scope: () for scope, _ in self.mean_scopes}
        return {
            scope: mean_grid(self.scored_values, len(items)) for scope, items in self.mean_scopes
        }

    def grid(self, scope: str) -> tuple[Fraction, ...]:
        """The possible respondent means of ``scope`` (all scored items or a dimension)."""
        return self._grids[scope]

    @cached_property
    def _slot_tables(self) -> dict[str, NDArray[np.int64]]:
        out = {}
        if not self.scored_values:
            return out
        low, high = int(self.scored_values[0]), int(self.scored_values[-1])
        for scope, items in self.mean_scopes:
            m = len(items)
            table = np.full((m + 1, m * (high - low) + 1), -1, dtype=np.int64)
            slot = {f: i for i, f in enumerate(self.grid(scope))}
            for c in range(1, m + 1):
                for t in range(c * low, c * high + 1):
                    table[c, t - c * low] = slot[Fraction(t, c)]
            out[scope] = table
        return out

    def slot_table(self, scope: str) -> NDArray[np.int64]:
        """``table[c, t - c * low]`` is the histogram slot of the mean ``t / c``."""
        return self._slot_tables[scope]

    def numeric_values(self, key: str) -> tuple[float, ...]:
        return dict(self.numeric)[key]

    def options(self, key: str) -> tuple[str, ...]:
        return dict(self.choices)[key]


class Summary:
    """Sufficient statistics of a group of responses; ``+`` combines two groups."""

    __slots__ = ("layout", "vector")

    def __init__(self, layout: Layout, vector: Vector | None = None) -> None:
        self.layout = layout
        self.vector: Vector = np.zeros(layout.size) if vector is None else vector
        if self.vector.shape != (layout.size,):
            raise ValueError("summary vector does not match the questionnaire layout")

    def _get(self, name: str) -> Vector:
        return self.vector[self.layout.slices[name]]

    # -- building ---------------------------------------------------------------------
    @classmethod
    def from_rows(cls, layout: Layout, rows: Sequence[AnswerRow]) -> Summary:
        """Summarise respondents' answers (vectorised over respondents)."""
        out = cls(layout)
        out._get("n")[0] = len(rows)
        if not rows:
            return out
        for key, values in layout.numeric:
            position = {v: i for i, v in enumerate(values)}
            counts = out._get(f"count:{key}")
            na = out._get(f"na:{key}")
            for row in rows:
                answer = row.get(key)
                if answer is None:
                    continue
                if answer[2]:
                    na[0] += 1
                elif answer[0] is not None:
                    counts[position[float(answer[0])]] += 1
        for key, options in layout.choices:
            position_o = {o: i for i, o in enumerate(options)}
            counts = out._get(f"option:{key}")
            na, answered = out._get(f"na:{key}"), out._get(f"answered:{key}")
            for row in rows:
                answer = row.get(key)
                if answer is None:
                    continue
                if answer[2]:
                    na[0] += 1
                elif answer[1] is not None:
                    answered[0] += 1
                    for part in answer[1].split(";"):
                        if part in position_o:
                            counts[position_o[part]] += 1
        out._add_scored(rows)
        if layout.respondent:
            out._add_respondent(rows)
        return out

    def _add_respondent(self, rows: Sequence[AnswerRow]) -> None:
        """Per-respondent scores of a respondent-level profile (``analysis.method``).

        A respondent's share of satisfied answers within each criterion they answered,
        their score the mean of those shares; only the first two moments are kept, so
        the index (the mean score) and its t interval add up across months.
        """
        layout = self.layout
        satisfied = set(layout.satisfied)
        n = len(rows)
        total = np.zeros(n)
        answered = np.zeros(n)
        for key, items in layout.respondent:
            counted = np.zeros(n)
            sat = np.zeros(n)
            for r, row in enumerate(rows):
                for item in items:
                    answer = row.get(item)
                    if answer is None:
                        continue
                    if answer[2]:
                        counted[r] += layout.na_not_satisfied
                    elif answer[0] is not None:
                        counted[r] += 1
                        sat[r] += float(answer[0]) in satisfied
            has = counted > 0
            share = np.divide(sat, counted, out=np.zeros(n), where=has)
            self._get(f"respondent:{key}")[:] = (
                has.sum(),
                share[has].sum(),
                share[has] @ share[has],
            )
            total += share
            answered += has
        keep = answered > 0
        score = total[keep] / answered[keep]
        self._get("respondent")[:] = (keep.sum(), score.sum(), score @ score)

    def _add_scored(self, rows: Sequence[AnswerRow]) -> None:
        layout = self.layout
        k = len(layout.scored)
        x = np.full((len(rows), k), np.nan)
        for r, row in enumerate(rows):
            for c, key in enumerate(layout.scored):
                answer = row.get(key)
                if answer is not None and not answer[2] and answer[0] is not None:
                    x[r, c] = answer[0]
        valid = ~np.isnan(x)
        v = valid.astype(np.float64)
        y = np.where(valid, x, 0.0)
        s = np.where(valid & np.isin(x, layout.satisfied), 1.0, 0.0)
        self._get("valid")[:] = (v.T @ v).ravel()
        self._get("sat_sum")[:] = (s.T @ v).ravel()
        self._get("sat_cross")[:] = (s.T @ s).ravel()
        self._get("val_sum")[:] = (y.T @ v).ravel()
        self._get("val_cross")[:] = (y.T @ y).ravel()
        position = {key: i for i, key in enumerate(layout.scored)}
        dim_means = {}
        for key, items in layout.dimensions:
            cols = [position[i] for i in items]
            block = x[:, cols]
            complete = block[valid[:, cols].all(axis=1)]
            self._get(f"alpha:{key}")[:] = np.concatenate(
                [[complete.shape[0]], complete.sum(axis=0), (complete.T @ complete).ravel()]
            )
            count = valid[:, cols].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                dim_means[key] = np.where(count > 0, y[:, cols].sum(axis=1) / count, np.nan)
        if layout.driver_names:
            overall = np.array(
                [
                    a[0]
                    if (a := row.get(layout.overall or "")) and not a[2] and a[0] is not None
                    else np.nan
                    for row in rows
                ],
                dtype=np.float64,
            )
            data = np.column_stack([*(dim_means[d] for d in layout.driver_dimensions), overall])
            complete = data[~np.isnan(data).any(axis=1)]
            self._get("drivers")[:] = np.concatenate(
                [[complete.shape[0]], complete.sum(axis=0), (complete.T @ complete).ravel()]
            )
        for scope, items in layout.mean_scopes:
            if not items or not layout.scored_values:
                continue
            cols = [position[i] for i in items]
            count = valid[:, cols].sum(axis=1)
            total = y[:, cols].sum(axis=1)
            keep = count > 0
            if not np.allclose(total[keep], np.rint(total[keep])):
                raise ValueError("scored answers must be whole numbers")
            hist = self._get(f"means:{scope}")
            slots = layout.slot_table(scope)
            low = int(layout.scored_values[0])
            c = count[keep]
            t = np.rint(total[keep]).astype(np.int64)
            hist += np.bincount(slots[c, t - c * low], minlength=hist.size)

    # -- combining --------------------------------------------------------------------
    def __add__(self, other: Summary) -> Summary:
        if other.layout != self.layout:
            raise ValueError("cannot add summaries of different questionnaire layouts")
        return Summary(self.layout, self.vector + other.vector)

    @classmethod
    def total(cls, layout: Layout, parts: Sequence[Summary] | Any) -> Summary:
        """Sum of ``parts``; an empty summary when there are none."""
        out = np.zeros(layout.size)
        for part in parts:
            out += part.vector
        return cls(layout, out)

    # -- reading ----------------------------------------------------------------------
    @property
    def n(self) -> int:
        return int(self._get("n")[0])

    def counts(self, key: str) -> dict[float, float]:
        """Valid answers of a numeric item: value -> count (zeros included)."""
        values = self.layout.numeric_values(key)
        return dict(zip(values, self._get(f"count:{key}").tolist(), strict=True))

    def options(self, key: str) -> dict[str, float]:
        options = self.layout.options(key)
        return dict(zip(options, self._get(f"option:{key}").tolist(), strict=True))

    def n_na(self, key: str) -> float:
        return float(self._get(f"na:{key}")[0])

    def n_answered(self, key: str) -> float:
        """Respondents who answered (a multiple choice answer counts once)."""
        if f"count:{key}" in self.layout.slices:
            return float(self._get(f"count:{key}").sum())
        return float(self._get(f"answered:{key}")[0])

    def n_missing(self, key: str) -> float:
        """Respondents who gave neither an answer nor "not applicable" to ``key``."""
        return self.n - self.n_na(key) - self.n_answered(key)

    def _square(self, name: str) -> Vector:
        k = len(self.layout.scored)
        return self._get(name).reshape(k, k)

    @property
    def satisfied(self) -> PairwiseMoments:
        """Pairwise co-satisfaction counts over the scored items."""
        return PairwiseMoments(
            self._square("valid"),
            self._square("sat_sum"),
            self._square("sat_cross"),
            self.layout.scored,
        )

    @property
    def values(self) -> PairwiseMoments:
        """Pairwise moments of the answers to the scored items."""
        return PairwiseMoments(
            self._square("valid"),
            self._square("val_sum"),
            self._square("val_cross"),
            self.layout.scored,
        )

    def _moments(self, name: str, names: tuple[str, ...]) -> Moments:
        raw = self._get(name)
        m = len(names)
        cross = raw[1 + m :].reshape(m, m)
        return Moments(round(raw[0]), raw[1 : 1 + m], (cross + cross.T) / 2, names)

    def alpha(self, dimension: str) -> Moments:
        """Complete-case moments of one dimension's items."""
        return self._moments(f"alpha:{dimension}", dict(self.layout.dimensions)[dimension])

    @property
    def drivers(self) -> Moments | None:
        """Complete-case moments of dimension respondent means and the overall item."""
        names = self.layout.driver_names
        return self._moments("drivers", names) if names else None

    def respondent_moments(self, criterion: str | None = None) -> tuple[float, float, float]:
        """(respondents, sum, sum of squares) of the respondent scores, or of one
        criterion's shares; only in a respondent-level layout."""
        name = "respondent" if criterion is None else f"respondent:{criterion}"
        n, total, squares = self._get(name).tolist()
        return n, total, squares

    def means_vector(self, scope: str) -> Vector:
        """Counts of respondents per possible mean (``Layout.grid(scope)``)."""
        return self._get(f"means:{scope}")

    def means(self, scope: str) -> dict[Fraction, float]:
        """Histogram of respondent means (nonzero slots only)."""
        hist = self._get(f"means:{scope}")
        grid = self.layout.grid(scope)
        return {grid[i]: float(hist[i]) for i in np.flatnonzero(hist)}

    # -- storage ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form for the aggregate table: the vector as little-endian
        float64, deflated (month pieces are mostly zeros) and base64-encoded."""
        data = zlib.compress(self.vector.astype("<f8").tobytes(), 1)
        return {"format": FORMAT, "size": self.layout.size, "f8z": base64.b64encode(data).decode()}

    @classmethod
    def from_dict(cls, layout: Layout, data: Mapping[str, Any]) -> Summary:
        if data.get("format") != FORMAT or data.get("size") != layout.size:
            raise ValueError("stored summary has another layout; rebuild the aggregates")
        raw = zlib.decompress(base64.b64decode(data["f8z"]))
        vector = np.frombuffer(raw, dtype="<f8").astype(np.float64)
        return cls(layout, vector)

    def close_to(self, other: Summary, rtol: float = 1e-9) -> bool:
        """Equal up to float rounding in the order of summation."""
        return self.layout == other.layout and bool(
            np.allclose(self.vector, other.vector, rtol=rtol, atol=1e-9)
        )
