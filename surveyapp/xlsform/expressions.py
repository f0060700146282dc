"""Parse the ``relevant`` and ``constraint`` expressions of an XLSForm.

Only the few shapes a questionnaire definition can hold are understood; anything
else is ``None`` or an ``_ExpressionError``. Which question a name refers to,
and which cell to blame, is the converter's business.
"""

from __future__ import annotations

import math
import re

from surveyapp.errors import Problem

_REF = r"\$\{(?P<ref>[^}\s]+)\}"
_VALUE = r"(?:'(?P<q1>[^']*)'|\"(?P<q2>[^\"]*)\"|(?P<bare>[^\s()'\",]+))"
_EQUALS = re.compile(rf"\s*{_REF}\s*=\s*{_VALUE}\s*")
_SELECTED = re.compile(rf"\s*selected\s*\(\s*{_REF}\s*,\s*{_VALUE}\s*\)\s*")
_OR = re.compile(r"or(?=[\s$])", re.IGNORECASE)
_BOUND = re.compile(r"\s*\.\s*(>=|<=|>|<|=)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*")
_LENGTH = re.compile(r"\s*string-length\s*\(\s*\.\s*\)\s*(<=|<)\s*([0-9]+)\s*")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


class _ExpressionError(ValueError):
    """The expression is not one that converts; the argument says why."""


def _relevant_terms(expression: str) -> list[tuple[str, str, str]] | None:
    """Split ``${q} = 'x' or selected(${q}, 'y')`` into (name, value, how); None if other."""
    terms: list[tuple[str, str, str]] = []
    position = 0
    while True:
        found, how = _EQUALS.match(expression, position), "equals"
        if found is None:
            found, how = _SELECTED.match(expression, position), "selected"
        if found is None:
            return None
        value = next(v for v in (found["q1"], found["q2"], found["bare"]) if v is not None)
        terms.append((found["ref"], value, how))
        position = found.end()
        if position == len(expression):
            return terms
        joined = _OR.match(expression, position)
        if joined is None:
            return None
        position = joined.end()


def _conjuncts(expression: str) -> list[str]:
    """Split ``a and b`` at its top-level ``and`` (outside quotes and brackets)."""
    parts: list[str] = []
    depth, quote, start, i = 0, "", 0, 0
    text = expression
    while i < len(text):
        char = text[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and _AND.match(text, i) and i > start:
            parts.append(text[start:i])
            i = _AND.match(text, i).end()  # type: ignore[union-attr]
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [_unwrap(part) for part in parts]


def _unwrap(part: str) -> str:
    """Drop brackets around a whole term: ``(${a} = 'x')``."""
    part = part.strip()
    while part.startswith("(") and part.endswith(")") and _balanced(part[1:-1]):
        part = part[1:-1].strip()
    return part


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _length_limit(expression: str) -> int | None:
    """Return N for ``string-length(.) <= N`` (N - 1 for ``<``); None if other."""
    found = _LENGTH.fullmatch(expression)
    if found is None:
        return None
    return int(found.group(2)) - (found.group(1) == "<")


def _number_bounds(expression: str, *, integer: bool) -> tuple[float, float]:
    """Return (low, high) allowed by ``. >= 1 and . < 10``; infinite where unbounded."""
    low, high = -math.inf, math.inf
    for part in _AND.split(expression.strip()):
        found = _BOUND.fullmatch(part)
        if found is None:
            raise _ExpressionError(
                Problem("constraint '%(expression)s' is not supported", expression=expression)
            )
        op, value = found.group(1), float(found.group(2))
        if op in (">", "<") and not integer:
            raise _ExpressionError(
                Problem("'%(part)s' on a decimal: only >=, <= and = convert", part=part.strip())
            )
        if op in (">=", ">", "="):
            bound = math.floor(value) + 1 if op == ">" else value
            low = max(low, math.ceil(bound) if integer else bound)
        if op in ("<=", "<", "="):
            bound = math.ceil(value) - 1 if op == "<" else value
            high = min(high, math.floor(bound) if integer else bound)
    return low, high
