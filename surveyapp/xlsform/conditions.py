"""Combine XLSForm conditions (AND) into the one ``show_if`` a question may have.

A ``show_if`` names one earlier choice question and the option keys that show the
question. It also holds only while that question is itself shown (hiding cascades,
see ``definitions.answers.visible``), so a condition implies every condition its
target is shown under. Several conditions that must all hold (a group's ``relevant``,
an enclosing group's, the question's own, the parts of an ``and``) can be said with
one of them exactly when that one implies all the others; otherwise they cannot be
said at all and the row is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: One condition: the question key and the sorted option keys that satisfy it.
Cond = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Shown:
    """When something is shown: its one ``show_if`` (None: always) and all it implies."""

    condition: Cond | None = None
    implies: frozenset[Cond] = frozenset()

    def show_if(self, order: Mapping[str, list[str]]) -> dict[str, Any] | None:
        """Return the definition's ``show_if`` mapping, options in their list order."""
        if self.condition is None:
            return None
        key, values = self.condition
        keys = [k for k in order.get(key, sorted(values)) if k in values]
        if len(keys) == 1:
            return {"question": key, "equals": keys[0]}
        return {"question": key, "in": keys}


ALWAYS = Shown()


class Conditions:
    """What each converted question's visibility implies, to combine conditions."""

    def __init__(self) -> None:
        self._shown: dict[str, Shown] = {}

    def record(self, key: str, shown: Shown) -> None:
        self._shown[key] = shown

    def single(self, key: str, values: Iterable[str]) -> Shown:
        """Return the visibility ``key`` in ``values`` gives (with all ``key``'s own)."""
        cond: Cond = (key, tuple(sorted(set(values))))
        return Shown(cond, frozenset({cond}) | self._shown.get(key, ALWAYS).implies)

    @staticmethod
    def combine(parts: Iterable[Shown]) -> Shown | None:
        """Return one visibility saying all ``parts`` (AND), or None when none can."""
        given = [part for part in parts if part.condition is not None]
        if not given:
            return ALWAYS
        needed = frozenset().union(*(part.implies for part in given))
        for part in given:
            if part.implies >= needed:
                return part
        return None
