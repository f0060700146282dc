"""Convert the survey rows that are questions: type, texts, required, relevant, constraint.

``_QuestionRows`` is mixed into the converter, which supplies ``report``, ``texts`` and
the lists read from the choices sheet.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyxform import aliases, constants
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from surveyapp.definitions.model import RESERVED_KEYS
from surveyapp.errors import Problem
from surveyapp.xlsform.conditions import ALWAYS, Conditions, Shown
from surveyapp.xlsform.expressions import (
    _conjuncts,
    _ExpressionError,
    _length_limit,
    _number_bounds,
    _relevant_terms,
)
from surveyapp.xlsform.reading import _key, _Sheet

_TRUE = frozenset({"yes", "true", "true()", "1"})
_FALSE = frozenset({"", "no", "false", "false()", "0"})
_TEXT_LIMITS = {"short_text": 1000, "long_text": 20000}
#: pyxform's select types (``aliases.select``) and the spaced spelling it also reads.
_SELECTS = {**aliases.select, "select multiple": constants.SELECT_ALL_THAT_APPLY}
_SELECT = re.compile(
    r"(?P<kind>{})\s+(?P<list>\S+)(?:\s+(?P<other>or_other|or specify other))?".format(
        "|".join(re.escape(name) for name in sorted(_SELECTS, key=len, reverse=True))
    ),
    re.IGNORECASE,
)
_PARAMETER = re.compile(r"(\w+)\s*=\s*(-?[0-9]+(?:\.[0-9]+)?)")


@dataclass
class _Question:
    key: str
    type: str
    options: dict[str, str] = field(default_factory=dict)  # XLSForm choice name -> key
    order: list[str] = field(default_factory=list)  # option keys in list order


@dataclass(frozen=True)
class Kind:
    """What a survey row's type is to us: ``our`` type, or why it is dropped."""

    our: str | None = None
    list_name: str | None = None
    dropped: str | None = None  # why the row is left out (a note)
    refused: str | None = None  # why the row cannot be converted (an error)
    other: bool = False  # or_other: an "other" choice and a text question to specify it


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def classify(kind: str, appearance: str = "") -> Kind:
    """Classify an XLSForm type by pyxform's tables of types and aliases."""
    select = _SELECT.fullmatch(kind.strip())
    if select is not None:
        spelled = select["kind"].lower()
        meaning = _SELECTS[spelled]
        if spelled in aliases.select_from_file or meaning == constants.SELECT_ONE_EXTERNAL:
            return Kind(dropped=Problem("its choices are in a separate file, not in the workbook"))
        if meaning == constants.RANK:
            return Kind(dropped=Problem("ranking is not a question type here"))
        our = "single_choice" if meaning == constants.SELECT_ONE else "multiple_choice"
        return Kind(our, select["list"], other=bool(select["other"]))
    if re.fullmatch(r"osm\s+\S+", kind.strip(), re.IGNORECASE):
        return Kind(dropped=Problem("an OpenStreetMap question needs an ODK client"))
    name = aliases._type_alias_map.get(kind.lower(), kind)
    entry = QUESTION_TYPE_DICT.get(name) or QUESTION_TYPE_DICT.get(name.lower())
    if entry is None:
        return Kind(refused=Problem("unknown type '%(type)s'", type=kind))
    bind = entry.get("bind", {})
    if "control" not in entry:
        if "jr:preload" in bind or name.lower() in ("audit", "background-audio"):
            return Kind(dropped=Problem("metadata an ODK client fills in; a web form has none"))
        return Kind(dropped=Problem("the respondent never sees it"))
    if name.lower() == "note":
        return Kind(our="note")
    tag = entry["control"].get("tag")
    data = bind.get("type")
    if tag == "input" and data == "string" and "location" not in name.lower():
        multiline = "multiline" in appearance.lower().split()
        return Kind("long_text" if multiline else "short_text")
    if tag == "input" and data in ("int", "decimal"):
        return Kind("number")
    if tag == "input" and data == "date":
        return Kind("date")
    if tag == "range":
        return Kind("range")
    return Kind(dropped=Problem("a web form here cannot collect it"))


