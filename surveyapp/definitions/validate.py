"""Checking a marked YAML tree and building the Questionnaire from it.

Every problem is collected (none stops the walk), then sorted by position. Parts that
fail are skipped, so cross-reference checks still run on what could be read; only a
definition without problems is returned.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from surveyapp.definitions.errors import DefinitionError, Problem
from surveyapp.definitions.fields import Ctx, suggest
from surveyapp.definitions.model import (
    FORMAT_VERSION,
    LANGUAGES,
    SECTION_KINDS,
    Question,
    Questionnaire,
    Scale,
    ScaleStep,
    Scoring,
    Section,
    ShowIf,
    Weighting,
    WeightTarget,
)
from surveyapp.definitions.types import QUESTION_TYPES
from surveyapp.definitions.yamlsource import Mark, MMap, MNode, MScalar, MSeq, from_plain

SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
SUFFIXES = (".yaml", ".yml", ".json")
TITLE_MAX = 300
INDEX_METHODS = ("sipas",)
WEIGHTING_METHODS = ("raking", "poststratification")
SHARE_TOLERANCE = 1e-3
MAX_SCALE_STEPS = 11

_TOP_REQUIRED = ("format", "title", "sections")
_TOP_OPTIONAL = ("description", "default_language", "scales", "scoring", "weighting")
_COMMON_REQUIRED = ("key", "type", "text")
_COMMON_OPTIONAL = ("help", "required", "show_if")


def slug_of(filename: str) -> str:
    """Return the slug of a definition file: its name without the extension."""
    name = PurePath(filename).name
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class _Claim:
    mark: Mark
    position: int  # index of the question that owns the key
    question: str  # that question's key


@dataclass
class _ShowIfMarks:
    question: Mark
    values: tuple[Mark, ...]
    position: int


class _Builder:
    """Reads one definition; implements ``types.Env`` for the question types."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self._scales: dict[str, Scale] = {}
        self._declared_scales: set[str] = set()
        self.claims: dict[str, _Claim] = {}
        self.position = -1
        self.current_question = ""
        self.show_if_marks: dict[str, _ShowIfMarks] = {}
        self.section_marks: dict[str, Mark] = {}

    @property
    def scales(self) -> Mapping[str, Scale]:
        return self._scales

    @property
    def declared_scales(self) -> Collection[str]:
        return self._declared_scales

    def claim_key(self, key: str, mark: Mark) -> None:
        first = self.claims.get(key)
        if first is not None:
            self.ctx.add(
                mark, f"duplicate question key {key!r} (first used at line {first.mark.line})"
            )
            return
        self.claims[key] = _Claim(mark, self.position, self.current_question)

    # -- top level -------------------------------------------------------------------

    def build(self, root: MNode, slug: str) -> Questionnaire | None:
        ctx = self.ctx
        if not SLUG_PATTERN.fullmatch(slug):
            ctx.add(
                Mark(1, 1),
                f"slug {slug!r} (the file name) must be 1-64 lowercase ASCII letters, "
                "digits, '-' or '_', starting with a letter or digit",
            )
        if not isinstance(root, MMap):
            kind = "a list" if isinstance(root, MSeq) else "a single value"
            ctx.add(
                root.mark, f"the top level must be a mapping of questionnaire fields, not {kind}"
            )
            return None
        ctx.fields(root, "the questionnaire", _TOP_REQUIRED, _TOP_OPTIONAL)
        fmt = ctx.integer(root.get("format"), "format")
        format_node = root.get("format")
        if fmt is not None and fmt != FORMAT_VERSION and format_node is not None:
            ctx.add(format_node.mark, f"unsupported format {fmt}; this version reads format 1")
        title = ctx.text(root.get("title"), "title", max_length=TITLE_MAX)
        description = ctx.text(root.get("description"), "description")
        language = ctx.choice(root.get("default_language"), "default_language", LANGUAGES)
        self._read_scales(root.get("scales"))
        sections = self._read_sections(root.get("sections"))
        partial = Questionnaire(
            slug=slug,
            title=title or _NO_TEXT,
            sections=tuple(sections),
            description=description,
            default_language=language or "vi",
            scales=tuple(self._scales.values()),
        )
        self._check_show_if(partial)
        self._check_dimensions(partial)
        scoring = self._read_scoring(root.get("scoring"), partial)
        weighting = self._read_weighting(root.get("weighting"), partial)
        if ctx.problems or title is None:
            return None
        return Questionnaire(
            slug=slug,
            title=title,
            sections=tuple(sections),
            description=description,
            default_language=language or "vi",
            scales=tuple(self._scales.values()),
            scoring=scoring,
            weighting=weighting,
        )

    def _read_scales(self, node: MNode | None) -> None:
        ctx = self.ctx
        scales = ctx.mapping(node, "scales")
        for name, entry in scales.entries.items() if scales else ():
            self._declared_scales.add(name)
            key = ctx.key(MScalar(name, entry.key_mark), "scale name")
            what = f"scale {name!r}"
            seq = ctx.sequence(entry.value, what)
            if key is None or seq is None:
                continue
            steps: list[ScaleStep] = []
            for step_node in seq.items:
                sm = ctx.mapping(step_node, f"step of {what}")
                if sm is None:
                    continue
                ctx.fields(sm, f"step of {what}", ("value", "label"))
                value_node = sm.get("value")
                value = ctx.integer(value_node, f"value of a step of {what}", -100, 100)
                label = ctx.text(sm.get("label"), f"label of a step of {what}")
                if (
                    value is not None
                    and steps
                    and value <= steps[-1].value
                    and value_node is not None
                ):
                    ctx.add(
                        value_node.mark,
                        f"values of {what} must increase ({value} follows {steps[-1].value})",
                    )
                    continue
                if value is not None and label is not None:
                    steps.append(ScaleStep(value, label))
            if not 2 <= len(seq.items) <= MAX_SCALE_STEPS:
                ctx.add(seq.mark, f"{what} must have from 2 to {MAX_SCALE_STEPS} steps")
            elif len(steps) == len(seq.items):
                self._scales[key] = Scale(key, tuple(steps))

    def _read_sections(self, node: MNode | None) -> list[Section]:
        ctx = self.ctx
        sections: list[Section] = []
        seen: dict[str, Mark] = {}
        seq = ctx.sequence(node, "sections")
        for section_node in seq.items if seq else ():
            sm = ctx.mapping(section_node, "a section")
            if sm is None:
                continue
            key_node = sm.get("key")
            key = ctx.key(key_node, "section key")
            what = f"section {key!r}" if key else "a section"
            ctx.fields(sm, what, ("key", "title", "questions"), ("kind", "description"))
            kind = ctx.choice(sm.get("kind"), "section kind", SECTION_KINDS)
            title = ctx.text(sm.get("title"), f"title of {what}")
            description = ctx.text(sm.get("description"), f"description of {what}")
            questions = self._read_questions(sm.get("questions"), what)
            if key is None or key_node is None:
                continue
            if key in seen:
                ctx.add(
                    key_node.mark,
                    f"duplicate section key {key!r} (first used at line {seen[key].line})",
                )
                continue
            seen[key] = key_node.mark
            self.section_marks[key] = sm.mark
            if title is not None:
                sections.append(
                    Section(
                        key=key,
                        kind=kind or "general",
                        title=title,
                        questions=tuple(questions),
                        description=description,
                    )
                )
        return sections

    def _read_questions(self, node: MNode | None, section: str) -> list[Question]:
        seq = self.ctx.sequence(node, f"questions of {section}")
        questions = (self._read_question(q) for q in (seq.items if seq else ()))
        return [q for q in questions if q is not None]

    def _read_question(self, node: MNode) -> Question | None:
        ctx = self.ctx
        m = ctx.mapping(node, "a question")
        if m is None:
            return None
        self.position += 1
        key_node = m.get("key")
        key = ctx.key(key_node, "question key")
        what = f"question {key!r}" if key else "a question"
        self.current_question = key or ""
        type_name = ctx.choice(m.get("type"), "question type", list(QUESTION_TYPES))
        qtype = QUESTION_TYPES.get(type_name or "")
        if qtype is None:
            ctx.fields(m, what, _COMMON_REQUIRED, check_unknown=False)
        else:
            ctx.fields(
                m,
                what,
                (*_COMMON_REQUIRED, *qtype.required_fields),
                (*_COMMON_OPTIONAL, *qtype.optional_fields),
            )
        text = ctx.text(m.get("text"), f"text of {what}")
        help_ = ctx.text(m.get("help"), f"help of {what}")
        required = ctx.boolean(m.get("required"), f"required of {what}")
        show_if = self._read_show_if(m.get("show_if"), what, key)
        if key is not None and key_node is not None:
            self.claim_key(key, key_node.mark)
        if qtype is None:
            return None
        extra = qtype.read(m, ctx, what, self)
        if key is None or text is None or type_name is None:
            return None
        return Question(
            key=key,
            type=type_name,
            text=text,
            help=help_,
            required=bool(required),
            show_if=show_if,
            **{k: v for k, v in extra.items() if v is not None},
        )

    def _read_show_if(self, node: MNode | None, what: str, key: str | None) -> ShowIf | None:
        ctx = self.ctx
        m = ctx.mapping(node, f"show_if of {what}")
        if m is None:
            return None
        ctx.fields(m, f"show_if of {what}", ("question",), ("equals", "in"))
        ref_node = m.get("question")
        ref = ctx.key(ref_node, "question key")
        operators = [name for name in ("equals", "in") if name in m.entries]
        if len(operators) != 1:
            ctx.add(m.mark, f"show_if of {what} needs exactly one of 'equals' or 'in'")
            return None
        operator = operators[0]
        value_nodes: tuple[MNode, ...]
        if operator == "in":
            seq = ctx.sequence(m.get("in"), f"'in' of show_if of {what}")
            if seq is None:
                return None
            value_nodes = seq.items
        else:
            equals = m.get("equals")
            value_nodes = (equals,) if equals is not None else ()
        values: list[str | int] = []
        for value_node in value_nodes:
            value = value_node.value if isinstance(value_node, MScalar) else None
            if isinstance(value, bool) or not isinstance(value, str | int):
                ctx.add(
                    value_node.mark,
                    f"show_if values of {what} must be option keys or whole numbers",
                )
                return None
            values.append(value)
        if ref is None or ref_node is None or key is None:
            return None
        self.show_if_marks[key] = _ShowIfMarks(
            ref_node.mark, tuple(n.mark for n in value_nodes), self.position
        )
        return ShowIf(question=ref, values=tuple(values), operator=operator)

    # -- cross references ------------------------------------------------------------

    def _check_show_if(self, partial: Questionnaire) -> None:
        ctx = self.ctx
        items = {item.key: item for item in partial.items()}
        for section in partial.sections:
            for question in section.questions:
                condition, marks = question.show_if, self.show_if_marks.get(question.key)
                if condition is None or marks is None:
                    continue
                ref, at = condition.question, marks.question
                claim = self.claims.get(ref)
                prefix = f"show_if of {question.key!r}"
                if claim is None:
                    ctx.add(
                        at,
                        f"{prefix} refers to unknown question {ref!r}{suggest(ref, self.claims)}",
                    )
                elif claim.position == marks.position:
                    ctx.add(at, f"{prefix} refers to the question itself")
                elif claim.position > marks.position:
                    ctx.add(
                        at,
                        f"{prefix} refers to {ref!r}, which comes later; "
                        "a condition may only refer to an earlier question",
                    )
                elif ref in items:
                    item = items[ref]
                    allowed = QUESTION_TYPES[item.type].condition_values(item)
                    if allowed is None:
                        ctx.add(
                            at,
                            f"{prefix} refers to {item.type} question {ref!r}; conditions can "
                            "only test likert, rating, single_choice or multiple_choice answers",
                        )
                        continue
                    for value, value_mark in zip(condition.values, marks.values, strict=True):
                        if value not in allowed:
                            listed = ", ".join(str(v) for v in allowed)
                            ctx.add(
                                value_mark,
                                f"{prefix}: {value!r} is not an option of {ref!r} "
                                f"(expected one of: {listed})",
                            )
                elif any(q.key == ref and q.rows for s in partial.sections for q in s.questions):
                    ctx.add(
                        at, f"{prefix} refers to likert_grid {ref!r}; refer to one of its items"
                    )

    def _check_dimensions(self, partial: Questionnaire) -> None:
        for dimension in partial.dimensions():
            if not dimension.items:
                self.ctx.add(
                    self.section_marks[dimension.key],
                    f"dimension section {dimension.key!r} has no likert items to score",
                )

    def _read_scoring(self, node: MNode | None, partial: Questionnaire) -> Scoring | None:
        ctx = self.ctx
        m = ctx.mapping(node, "scoring")
        if m is None:
            return None
        ctx.fields(m, "scoring", ("satisfied_values",), ("index", "overall", "nps", "min_n"))
        dimensions = [d.key for d in partial.dimensions()]
        if not dimensions:
            ctx.add(m.mark, "scoring needs at least one section of kind 'dimension'")
        satisfied = self._read_satisfied(m.get("satisfied_values"), partial)
        method, chosen = "sipas", list(dimensions)
        index = ctx.mapping(m.get("index"), "scoring.index")
        if index is not None:
            ctx.fields(index, "scoring.index", (), ("method", "dimensions"))
            method = ctx.choice(index.get("method"), "index method", INDEX_METHODS) or method
            seq = ctx.sequence(index.get("dimensions"), "scoring.index.dimensions")
            if seq is not None:
                chosen = []
                for dim_node in seq.items:
                    dim = ctx.key(dim_node, "dimension key")
                    if dim is None:
                        continue
                    if dim not in dimensions:
                        hint = suggest(dim, dimensions)
                        ctx.add(
                            dim_node.mark,
                            f"scoring.index.dimensions: {dim!r} is not a dimension section{hint}",
                        )
                    elif dim in chosen:
                        ctx.add(dim_node.mark, f"scoring.index.dimensions lists {dim!r} twice")
                    else:
                        chosen.append(dim)
        overall = self._scoring_item(m.get("overall"), "scoring.overall", "likert", partial)
        nps = self._scoring_item(m.get("nps"), "scoring.nps", "rating", partial)
        min_n = ctx.integer(m.get("min_n"), "scoring.min_n", 1, 100000)
        if satisfied is None:
            return None
        return Scoring(
            satisfied_values=satisfied,
            index_method=method,
            index_dimensions=tuple(chosen),
            overall=overall,
            nps=nps,
            min_n=30 if min_n is None else min_n,
        )

    def _read_satisfied(self, node: MNode | None, partial: Questionnaire) -> tuple[int, ...] | None:
        ctx = self.ctx
        seq = ctx.sequence(node, "scoring.satisfied_values")
        if seq is None:
            return None
        values: list[int] = []
        scales = {i.scale.key: i.scale for i in partial.scored_items() if i.scale is not None}
        for value_node in seq.items:
            value = ctx.integer(value_node, "a satisfied value")
            if value is None:
                continue
            if value in values:
                ctx.add(value_node.mark, f"satisfied value {value} is listed twice")
                continue
            for scale in scales.values():
                if value not in scale.values:
                    ctx.add(
                        value_node.mark,
                        f"satisfied value {value} is not on scale {scale.key!r} of scored items",
                    )
            values.append(value)
        return tuple(values) if len(values) == len(seq.items) else None

    def _scoring_item(
        self, node: MNode | None, what: str, kind: str, partial: Questionnaire
    ) -> str | None:
        ctx = self.ctx
        key = ctx.key(node, f"item key of {what}")
        if key is None or node is None:
            return None
        keys = [i.key for i in partial.items()]
        if key not in keys:
            if key not in self.claims:  # else the item has its own problem
                ctx.add(node.mark, f"{what} refers to unknown item {key!r}{suggest(key, keys)}")
            return None
        item = partial.item(key)
        if item.type != kind:
            ctx.add(node.mark, f"{what} must be a {kind} item; {key!r} is {item.type}")
            return None
        return key

    def _read_weighting(self, node: MNode | None, partial: Questionnaire) -> Weighting | None:
        ctx = self.ctx
        m = ctx.mapping(node, "weighting")
        if m is None:
            return None
        ctx.fields(m, "weighting", ("method", "targets"))
        method = ctx.choice(m.get("method"), "weighting method", WEIGHTING_METHODS)
        targets_map = ctx.mapping(m.get("targets"), "weighting.targets")
        targets: list[WeightTarget] = []
        items = {i.key: i for i in partial.items()}
        for variable, entry in targets_map.entries.items() if targets_map else ():
            item = items.get(variable)
            if item is None:
                if variable not in self.claims:
                    hint = suggest(variable, items)
                    ctx.add(
                        entry.key_mark, f"weighting target {variable!r} is not a question{hint}"
                    )
                continue
            if item.type != "single_choice":
                ctx.add(
                    entry.key_mark,
                    f"weighting target {variable!r} must be a single_choice question",
                )
                continue
            shares_map = ctx.mapping(entry.value, f"weighting target {variable!r}")
            if shares_map is None:
                continue
            shares = self._read_shares(shares_map, variable, item.option_keys)
            if shares is not None:
                targets.append(WeightTarget(variable, shares))
        if targets_map is not None and not targets_map.entries:
            ctx.add(targets_map.mark, "weighting.targets must name at least one question")
        if method == "poststratification" and targets_map and len(targets_map.entries) > 1:
            ctx.add(
                targets_map.mark,
                "poststratification takes exactly one target question; use raking for several",
            )
        if method is None or targets_map is None or len(targets) != len(targets_map.entries):
            return None
        return Weighting(method=method, targets=tuple(targets))

    def _read_shares(
        self, m: MMap, variable: str, options: tuple[str, ...]
    ) -> tuple[tuple[str, float], ...] | None:
        ctx = self.ctx
        shares: dict[str, float] = {}
        ok = True
        for option, entry in m.entries.items():
            value = ctx.number(entry.value, f"share of {option!r} in weighting target {variable!r}")
            if option not in options:
                hint = suggest(option, options)
                ctx.add(entry.key_mark, f"{option!r} is not an option of {variable!r}{hint}")
                ok = False
            elif value is None or not 0 < value <= 1:
                if value is not None:
                    ctx.add(entry.value.mark, f"share of {option!r} must be above 0 and at most 1")
                ok = False
            else:
                shares[option] = float(value)
        missing = [o for o in options if o not in m.entries]
        if missing:
            ctx.add(m.mark, f"weighting target {variable!r} has no share for: {', '.join(missing)}")
            ok = False
        if ok and abs(sum(shares.values()) - 1) > SHARE_TOLERANCE:
            ctx.add(
                m.mark,
                f"shares of weighting target {variable!r} sum to {sum(shares.values()):g}, not 1",
            )
            ok = False
        return tuple((o, shares[o]) for o in options) if ok else None


_NO_TEXT: Any = None  # a partial definition may lack a title; it is never returned


def build(root: MNode, file: str, slug: str) -> tuple[Questionnaire | None, list[Problem]]:
    """Check ``root`` and build the Questionnaire; return it (None on problems) and problems."""
    ctx = Ctx(file)
    questionnaire = _Builder(ctx).build(root, slug)
    problems = sorted(ctx.problems, key=lambda p: (p.line, p.column))
    return (questionnaire if not problems else None), problems


def build_from_plain(data: Mapping[str, Any]) -> Questionnaire:
    """Validate a stored ``to_dict()`` form back into a Questionnaire."""
    plain = dict(data)
    slug = plain.pop("slug", None)
    file = f"<stored definition {slug}>"
    if not isinstance(slug, str):
        raise DefinitionError([Problem(file, 1, 1, "stored definition has no 'slug'")])
    root, bad = from_plain(plain)
    if root is None or bad:
        raise DefinitionError(
            [Problem(file, 1, 1, f"value at {path} is not JSON data") for path in bad]
        )
    questionnaire, problems = build(root, file, slug)
    if questionnaire is None:
        raise DefinitionError(problems)
    return questionnaire
