"""Convert read XLSForm sheets into a questionnaire definition and the issues found.

Every issue names its cell as ``sheet!CELL``; what is converted is checked once more
as a definition before it is handed back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from surveyapp.definitions import check_text
from surveyapp.xlsform.questions import _Question, _QuestionRows
from surveyapp.xlsform.reading import (
    LANGS,
    MAX_BYTES,
    XLSFormError,
    _header_key,
    _key,
    _language,
    _Sheet,
    read_sheets,
)

LANGUAGE_NAMES = {"vi": "Vietnamese (vi)", "en": "English (en)"}
# Filled in by ODK clients; a web form has nothing to put there.
METADATA_TYPES = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber"}
    | {"username", "email", "audit", "start-geopoint", "background-audio", "instanceid"}
)


class _Dumper(yaml.SafeDumper):
    """safe_dump that writes a shared list or condition out again: no anchors, which we refuse."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class Issue:
    """Something that could not be carried over; ``fatal`` ones stop the conversion."""

    file: str
    sheet: str
    cell: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        prefix = f"{self.file}:{where}:" if where else f"{self.file}:"
        return f"{prefix} {'' if self.fatal else 'note: '}{self.message}"


@dataclass
class Conversion:
    """The converted definition, the suggested slug and every issue found."""

    definition: dict[str, Any]
    slug: str
    issues: list[Issue]
    source: str = ""

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.fatal]

    def yaml_text(self) -> str:
        """Return the definition as YAML, with a comment naming its source."""
        body = yaml.dump(
            self.definition, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
        )
        return f"# Converted from the XLSForm {self.source}\n{body}"


