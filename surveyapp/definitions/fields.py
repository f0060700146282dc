"""Reading typed fields out of the marked YAML tree while collecting every problem."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Iterable

from surveyapp.definitions.characters import describe as character_name
from surveyapp.definitions.characters import forbidden
from surveyapp.definitions.errors import Problem
from surveyapp.definitions.model import LANGUAGES, Text
from surveyapp.definitions.yamlsource import Mark, MMap, MNode, MScalar, MSeq, describe

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,62}")
KEY_RULE = "use 1-63 lowercase ASCII letters, digits and '_', starting with a letter"
#: Longest text of a definition (titles are shorter, see validate.py).
MAX_TEXT = 4000


def suggest(word: str, choices: Iterable[str]) -> str:
    """Return " (did you mean 'x'?)" for a close match, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _broken(node: MNode) -> bool:
    """Whether ``node`` could not be read; its problem is already reported."""
    return isinstance(node, MScalar) and node.broken


class Ctx:
    """Collects problems of one source and reads checked values out of marked nodes.

    Each reader returns None after recording a problem when the value is unusable.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        #: The languages every text must hold (the definition's ``languages``).
        self.languages: tuple[str, ...] = LANGUAGES

    def add(self, mark: Mark, message: str) -> None:
        if mark.path:
            message = f"{message} (at {mark.path})"
        self.problems.append(Problem(self.file, mark.line, mark.column, message))

    def mapping(self, node: MNode | None, what: str) -> MMap | None:
        if node is None or _broken(node):
            return None
        if not isinstance(node, MMap):
            self.add(node.mark, f"{what} must be a mapping, not {describe(node)}")
            return None
        return node

    def sequence(self, node: MNode | None, what: str, *, non_empty: bool = True) -> MSeq | None:
        if node is None or _broken(node):
            return None
        if not isinstance(node, MSeq):
            self.add(node.mark, f"{what} must be a list, not {describe(node)}")
            return None
        if non_empty and not node.items:
            self.add(node.mark, f"{what} must not be empty")
            return None
        return node

    def fields(
        self,
        m: MMap,
        what: str,
        required: Collection[str],
        optional: Collection[str] = (),
        *,
        check_unknown: bool = True,
    ) -> None:
        """Report unknown fields (at the key) and missing required ones (at the mapping)."""
        allowed = [*required, *optional]
        if check_unknown:
            for name, entry in m.entries.items():
                if name not in allowed:
                    self.add(
                        entry.key_mark, f"unknown field {name!r} in {what}{suggest(name, allowed)}"
                    )
        for name in required:
            if name not in m.entries:
                self.add(m.mark, f"{what} is missing required field {name!r}")

    def string(self, node: MNode | None, what: str, *, max_length: int = MAX_TEXT) -> str | None:
        if node is None or _broken(node):
            return None
        if not isinstance(node, MScalar) or not isinstance(node.value, str):
            self.add(node.mark, f"{what} must be a string, not {describe(node)}")
            return None
        value = node.value.strip()
        if not value:
            self.add(node.mark, f"{what} must not be empty")
            return None
        if len(value) > max_length:
            self.add(node.mark, f"{what} is longer than {max_length} characters")
            return None
        bad = forbidden(value)
        if bad is not None:
            self.add(node.mark, f"{what} contains {character_name(bad)}, which no text may hold")
            return None
        return value

    def key(self, node: MNode | None, what: str) -> str | None:
        if node is None or _broken(node):
            return None
        if not isinstance(node, MScalar) or not isinstance(node.value, str):
            self.add(node.mark, f"{what} must be a key string, not {describe(node)}")
            return None
        if not KEY_PATTERN.fullmatch(node.value):
            self.add(node.mark, f"{node.value!r} is not a valid {what}: {KEY_RULE}")
            return None
        return node.value

    def choice(self, node: MNode | None, what: str, choices: Collection[str]) -> str | None:
        if node is None or _broken(node):
            return None
        if not isinstance(node, MScalar) or not isinstance(node.value, str):
            self.add(node.mark, f"{what} must be one of {', '.join(choices)}, not {describe(node)}")
            return None
        if node.value not in choices:
            self.add(
                node.mark,
                f"unknown {what} {node.value!r}{suggest(node.value, choices)}; "
                f"expected one of {', '.join(choices)}",
            )
            return None
        return node.value

    def text(self, node: MNode | None, what: str, *, max_length: int = MAX_TEXT) -> Text | None:
        """Read a ``{vi: ..., en: ...}`` mapping holding each declared language."""
        m = self.mapping(node, what)
        if m is None:
            return None
        declared = self.languages
        for name, entry in m.entries.items():
            if name not in LANGUAGES:
                self.add(
                    entry.key_mark,
                    f"unknown language {name!r} in {what}{suggest(name, LANGUAGES)}; "
                    f"use {' and '.join(repr(lang) for lang in declared)}",
                )
            elif name not in declared:
                self.add(
                    entry.key_mark,
                    f"{what} has a {name!r} text, but the questionnaire's languages are "
                    f"[{', '.join(declared)}]; remove it or declare {name!r} in 'languages'",
                )
        values: dict[str, str] = {}
        complete = True
        for lang in declared:
            if lang not in m.entries:
                self.add(m.mark, f"{what} is missing the {lang!r} translation")
                complete = False
                continue
            value = self.string(
                m.get(lang), f"{lang!r} translation of {what}", max_length=max_length
            )
            if value is None:
                complete = False
            else:
                values[lang] = value
        if not complete or not values:
            return None
        return Text.of(values)

    def boolean(self, node: MNode | None, what: str) -> bool | None:
        if node is None or _broken(node):
            return None
        if not isinstance(node, MScalar) or not isinstance(node.value, bool):
            self.add(node.mark, f"{what} must be true or false, not {describe(node)}")
            return None
        return node.value

    def integer(
        self, node: MNode | None, what: str, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        if node is None or _broken(node):
            return None
        value = node.value if isinstance(node, MScalar) else None
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and isinstance(value, int):
            ok = (lo is None or value >= lo) and (hi is None or value <= hi)
            if ok:
                return value
        if lo is not None and hi is not None:
            rule = f"an integer from {lo} to {hi}"
        elif lo is not None:
            rule = f"an integer of at least {lo}"
        else:
            rule = "an integer"
        self.add(node.mark, f"{what} must be {rule}")
        return None

    def number(self, node: MNode | None, what: str) -> int | float | None:
        """Read a finite number; integral floats become ints so equal values hash alike."""
        if node is None or _broken(node):
            return None
        value = node.value if isinstance(node, MScalar) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(node.mark, f"{what} must be a number, not {describe(node)}")
            return None
        if isinstance(value, float):
            if not math.isfinite(value):
                self.add(node.mark, f"{what} must be a finite number")
                return None
            if value.is_integer() and abs(value) < 2**53:
                return int(value)
        elif abs(value) > 2**53:
            self.add(node.mark, f"{what} is too large")
            return None
        return value
