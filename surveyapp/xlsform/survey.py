"""Walk the survey sheet: groups become sections, notes their text, questions convert.

What the respondent never sees (calculate, hidden, metadata) and what a web form
here cannot ask (repeats, geopoints, media, choices from a file) is left out with a
note naming its row; only a question that another row's condition needs is refused.
``_SurveyRows`` is mixed into the converter, which supplies ``report``, ``texts``,
``fixed`` and the question rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from surveyapp.errors import Problem
from surveyapp.xlsform.conditions import ALWAYS, Shown
from surveyapp.xlsform.questions import _QuestionRows, classify
from surveyapp.xlsform.reading import _key, _Sheet

#: Columns of the survey sheet that are read.
USED = {
    "type", "name", "label", "hint", "required", "relevant", "constraint", "appearance",
    "parameters",
}  # fmt: skip


@dataclass
class _Group:
    name: str
    title: dict[str, str]
    shown: Shown
    row: int
    repeat: bool = False
    dropped: int = 0  # rows left out inside a repeat


@dataclass
class _Walk:
    sections: list[dict[str, Any]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    groups: list[_Group] = field(default_factory=list)
    current: list[dict[str, Any]] | None = None
    notes: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # waiting text


class _SurveyRows(_QuestionRows):
    if TYPE_CHECKING:

        def note(self, sheet: _Sheet, cell: str, message: str) -> None: ...

    def sections(self, survey: _Sheet) -> list[dict[str, Any]]:
        type_col, name_col = survey.column("type"), survey.column("name")
        if type_col is None or name_col is None:
            self.report(survey, "A1", Problem("the survey sheet needs 'type' and 'name' columns"))
            return []
        walk = _Walk()
        for row, values in survey.rows:
            self.survey_row(survey, walk, row, values, type_col, name_col)
        for group in walk.groups:
            if group.repeat:
                message = Problem("repeat '%(name)s' has no end", name=group.name)
            else:
                message = Problem("group '%(name)s' has no end", name=group.name)
            self.report(survey, survey.cell(group.row, type_col), message)
        for row, _text in walk.notes:
            self.note(
                survey,
                survey.cell(row, type_col),
                Problem(
                    "a note after the last question is dropped: no question follows to show it with"
                ),
            )
        kept = [s for s in walk.sections if s["questions"]]
        if not kept and not any(issue.fatal for issue in self.issues):  # type: ignore[attr-defined]
            self.report(survey, "", Problem("the form has no question that can be converted"))
        return kept

    def survey_row(
        self, survey: _Sheet, walk: _Walk, row: int, values: list[str], type_col: int,
        name_col: int,
    ) -> None:  # fmt: skip
        kind, name = values[type_col], values[name_col]
        type_cell = survey.cell(row, type_col)
        if not kind:
            if any(values):
                self.report(survey, type_cell, Problem("row '%(name)s' has no type", name=name))
            return
        plain = re.sub(r"[\s_]+", " ", kind.lower()).strip()
        # pyxform's older "begin loop over LIST" repeats its rows once per choice.
        plain = re.sub(r"^begin loop over .+$", "begin repeat", plain)
        plain = "end repeat" if plain == "end loop" else plain
        repeat = next((g for g in walk.groups if g.repeat), None)
        if repeat is not None:
            # Inside a repeat: every row is left out, nested groups still counted.
            if plain in ("begin group", "begin repeat"):
                walk.groups.append(_Group(name, {}, ALWAYS, row, repeat=plain == "begin repeat"))
            elif plain in ("end group", "end repeat"):
                self.end_group(survey, walk, row, plain, type_cell)
            else:
                repeat.dropped += 1
                if name:
                    self.dropped[name] = (
                        f"{survey.title}!{type_cell}",
                        Problem("inside repeat '%(name)s'", name=repeat.name),
                    )
            return
        if plain in ("begin group", "begin repeat"):
            self.begin_group(survey, walk, row, values, name, plain == "begin repeat")
            return
        if plain in ("end group", "end repeat"):
            self.end_group(survey, walk, row, plain, type_cell)
            return
        appearance_col = survey.column("appearance")
        appearance = values[appearance_col] if appearance_col is not None else ""
        found = classify(kind, appearance)
        if found.refused is not None:
            self.report(survey, type_cell, found.refused)
            return
        if found.dropped is not None:
            self.dropped[name] = (
                f"{survey.title}!{type_cell}",
                Problem("%(type)s: %(why)s", type=kind, why=found.dropped),
            )
            self.note(
                survey,
                type_cell,
                Problem(
                    "%(type)s '%(name)s' is dropped: %(why)s",
                    type=kind,
                    name=name,
                    why=found.dropped,
                ),
            )
            return
        inherited = walk.groups[-1].shown if walk.groups else ALWAYS
        if found.our == "note":
            self.note_row(survey, walk, row, values, name, inherited)
            return
        if found.our is None:
            return
        question = self.question(survey, row, values, kind, found.our, found.list_name, inherited)
        if question is None:
            return
        if walk.current is None:
            if walk.groups:
                group = walk.groups[-1]
                walk.current = self.open_section(walk, group.name, group.title)
            else:
                walk.current = self.open_section(
                    walk, "questions", self.fixed("Câu hỏi", "Questions")
                )
        walk.current.append(question)
        if found.other:
            specify = self.or_other(survey, row, name, question)
            if specify is not None:
                walk.current.append(specify)

    def begin_group(
        self, survey: _Sheet, walk: _Walk, row: int, values: list[str], name: str, repeat: bool
    ) -> None:
        type_cell = survey.cell(row, survey.column("type") or 0)
        if repeat:
            walk.groups.append(_Group(name, {}, ALWAYS, row, repeat=True))
            return
        before = sum(issue.fatal for issue in self.issues)  # type: ignore[attr-defined]
        what = Problem("group '%(name)s'", name=name)
        title = self.texts(survey, row, values, "label", what, required=False)
        if title is None and before < sum(i.fatal for i in self.issues):  # type: ignore[attr-defined]
            title = {}  # reported: a translation is missing
        elif title is None:
            title = self.fixed(name or "…", name or "…")
            self.note(
                survey,
                type_cell,
                Problem("group '%(name)s' has no label; its title is its name", name=name),
            )
        inherited = walk.groups[-1].shown if walk.groups else ALWAYS
        shown = self.shown(survey, row, values, what, inherited)
        walk.groups.append(_Group(name, title, shown or inherited, row))
        walk.current = None

    def end_group(self, survey: _Sheet, walk: _Walk, row: int, plain: str, type_cell: str) -> None:
        if not walk.groups:
            self.report(survey, type_cell, Problem("%(type)s without a begin", type=plain))
            return
        group = walk.groups.pop()
        if group.repeat and not any(g.repeat for g in walk.groups):
            self.note(
                survey,
                survey.cell(group.row, survey.column("type") or 0),
                Problem(
                    "repeat '%(name)s' (rows %(first)s-%(last)s) is dropped with its %(count)s "
                    "row(s): a questionnaire here asks each question once",
                    name=group.name,
                    first=group.row,
                    last=row,
                    count=group.dropped,
                ),
            )
        walk.current = None

    def note_row(
        self, survey: _Sheet, walk: _Walk, row: int, values: list[str], name: str,
        inherited: Shown,
    ) -> None:  # fmt: skip
        """A note becomes the text at the top of the questions that follow it."""
        type_cell = survey.cell(row, survey.column("type") or 0)
        what = Problem("note '%(name)s'", name=name)
        text = self.texts(survey, row, values, "label", what, required=False)
        if text is None:
            self.note(
                survey, type_cell, Problem("note '%(name)s' has no label and is dropped", name=name)
            )
            return
        relevant = survey.column("relevant")
        if (relevant is not None and values[relevant]) or inherited is not ALWAYS:
            self.note(
                survey,
                type_cell,
                Problem(
                    "note '%(name)s' is shown as a section's text to everyone: a section's text "
                    "has no condition",
                    name=name,
                ),
            )
        else:
            self.note(
                survey,
                type_cell,
                Problem("note '%(name)s' is shown as text above the questions after it", name=name),
            )
        walk.notes.append((row, text))
        walk.current = None  # the questions after it start a section that shows it

    def open_section(self, walk: _Walk, name: str, title: dict[str, str]) -> list[dict[str, Any]]:
        key, n = _key(name, "s"), 2
        base = key
        while key in walk.keys:
            key, n = f"{base[:58]}_{n}", n + 1
        walk.keys.add(key)
        questions: list[dict[str, Any]] = []
        section: dict[str, Any] = {"key": key, "kind": "general", "title": title}
        if walk.notes:
            langs = walk.notes[0][1].keys()
            section["description"] = {
                lang: "\n\n".join(text[lang] for _row, text in walk.notes if lang in text)
                for lang in langs
            }
            walk.notes.clear()
        section["questions"] = questions
        walk.sections.append(section)
        return questions