class _Converter(_QuestionRows):
    def __init__(self, file: str, sheets: dict[str, _Sheet]) -> None:
        self.file = file
        self.sheets = sheets
        self.issues: list[Issue] = []
        self.noted: set[tuple[str, str]] = set()  # (sheet, topic) of notes given once
        self.questions: dict[str, _Question] = {}  # by XLSForm name
        self.used_keys: set[str] = set()
        self.lists: dict[str, list[tuple[str, str, dict[str, str]]]] = {}

    def report(self, sheet: _Sheet | str, cell: str, message: str, *, fatal: bool = True) -> None:
        title = sheet if isinstance(sheet, str) else sheet.title
        self.issues.append(Issue(self.file, title, cell, message, fatal))

    def note_once(self, sheet: _Sheet, cell: str, message: str, topic: str) -> None:
        if (sheet.title, topic) not in self.noted:
            self.noted.add((sheet.title, topic))
            self.report(sheet, cell, message, fatal=False)

    def texts(
        self, sheet: _Sheet, row: int, values: list[str], base: str, what: str, *, required: bool
    ) -> dict[str, str] | None:
        """Return ``{vi, en}`` from ``base::LANG`` columns, or report what is missing."""
        columns = sheet.translated(base)
        got = {lang: values[col] for lang, col in columns.items() if lang and values[col]}
        plain = values[columns[None]] if None in columns else ""
        if not got and not plain:
            if required:
                where = min(columns.values(), default=sheet.column("name") or 0)
                self.report(sheet, sheet.cell(row, where), f"{what} has no {base}")
            return None
        result: dict[str, str] = {}
        for lang in LANGS:
            if lang in got:
                result[lang] = got[lang]
            elif plain:
                result[lang] = plain
                self.note_once(
                    sheet,
                    sheet.cell(sheet.header_row, columns[None]),
                    f"plain '{base}' is used for both Vietnamese and English; add "
                    f"'{base}::Vietnamese (vi)' and '{base}::English (en)' columns",
                    f"plain {base}",
                )
            else:
                col = columns.get(lang, min(c for c in columns.values()))
                self.report(
                    sheet,
                    sheet.cell(row, col),
                    f"{what} has no {LANGUAGE_NAMES[lang]} translation ({base}::{lang})",
                )
        return result if len(result) == len(LANGS) else None

    def extra_columns(self, sheet: _Sheet, used: set[str], fatal: frozenset[str]) -> None:
        """Report cells of columns this converter does not carry over."""
        for index, header in enumerate(sheet.headers):
            key = _header_key(header)
            base = key.split("::")[0]
            if not header or base in used:
                continue
            for row, values in sheet.rows:
                if index < len(values) and values[index]:
                    cell = sheet.cell(row, index)
                    if base in fatal:
                        self.report(sheet, cell, f"{header} is not supported")
                    else:
                        self.note_once(sheet, cell, f"column '{header}' is not carried over", key)
                        break

    def unknown_languages(self, sheet: _Sheet, bases: tuple[str, ...]) -> None:
        for index, header in enumerate(sheet.headers):
            key = _header_key(header)
            if (
                "::" in key
                and key.split("::")[0] in bases
                and _language(key.split("::")[1]) is None
            ):
                self.note_once(
                    sheet,
                    sheet.cell(sheet.header_row, index),
                    f"column '{header}' is ignored: only Vietnamese and English are used",
                    key,
                )

    # choices -------------------------------------------------------------------

    def read_choices(self) -> None:
        sheet = self.sheets.get("choices")
        if sheet is None:
            return
        list_col, name_col = sheet.column("list_name"), sheet.column("name")
        if list_col is None or name_col is None:
            self.report(sheet, "A1", "the choices sheet needs 'list_name' and 'name' columns")
            return
        self.unknown_languages(sheet, ("label",))
        self.extra_columns(sheet, {"list_name", "name", "label"}, frozenset())
        renamed: dict[str, tuple[int, list[str]]] = {}
        for row, values in sheet.rows:
            list_name, name = values[list_col], values[name_col]
            if not list_name:
                continue
            choices = self.lists.setdefault(list_name, [])
            what = f"choice '{name}' of list '{list_name}'"
            if not name:
                self.report(
                    sheet, sheet.cell(row, name_col), f"a choice of '{list_name}' has no name"
                )
                continue
            key = _key(name, "v")
            if any(key == k for _, k, _ in choices):
                self.report(
                    sheet,
                    sheet.cell(row, name_col),
                    f"{what} repeats an earlier choice (as option key '{key}')",
                )
                continue
            if key != name:
                _first, keys = renamed.setdefault(list_name, (row, []))
                keys.append(f"{name} → {key}")
            label = self.texts(sheet, row, values, "label", what, required=True)
            choices.append((name, key, label or {}))
        for list_name, (row, keys) in renamed.items():
            self.report(
                sheet,
                sheet.cell(row, name_col),
                f"choice names of list '{list_name}' became option keys: {', '.join(keys)}",
                fatal=False,
            )

    # survey --------------------------------------------------------------------

    def convert(self) -> tuple[dict[str, Any], str]:
        survey = self.sheets.get("survey")
        if survey is None:
            raise XLSFormError(f"{self.file}: no sheet named 'survey'")
        self.read_choices()
        title, slug, language = self.settings()
        sections = self.sections(survey)
        definition: dict[str, Any] = {"format": 1, "title": title}
        if language is not None:
            definition["default_language"] = language
        definition["sections"] = sections
        return definition, slug

    def settings(self) -> tuple[dict[str, str], str, str | None]:
        """Return the title, the slug suggested by form_id and the default language."""
        stem = Path(self.file).stem
        sheet = self.sheets.get("settings")
        title: dict[str, str] | None = None
        form_id, language, where = "", None, "settings"
        if sheet is not None and sheet.rows:
            row, values = sheet.rows[0]
            where = sheet.title
            id_col = sheet.column("form_id")
            form_id = values[id_col] if id_col is not None else ""
            before = len(self.errors())
            title = self.texts(sheet, row, values, "form_title", "the form", required=False)
            if len(self.errors()) > before:
                title = {}  # reported: a translation is missing
            lang_col = sheet.column("default_language")
            if lang_col is not None and values[lang_col]:
                language = _language(values[lang_col])
                if language is None:
                    self.report(
                        sheet,
                        sheet.cell(row, lang_col),
                        f"default language '{values[lang_col]}' is not vi or en; using vi",
                        fatal=False,
                    )
        if title is None:
            fallback = form_id or stem
            title = {"vi": fallback, "en": fallback}
            self.report(where, "", f"no form_title; the title is '{fallback}'", fatal=False)
        return title, _key(form_id or stem, "q"), language

    def sections(self, survey: _Sheet) -> list[dict[str, Any]]:
        type_col, name_col = survey.column("type"), survey.column("name")
        if type_col is None or name_col is None:
            self.report(survey, "A1", "the survey sheet needs 'type' and 'name' columns")
            return []
        self.unknown_languages(survey, ("label", "hint"))
        self.extra_columns(
            survey,
            {"type", "name", "label", "hint", "required", "relevant", "constraint", "appearance"},
            frozenset({"choice_filter", "repeat_count", "trigger"}),
        )
        sections: list[dict[str, Any]] = []
        section_keys: set[str] = set()
        groups: list[tuple[str, dict[str, str], dict[str, Any] | None, int]] = []
        current: list[dict[str, Any]] | None = None

        def open_section(name: str, title: dict[str, str]) -> list[dict[str, Any]]:
            key, n = _key(name, "s"), 2
            base = key
            while key in section_keys:
                key, n = f"{base[:58]}_{n}", n + 1
            section_keys.add(key)
            questions: list[dict[str, Any]] = []
            sections.append({"key": key, "kind": "general", "title": title, "questions": questions})
            return questions

        for row, values in survey.rows:
            kind, name = values[type_col], values[name_col]
            type_cell = survey.cell(row, type_col)
            if not kind:
                if any(values):
                    self.report(survey, type_cell, f"row '{name}' has no type")
                continue
            plain = re.sub(r"[\s_]+", " ", kind.lower())
            if plain in ("begin group", "begin repeat"):
                if plain == "begin repeat":
                    self.report(survey, type_cell, "begin repeat is not supported")
                title = self.texts(survey, row, values, "label", f"group '{name}'", required=False)
                if title is None:
                    title = {"vi": name or "…", "en": name or "…"}
                    self.report(
                        survey,
                        type_cell,
                        f"group '{name}' has no label; its title is its name",
                        fatal=False,
                    )
                condition = self.show_if(survey, row, values, f"group '{name}'")
                if condition is not None and any(g[2] is not None for g in groups):
                    self.report(
                        survey,
                        survey.cell(row, survey.column("relevant") or 0),
                        f"group '{name}' has a condition inside a group with one; "
                        "nested conditions are not supported",
                    )
                groups.append((name, title, condition, row))
                current = None
                continue
            if plain in ("end group", "end repeat"):
                if not groups:
                    self.report(survey, type_cell, f"{plain} without a begin")
                else:
                    groups.pop()
                current = None
                continue
            if kind.lower() in METADATA_TYPES or kind.lower() == "note":
                why = "display-only text" if kind.lower() == "note" else "metadata"
                self.report(survey, type_cell, f"{kind} '{name}' is skipped ({why})", fatal=False)
                continue
            question = self.question(survey, row, values, kind)
            if question is None:
                continue
            inherited = next((g[2] for g in reversed(groups) if g[2] is not None), None)
            if inherited is not None:
                if "show_if" in question:
                    self.report(
                        survey,
                        survey.cell(row, survey.column("relevant") or 0),
                        f"'{name}' has a condition inside a group with one; "
                        "combined conditions are not supported",
                    )
                else:
                    question["show_if"] = inherited
            if current is None:
                if groups:
                    current = open_section(groups[-1][0], groups[-1][1])
                else:
                    current = open_section("questions", {"vi": "Câu hỏi", "en": "Questions"})
            current.append(question)
        for name, _title, _condition, row in groups:
            self.report(survey, survey.cell(row, type_col), f"group '{name}' has no end group")
        kept = [s for s in sections if s["questions"]]
        if not kept and not self.errors():
            self.report(survey, "", "the form has no question that can be converted")
        return kept

    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.fatal]


def convert_sheets(file: str, sheets: dict[str, _Sheet]) -> Conversion:
    """Convert already read sheets; ``file`` names the source in every issue."""
    converter = _Converter(file, sheets)
    definition, slug = converter.convert()
    rank = {"survey": 0, "choices": 1, "settings": 2}
    issues = sorted(converter.issues, key=lambda issue: rank.get(issue.sheet.lower(), 3))
    result = Conversion(definition, slug, issues, Path(file).name)
    if not result.errors:
        # The converter's own safety net: what it writes must be a valid definition.
        for problem in check_text(result.yaml_text(), f"{slug}.yaml"):
            result.issues.append(
                Issue(file, "", "", f"converted definition, line {problem.line}: {problem.message}")
            )
    return result


def convert_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Conversion:
    """Convert the XLSForm workbook at ``path``; raise ``XLSFormError`` if it is refused."""
    path = Path(path)
    return convert_sheets(str(path), read_sheets(path, max_bytes=max_bytes))
