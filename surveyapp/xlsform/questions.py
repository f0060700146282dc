"""Convert the survey rows that are questions: type, texts, required, relevant, constraint.

``_QuestionRows`` is mixed into the converter, which supplies ``report``, ``texts`` and
the lists read from the choices sheet.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from surveyapp.definitions.model import RESERVED_KEYS
from surveyapp.xlsform.expressions import (
    _ExpressionError,
    _length_limit,
    _number_bounds,
    _relevant_terms,
)
from surveyapp.xlsform.reading import _key, _Sheet

_TRUE = frozenset({"yes", "true", "true()", "1"})
_FALSE = frozenset({"", "no", "false", "false()", "0"})
_SELECT = re.compile(r"select[_ ](one|multiple)\s+(\S+)(?:\s+(or_other))?", re.IGNORECASE)
_TEXT_LIMITS = {"short_text": 1000, "long_text": 20000}


@dataclass
class _Question:
    key: str
    type: str
    options: dict[str, str] = field(default_factory=dict)  # XLSForm choice name -> key


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


class _QuestionRows:
    questions: dict[str, _Question]  # by XLSForm name
    used_keys: set[str]
    lists: dict[str, list[tuple[str, str, dict[str, str]]]]

    if TYPE_CHECKING:

        def report(
            self, sheet: _Sheet | str, cell: str, message: str, *, fatal: bool = True
        ) -> None: ...

        def texts(
            self,
            sheet: _Sheet,
            row: int,
            values: list[str],
            base: str,
            what: str,
            *,
            required: bool,
        ) -> dict[str, str] | None: ...

    def question(
        self, sheet: _Sheet, row: int, values: list[str], kind: str
    ) -> dict[str, Any] | None:
        name_col = sheet.column("name") or 0
        name = values[name_col]
        type_cell = sheet.cell(row, sheet.column("type") or 0)
        our_type, list_name = self.question_type(sheet, row, values, kind)
        if our_type is None:
            return None
        if not name:
            self.report(sheet, sheet.cell(row, name_col), f"a {kind} question has no name")
            return None
        key = _key(name, "q")
        if key in RESERVED_KEYS:
            # A fixed column of the exports and the paper import has this name.
            key = f"q_{key}"
        if name in self.questions or key in self.used_keys:
            self.report(sheet, sheet.cell(row, name_col), f"name '{name}' is used twice")
            return None
        if key != name:
            self.report(
                sheet, sheet.cell(row, name_col), f"'{name}' became key '{key}'", fatal=False
            )
        what = f"question '{name}'"
        result: dict[str, Any] = {"key": key, "type": our_type}
        text = self.texts(sheet, row, values, "label", what, required=True)
        result["text"] = text
        help_text = self.texts(sheet, row, values, "hint", f"the hint of '{name}'", required=False)
        if help_text is not None:
            result["help"] = help_text
        if self.required(sheet, row, values):
            result["required"] = True
        condition = self.show_if(sheet, row, values, what)
        if condition is not None:
            result["show_if"] = condition
        record = _Question(key, our_type)
        if list_name is not None:
            choices = self.lists.get(list_name)
            if choices is None:
                self.report(sheet, type_cell, f"list '{list_name}' is not in the choices sheet")
            elif len(choices) < 2:
                self.report(sheet, type_cell, f"list '{list_name}' has fewer than 2 choices")
            else:
                result["options"] = [{"key": k, "label": label} for _, k, label in choices]
                record.options = {choice: k for choice, k, _ in choices}
        result.update(self.constraint(sheet, row, values, our_type, kind))
        self.questions[name] = record
        self.used_keys.add(key)
        return result

    def question_type(
        self, sheet: _Sheet, row: int, values: list[str], kind: str
    ) -> tuple[str | None, str | None]:
        type_cell = sheet.cell(row, sheet.column("type") or 0)
        select = _SELECT.fullmatch(kind)
        if select is not None:
            if select.group(3):
                self.report(
                    sheet,
                    type_cell,
                    "or_other is not supported; add an 'other' choice and a text question",
                )
                return None, None
            our = "single_choice" if select.group(1).lower() == "one" else "multiple_choice"
            return our, select.group(2)
        simple = {"integer": "number", "decimal": "number", "date": "date", "text": "short_text"}
        our_type = simple.get(kind.lower())
        if our_type is None:
            self.report(sheet, type_cell, f"{kind.split()[0]} is not supported")
            return None, None
        appearance_col = sheet.column("appearance")
        if (
            our_type == "short_text"
            and appearance_col is not None
            and "multiline" in values[appearance_col].lower().split()
        ):
            our_type = "long_text"
        return our_type, None

    def required(self, sheet: _Sheet, row: int, values: list[str]) -> bool:
        col = sheet.column("required")
        if col is None:
            return False
        value = values[col].strip().lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.report(sheet, sheet.cell(row, col), f"required '{values[col]}' is not supported")
        return False

    def show_if(
        self, sheet: _Sheet, row: int, values: list[str], what: str
    ) -> dict[str, Any] | None:
        col = sheet.column("relevant")
        if col is None or not values[col]:
            return None
        cell = sheet.cell(row, col)
        terms = _relevant_terms(values[col])
        if terms is None:
            self.report(sheet, cell, f"relevant '{values[col]}' is too complex to convert")
            return None
        refs = {ref for ref, _value, _how in terms}
        if len(refs) != 1:
            self.report(sheet, cell, f"relevant of {what} refers to several questions")
            return None
        ref = refs.pop()
        target = self.questions.get(ref)
        if target is None:
            self.report(sheet, cell, f"relevant refers to ${{{ref}}}, not an earlier question")
            return None
        if target.type not in ("single_choice", "multiple_choice"):
            self.report(
                sheet,
                cell,
                f"relevant refers to ${{{ref}}} ({target.type}); only select_one and "
                "select_multiple questions can be conditions",
            )
            return None
        keys: list[str] = []
        for _ref, value, how in terms:
            if target.type == "multiple_choice" and how == "equals":
                self.report(
                    sheet, cell, f"use selected(${{{ref}}}, '{value}') for a select_multiple"
                )
                return None
            if value not in target.options:
                self.report(sheet, cell, f"'{value}' is not a choice of ${{{ref}}}")
                return None
            if target.options[value] not in keys:
                keys.append(target.options[value])
        if len(keys) == 1:
            return {"question": target.key, "equals": keys[0]}
        return {"question": target.key, "in": keys}

    def constraint(
        self, sheet: _Sheet, row: int, values: list[str], our_type: str, kind: str
    ) -> dict[str, Any]:
        col = sheet.column("constraint")
        integer = kind.lower() == "integer"
        fields: dict[str, Any] = {"integer": True} if integer else {}
        if col is None or not values[col]:
            return fields
        cell = sheet.cell(row, col)
        expression = values[col]
        if our_type in _TEXT_LIMITS:
            limit = _length_limit(expression)
            if limit is None:
                self.report(sheet, cell, f"constraint '{expression}' is not supported")
                return fields
            if not 1 <= limit <= _TEXT_LIMITS[our_type]:
                self.report(sheet, cell, f"a length limit must be 1-{_TEXT_LIMITS[our_type]}")
                return fields
            return {"max_length": limit}
        if our_type != "number":
            self.report(sheet, cell, f"constraint on {kind} is not supported")
            return fields
        try:
            low, high = _number_bounds(expression, integer=integer)
        except _ExpressionError as exc:
            self.report(sheet, cell, str(exc))
            return fields
        if low > high:
            self.report(sheet, cell, f"constraint '{expression}' allows no answer")
            return fields
        if low != -math.inf:
            fields["min"] = _number(str(low))
        if high != math.inf:
            fields["max"] = _number(str(high))
        return fields
