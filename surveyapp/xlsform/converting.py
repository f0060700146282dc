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
from surveyapp.errors import Problem
from surveyapp.xlsform.conditions import Conditions
from surveyapp.xlsform.questions import _Question
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
from surveyapp.xlsform.survey import USED, _SurveyRows

LANGUAGE_NAMES = {"vi": Problem("Vietnamese (vi)"), "en": Problem("English (en)")}
#: Letters that of the two languages only Vietnamese writes.
_VIETNAMESE = re.compile(
    "[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "\u0300\u0301\u0303\u0309\u0323]"
)
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

    @property
    def row(self) -> int | None:
        """The row number of the cell (None: the issue is about the whole sheet)."""
        found = re.fullmatch(r"([A-Z]+)([0-9]+)", self.cell)
        return int(found.group(2)) if found else None

    @property
    def column(self) -> str:
        """The column letter of the cell ("" when the issue names no cell)."""
        found = re.fullmatch(r"([A-Z]+)([0-9]+)", self.cell)
        return found.group(1) if found else ""

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


class _Converter(_SurveyRows):
    def __init__(self, file: str, sheets: dict[str, _Sheet]) -> None:
        self.file = file
        self.sheets = sheets
        self.issues: list[Issue] = []
        self.noted: set[tuple[str, str]] = set()  # (sheet, topic) of notes given once
        self.questions: dict[str, _Question] = {}  # by XLSForm name
        self.used_keys: set[str] = set()
        self.lists: dict[str, list[tuple[str, str, dict[str, str]]]] = {}
        self.conditions = Conditions()
        self.dropped: dict[str, tuple[str, str]] = {}
        self.languages: tuple[str, ...] = LANGS

    def report(self, sheet: _Sheet | str, cell: str, message: str, *, fatal: bool = True) -> None:
        title = sheet if isinstance(sheet, str) else sheet.title
        self.issues.append(Issue(self.file, title, cell, message, fatal))

    def note_once(self, sheet: _Sheet, cell: str, message: str, topic: str) -> None:
        if (sheet.title, topic) not in self.noted:
            self.noted.add((sheet.title, topic))
            self.report(sheet, cell, message, fatal=False)

    def note(self, sheet: _Sheet, cell: str, message: str) -> None:
        self.report(sheet, cell, message, fatal=False)

    def fixed(self, vi: str, en: str) -> dict[str, str]:
        """Return a text of our own in the form's languages."""
        return {lang: text for lang, text in (("vi", vi), ("en", en)) if lang in self.languages}

    def texts(
        self, sheet: _Sheet, row: int, values: list[str], base: str, what: str, *, required: bool
    ) -> dict[str, str] | None:
        """Return ``{lang: text}`` in the form's languages, or report what is missing."""
        columns = sheet.translated(base)
        got = {lang: values[col] for lang, col in columns.items() if lang and values[col]}
        plain = values[columns[None]] if None in columns else ""
        if not got and not plain:
            if required:
                where = min(columns.values(), default=sheet.column("name") or 0)
                self.report(
                    sheet,
                    sheet.cell(row, where),
                    Problem("%(what)s has no %(base)s", what=what, base=base),
                )
            return None
        result: dict[str, str] = {}
        for lang in self.languages:
            if lang in got:
                result[lang] = got[lang]
            elif plain:
                result[lang] = plain
                if lang in columns:
                    self.note_once(
                        sheet,
                        sheet.cell(sheet.header_row, columns[None]),
                        Problem(
                            "plain '%(base)s' fills in where '%(base)s::%(language)s' is empty",
                            base=base,
                            language=LANGUAGE_NAMES[lang],
                        ),
                        f"plain {base}",
                    )
            else:
                col = columns.get(lang, min(c for c in columns.values()))
                self.report(
                    sheet,
                    sheet.cell(row, col),
                    Problem(
                        "%(what)s has no %(language)s translation (%(base)s::%(code)s)",
                        what=what,
                        language=LANGUAGE_NAMES[lang],
                        base=base,
                        code=lang,
                    ),
                )
        return result if len(result) == len(self.languages) else None

    def form_languages(self, settings_language: str | None) -> None:
        """Choose the form's languages: its vi/en columns, else the plain column's."""
        found: set[str] = set()
        plain: list[tuple[_Sheet, int]] = []
        for title, bases in (("survey", ("label", "hint")), ("choices", ("label",))):
            sheet = self.sheets.get(title)
            if sheet is None:
                continue
            for base in bases:
                columns = sheet.translated(base)
                found.update(lang for lang in columns if lang)
                if None in columns and base == "label":
                    plain.append((sheet, columns[None]))
        if found:
            self.languages = tuple(lang for lang in LANGS if lang in found)
            return
        if not plain:
            return
        sheet, col = plain[0]
        if settings_language is not None:
            self.languages = (settings_language,)
            why = Problem("the settings' default_language")
        else:
            texts = " ".join(values[col] for _row, values in sheet.rows)
            self.languages = ("vi",) if _VIETNAMESE.search(texts) else ("en",)
            why = Problem("its letters; set default_language in the settings sheet to choose")
        self.note(
            sheet,
            sheet.cell(sheet.header_row, col),
            Problem(
                "the plain 'label' texts are taken as %(language)s (from %(why)s): "
                "a one-language questionnaire",
                language=LANGUAGE_NAMES[self.languages[0]],
                why=why,
            ),
        )

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
                        self.report(
                            sheet, cell, Problem("%(header)s is not supported", header=header)
                        )
                    else:
                        self.note_once(
                            sheet,
                            cell,
                            Problem("column '%(header)s' is not carried over", header=header),
                            key,
                        )
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
                    Problem(
                        "column '%(header)s' is ignored: only Vietnamese and English are used",
                        header=header,
                    ),
                    key,
                )

    # choices -------------------------------------------------------------------

    def read_choices(self) -> None:
        sheet = self.sheets.get("choices")
        if sheet is None:
            return
        list_col, name_col = sheet.column("list_name"), sheet.column("name")
        if list_col is None or name_col is None:
            self.report(
                sheet, "A1", Problem("the choices sheet needs 'list_name' and 'name' columns")
            )
            return
        self.unknown_languages(sheet, ("label",))
        self.extra_columns(sheet, {"list_name", "name", "label"}, frozenset())
        renamed: dict[str, tuple[int, list[str]]] = {}
        for row, values in sheet.rows:
            list_name, name = values[list_col], values[name_col]
            if not list_name:
                continue
            choices = self.lists.setdefault(list_name, [])
            what = Problem("choice '%(name)s' of list '%(list)s'", name=name, list=list_name)
            if not name:
                self.report(
                    sheet,
                    sheet.cell(row, name_col),
                    Problem("a choice of '%(list)s' has no name", list=list_name),
                )
                continue
            key = _key(name, "v")
            if any(key == k for _, k, _ in choices):
                self.report(
                    sheet,
                    sheet.cell(row, name_col),
                    Problem(
                        "%(what)s repeats an earlier choice (as option key '%(key)s')",
                        what=what,
                        key=key,
                    ),
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
                Problem(
                    "choice names of list '%(list)s' became option keys: %(keys)s",
                    list=list_name,
                    keys=", ".join(keys),
                ),
                fatal=False,
            )

    # survey --------------------------------------------------------------------

    def convert(self) -> tuple[dict[str, Any], str]:
        survey = self.sheets.get("survey")
        if survey is None:
            raise XLSFormError(Problem("%(file)s: no sheet named 'survey'", file=self.file))
        form_id, language = self.settings_row()
        self.form_languages(language)
        self.unknown_languages(survey, ("label", "hint"))
        self.survey_columns(survey)
        self.read_choices()
        title = self.title(form_id)
        sections = self.sections(survey)
        definition: dict[str, Any] = {"format": 1}
        if len(self.languages) == 1:
            definition["languages"] = list(self.languages)
        definition["title"] = title
        if language is not None and language in self.languages:
            definition["default_language"] = language
        elif language is not None:
            self.note(
                self.sheets["settings"],
                self._language_cell,
                Problem(
                    "default language '%(language)s' is not a language of the form; left out",
                    language=language,
                ),
            )
        definition["sections"] = sections
        return definition, _key(form_id or Path(self.file).stem, "q")

    def survey_columns(self, survey: _Sheet) -> None:
        """Note the survey columns not carried over; choice_filter at each row."""
        col = survey.column("choice_filter")
        for row, values in survey.rows if col is not None else ():
            if values[col]:  # type: ignore[index]
                self.note(
                    survey,
                    survey.cell(row, col),  # type: ignore[arg-type]
                    Problem(
                        "choice_filter '%(filter)s' is dropped: every choice of the list "
                        "is offered",
                        filter=values[col],  # type: ignore[index]
                    ),
                )
        self.extra_columns(survey, {*USED, "choice_filter"}, frozenset())

    def settings_row(self) -> tuple[str, str | None]:
        """Return the settings' form_id and default language (vi, en or None)."""
        sheet = self.sheets.get("settings")
        self._language_cell = ""
        if sheet is None or not sheet.rows:
            return "", None
        row, values = sheet.rows[0]
        id_col = sheet.column("form_id")
        form_id = values[id_col] if id_col is not None else ""
        lang_col = sheet.column("default_language")
        if lang_col is None or not values[lang_col]:
            return form_id, None
        self._language_cell = sheet.cell(row, lang_col)
        language = _language(values[lang_col])
        if language is None:
            self.note(
                sheet,
                self._language_cell,
                Problem(
                    "default language '%(language)s' is not vi or en; left out",
                    language=values[lang_col],
                ),
            )
        return form_id, language

    def title(self, form_id: str) -> dict[str, str]:
        """Return the form's title: the settings' form_title, else its form_id or file name."""
        sheet = self.sheets.get("settings")
        if sheet is not None and sheet.rows:
            row, values = sheet.rows[0]
            before = len(self.errors())
            title = self.texts(
                sheet, row, values, "form_title", Problem("the form"), required=False
            )
            if len(self.errors()) > before:
                return {}  # reported: a translation is missing
            if title is not None:
                return title
        fallback = form_id or Path(self.file).stem
        cell = sheet.cell(sheet.header_row, 0) if sheet is not None else ""
        self.report(
            sheet or "settings",
            cell,
            Problem("no form_title; the title is '%(title)s'", title=fallback),
            fatal=False,
        )
        return self.fixed(fallback, fallback)

    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.fatal]


def convert_sheets(file: str, sheets: dict[str, _Sheet]) -> Conversion:
    """Convert already read sheets; ``file`` names the source in every issue."""
    converter = _Converter(file, sheets)
    definition, slug = converter.convert()
    rank = {"survey": 0, "choices": 1, "settings": 2}
    issues = sorted(
        converter.issues,
        key=lambda issue: (
            rank.get(issue.sheet.lower(), 3),
            issue.row or 0,
            len(issue.column),
            issue.column,
        ),
    )
    result = Conversion(definition, slug, issues, Path(file).name)
    if not result.errors:
        # The converter's own safety net: what it writes must be a valid definition.
        for problem in check_text(result.yaml_text(), f"{slug}.yaml"):
            result.issues.append(
                Issue(
                    file,
                    "",
                    "",
                    Problem(
                        "converted definition, line %(line)s: %(message)s",
                        line=problem.line,
                        message=problem.message,
                    ),
                )
            )
    return result


def convert_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Conversion:
    """Convert the XLSForm workbook at ``path``; raise ``XLSFormError`` if it is refused."""
    path = Path(path)
    return convert_sheets(str(path), read_sheets(path, max_bytes=max_bytes))