class _QuestionRows:
    questions: dict[str, _Question]  # by XLSForm name
    used_keys: set[str]
    lists: dict[str, list[tuple[str, str, dict[str, str]]]]
    conditions: Conditions
    #: XLSForm names left out, with the cell and why: a condition on one is refused.
    dropped: dict[str, tuple[str, str]]

    if TYPE_CHECKING:

        def report(
            self, sheet: _Sheet | str, cell: str, message: str, *, fatal: bool = True
        ) -> None: ...

        def fixed(self, vi: str, en: str) -> dict[str, str]: ...

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
        self, sheet: _Sheet, row: int, values: list[str], kind: str, our_type: str,
        list_name: str | None, inherited: Shown,
    ) -> dict[str, Any] | None:  # fmt: skip
        """Convert one question row shown under ``inherited`` (its groups' conditions)."""
        name_col = sheet.column("name") or 0
        name = values[name_col]
        type_cell = sheet.cell(row, sheet.column("type") or 0)
        if not name:
            self.report(
                sheet,
                sheet.cell(row, name_col),
                Problem("a %(type)s question has no name", type=kind),
            )
            return None
        key = _key(name, "q")
        if key in RESERVED_KEYS:
            # A fixed column of the exports and the paper import has this name.
            key = f"q_{key}"
        if name in self.questions or key in self.used_keys:
            self.report(
                sheet,
                sheet.cell(row, name_col),
                Problem("name '%(name)s' is used twice", name=name),
            )
            return None
        if key != name:
            self.report(
                sheet,
                sheet.cell(row, name_col),
                Problem("'%(name)s' became key '%(key)s'", name=name, key=key),
                fatal=False,
            )
        what = Problem("question '%(name)s'", name=name)
        result: dict[str, Any] = {"key": key, "type": "number" if our_type == "range" else our_type}
        text = self.texts(sheet, row, values, "label", what, required=True)
        result["text"] = text
        help_text = self.texts(
            sheet, row, values, "hint", Problem("the hint of '%(name)s'", name=name), required=False
        )
        if help_text is not None:
            result["help"] = help_text
        if self.required(sheet, row, values):
            result["required"] = True
        shown = self.shown(sheet, row, values, what, inherited)
        record = _Question(key, our_type)
        if list_name is not None:
            choices = self.lists.get(list_name)
            if choices is None:
                self.report(
                    sheet,
                    type_cell,
                    Problem("list '%(list)s' is not in the choices sheet", list=list_name),
                )
            elif len(choices) < 2:
                self.report(
                    sheet,
                    type_cell,
                    Problem("list '%(list)s' has fewer than 2 choices", list=list_name),
                )
            else:
                result["options"] = [{"key": k, "label": label} for _, k, label in choices]
                record.options = {choice: k for choice, k, _ in choices}
                record.order = [k for _, k, _ in choices]
        if our_type == "range":
            result.update(self.range(sheet, row, values, name))
        else:
            result.update(self.constraint(sheet, row, values, our_type, kind))
        if shown is not None:
            condition = shown.show_if(self.orders())
            if condition is not None:
                result["show_if"] = condition
            self.conditions.record(key, shown)
        self.questions[name] = record
        self.used_keys.add(key)
        return result

    def or_other(
        self, sheet: _Sheet, row: int, name: str, question: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Add ODK's "other" choice and the text question ``NAME_other`` shown with it."""
        record = self.questions.get(name)
        if record is None or "options" not in question:
            return None
        if "other" not in record.order:
            question["options"].append({"key": "other", "label": self.fixed("Khác", "Other")})
            record.order.append("other")
        record.options.setdefault("other", "other")
        key, n = _key(f"{name}_other", "q"), 2
        while key in self.used_keys:
            key, n = f"{_key(name, 'q')[:55]}_other{n}", n + 1
        shown = self.conditions.single(record.key, ["other"])
        self.conditions.record(key, shown)
        self.questions[f"{name}_other"] = _Question(key, "short_text")
        self.used_keys.add(key)
        self.report(
            sheet,
            sheet.cell(row, sheet.column("type") or 0),
            Problem(
                "or_other: choice 'other' and question '%(key)s' (shown when 'other' is chosen) "
                "are added",
                key=key,
            ),
            fatal=False,
        )
        return {
            "key": key,
            "type": "short_text",
            "text": self.fixed("Xin ghi rõ lựa chọn khác", "Please specify"),
            "show_if": shown.show_if(self.orders()),
        }

    def orders(self) -> dict[str, list[str]]:
        return {q.key: q.order for q in self.questions.values()}

    def required(self, sheet: _Sheet, row: int, values: list[str]) -> bool:
        col = sheet.column("required")
        if col is None:
            return False
        value = values[col].strip().lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.report(
                sheet,
                sheet.cell(row, col),
                Problem(
                    "required '%(value)s' depends on other answers; the question is optional",
                    value=values[col],
                ),
                fatal=False,
            )
        return False

    def shown(
        self, sheet: _Sheet, row: int, values: list[str], what: str, inherited: Shown
    ) -> Shown | None:
        """Return when the row is shown: its ``relevant`` AND its groups'; None if refused."""
        col = sheet.column("relevant")
        if col is None or not values[col]:
            return inherited
        cell = sheet.cell(row, col)
        expression = values[col]
        parts = [inherited]
        for conjunct in _conjuncts(expression):
            part = self.condition(sheet, cell, conjunct, expression, what)
            if part is None:
                return None
            parts.append(part)
        combined = Conditions.combine(parts)
        if combined is None:
            if inherited is not ALWAYS:
                message = Problem(
                    "relevant '%(expression)s' of %(what)s cannot be combined with its group's "
                    "condition: a question shows under one condition on one choice question "
                    "(and whatever that question is shown under)",
                    expression=expression,
                    what=what,
                )
            else:
                message = Problem(
                    "relevant '%(expression)s' of %(what)s cannot be combined with itself: "
                    "a question shows under one condition on one choice question "
                    "(and whatever that question is shown under)",
                    expression=expression,
                    what=what,
                )
            self.report(sheet, cell, message)
        return combined

    def condition(
        self, sheet: _Sheet, cell: str, term: str, expression: str, what: str
    ) -> Shown | None:
        terms = _relevant_terms(term)
        if terms is None:
            self.report(
                sheet,
                cell,
                Problem(
                    "relevant '%(expression)s' is too complex to convert: show_if says only "
                    "${q} = 'choice' or selected(${q}, 'choice'), joined by or (one question) "
                    "or and",
                    expression=expression,
                ),
            )
            return None
        refs = {ref for ref, _value, _how in terms}
        if len(refs) != 1:
            self.report(
                sheet,
                cell,
                Problem(
                    "relevant '%(expression)s' of %(what)s refers to several questions",
                    expression=expression,
                    what=what,
                ),
            )
            return None
        ref = refs.pop()
        shown_ref = f"${{{ref}}}"
        target = self.questions.get(ref)
        if target is None:
            if ref in self.dropped:
                where, why = self.dropped[ref]
                self.report(
                    sheet,
                    cell,
                    Problem(
                        "relevant '%(expression)s' refers to %(ref)s, which is dropped "
                        "(%(where)s: %(why)s); the form cannot work without it",
                        expression=expression,
                        ref=shown_ref,
                        where=where,
                        why=why,
                    ),
                )
            else:
                self.report(
                    sheet,
                    cell,
                    Problem(
                        "relevant '%(expression)s' refers to %(ref)s, not an earlier question",
                        expression=expression,
                        ref=shown_ref,
                    ),
                )
            return None
        if target.type not in ("single_choice", "multiple_choice"):
            self.report(
                sheet,
                cell,
                Problem(
                    "relevant '%(expression)s' refers to %(ref)s (%(type)s); only "
                    "select_one and select_multiple questions can be conditions",
                    expression=expression,
                    ref=shown_ref,
                    type=target.type,
                ),
            )
            return None
        keys: list[str] = []
        for _ref, value, how in terms:
            if target.type == "multiple_choice" and how == "equals":
                self.report(
                    sheet,
                    cell,
                    Problem(
                        "use selected(%(ref)s, '%(value)s') for a select_multiple",
                        ref=shown_ref,
                        value=value,
                    ),
                )
                return None
            if value not in target.options:
                self.report(
                    sheet,
                    cell,
                    Problem("'%(value)s' is not a choice of %(ref)s", value=value, ref=shown_ref),
                )
                return None
            keys.append(target.options[value])
        return self.conditions.single(target.key, keys)

    def range(self, sheet: _Sheet, row: int, values: list[str], name: str) -> dict[str, Any]:
        """A range row: a number between its parameters' start and end (ODK: 1-10)."""
        col = sheet.column("parameters")
        found = dict(_PARAMETER.findall(values[col])) if col is not None else {}
        start, end = float(found.get("start", 1)), float(found.get("end", 10))
        step = float(found.get("step", 1))
        low, high = min(start, end), max(start, end)
        fields: dict[str, Any] = {"min": _number(str(low)), "max": _number(str(high))}
        if step.is_integer() and low.is_integer():
            fields["integer"] = True
        self.report(
            sheet,
            sheet.cell(row, sheet.column("type") or 0),
            Problem(
                "range '%(name)s' becomes a number from %(min)s to %(max)s",
                name=name,
                min=fields["min"],
                max=fields["max"],
            ),
            fatal=False,
        )
        return fields

    def constraint(
        self, sheet: _Sheet, row: int, values: list[str], our_type: str, kind: str
    ) -> dict[str, Any]:
        col = sheet.column("constraint")
        integer = kind.lower() in ("integer", "int") or (
            our_type == "number"
            and QUESTION_TYPE_DICT.get(kind, {}).get("bind", {}).get("type") == "int"
        )
        fields: dict[str, Any] = {"integer": True} if integer else {}
        if col is None or not values[col]:
            return fields
        cell = sheet.cell(row, col)
        expression = values[col]
        dropped = Problem(
            "constraint '%(expression)s' is not carried over: answers are not checked against it",
            expression=expression,
        )
        if our_type in _TEXT_LIMITS:
            limit = _length_limit(expression)
            if limit is None or not 1 <= limit <= _TEXT_LIMITS[our_type]:
                self.report(sheet, cell, dropped, fatal=False)
                return fields
            return {"max_length": limit}
        if our_type != "number":
            self.report(sheet, cell, dropped, fatal=False)
            return fields
        try:
            low, high = _number_bounds(expression, integer=integer)
        except _ExpressionError as exc:
            why = exc.args[0]
            if isinstance(why, Problem) and why.msgid.endswith("is not supported"):
                self.report(sheet, cell, dropped, fatal=False)
            else:
                self.report(
                    sheet,
                    cell,
                    Problem(
                        "constraint '%(expression)s' is not carried over: answers are not "
                        "checked against it (%(why)s)",
                        expression=expression,
                        why=why,
                    ),
                    fatal=False,
                )
            return fields
        if low > high:
            self.report(
                sheet,
                cell,
                Problem("constraint '%(expression)s' allows no answer", expression=expression),
            )
            return fields
        if low != -math.inf:
            fields["min"] = _number(str(low))
        if high != math.inf:
            fields["max"] = _number(str(high))
        return fields
