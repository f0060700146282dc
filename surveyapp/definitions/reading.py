"""Reading the sections, questions, scales and show_if conditions of a marked YAML tree.

The reader records what the cross-reference checks (``references``) need afterwards: which
question claimed each key and where, and where each show_if and section was written.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from surveyapp.definitions.fields import Ctx
from surveyapp.definitions.model import (
    FACTS,
    SECTION_KINDS,
    Question,
    Scale,
    ScaleStep,
    Section,
    ShowIf,
)
from surveyapp.definitions.types import QUESTION_TYPES
from surveyapp.definitions.yamlsource import Mark, MNode, MScalar

MAX_SCALE_STEPS = 11

_COMMON_REQUIRED = ("key", "type", "text")
_COMMON_OPTIONAL = ("help", "required", "show_if", "fact")


@dataclass
class Claim:
    mark: Mark
    position: int  # index of the question that owns the key
    question: str  # that question's key


@dataclass
class ShowIfMarks:
    question: Mark
    values: tuple[Mark, ...]
    position: int


class Reader:
    """Reads the parts of one definition; implements ``types.Env`` for the question types."""

    def __init__(self, ctx: Ctx, *, reserved: Collection[str] = ()) -> None:
        self.ctx = ctx
        #: Keys a question may not take (RESERVED_KEYS for a new definition).
        self.reserved = frozenset(reserved)
        self._scales: dict[str, Scale] = {}
        self._declared_scales: set[str] = set()
        self.claims: dict[str, Claim] = {}
        self.position = -1
        self.current_question = ""
        self.show_if_marks: dict[str, ShowIfMarks] = {}
        #: fact -> the question key it is on (each fact once per questionnaire).
        self.facts: dict[str, str] = {}
        self.section_marks: dict[str, Mark] = {}

    @property
    def scales(self) -> Mapping[str, Scale]:
        return self._scales

    @property
    def declared_scales(self) -> Collection[str]:
        return self._declared_scales

    def claim_key(self, key: str, mark: Mark) -> None:
        if key in self.reserved:
            self.ctx.add(
                mark,
                f"question key {key!r} is reserved: the raw-data exports and the paper-form "
                f"import have a column of that name ({', '.join(sorted(self.reserved))}); "
                "choose another key",
            )
        first = self.claims.get(key)
        if first is not None:
            self.ctx.add(
                mark, f"duplicate question key {key!r} (first used at line {first.mark.line})"
            )
            return
        self.claims[key] = Claim(mark, self.position, self.current_question)

    # -- scales, sections and questions ----------------------------------------------

    def read_scales(self, node: MNode | None) -> None:
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

    def read_sections(self, node: MNode | None) -> list[Section]:
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
        fact = self._read_fact(m.get("fact"), what, type_name)
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
            fact=fact,
            **{k: v for k, v in extra.items() if v is not None},
        )

    def _read_fact(self, node: MNode | None, what: str, type_name: str | None) -> str | None:
        """Read ``fact:``: a known fact, on a question type that can record it, once."""
        fact = self.ctx.choice(node, f"fact of {what}", list(FACTS))
        if fact is None or node is None:
            return None
        if type_name is not None and type_name not in FACTS[fact]:
            self.ctx.add(
                node.mark,
                f"fact {fact!r} of {what} needs a question of type {' or '.join(FACTS[fact])}",
            )
            return None
        if fact in self.facts:
            self.ctx.add(node.mark, f"fact {fact!r} of {what} is already on {self.facts[fact]!r}")
            return None
        self.facts[fact] = self.current_question
        return fact

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
        self.show_if_marks[key] = ShowIfMarks(
            ref_node.mark, tuple(n.mark for n in value_nodes), self.position
        )
        return ShowIf(question=ref, values=tuple(values), operator=operator)
