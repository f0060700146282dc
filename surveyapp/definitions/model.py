"""The parsed questionnaire: frozen dataclasses, derived views and the canonical dict form.

Objects here are only built by the validator (``validate.build``), so they always hold
a valid definition with defaults filled in. ``Questionnaire.to_dict`` gives the
canonical plain form stored per version; ``Questionnaire.from_dict`` validates it back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

LANGUAGES = ("vi", "en")
SECTION_KINDS = ("dimension", "profile", "general")
FORMAT_VERSION = 1
#: Names a question key may not take in a new definition: the fixed columns of the
#: raw-data exports (CSV, XLSX, SPSS) and of the paper-form import, which would
#: otherwise share a column name with the question. Stored versions keep any key.
RESERVED_KEYS = ("response_id", "agency", "submitted_at", "channel")
#: Service facts a question may record (``fact:``), with the question types each takes;
#: reports break satisfaction down by them (``reporting.facts``).
FACTS: dict[str, tuple[str, ...]] = {
    "late": ("single_choice",),
    "trips": ("single_choice", "number"),
    "procedure": ("single_choice", "short_text"),
    "channel": ("single_choice",),
}


@dataclass(frozen=True)
class Text:
    """A text in Vietnamese and English, or in only one of them.

    ``langs`` lists the languages written; a language not written reads as the one
    that is (``vi`` and ``en`` always hold a text), so every label falls back to what
    exists. ``to_dict`` gives only what was written.
    """

    vi: str
    en: str
    langs: tuple[str, ...] = LANGUAGES

    def get(self, lang: str) -> str:
        """Return the text in ``lang``; any language but "en" gives Vietnamese."""
        return self.en if lang == "en" else self.vi

    def to_dict(self) -> dict[str, str]:
        return {lang: self.get(lang) for lang in self.langs}

    @classmethod
    def of(cls, values: Mapping[str, str]) -> Text:
        """Build a text from ``{lang: text}`` holding one or both languages."""
        langs = tuple(lang for lang in LANGUAGES if values.get(lang))
        if not langs:
            raise ValueError("a text needs at least one language")
        vi = values.get("vi") or values[langs[0]]
        en = values.get("en") or values[langs[0]]
        return cls(vi=vi, en=en, langs=langs)


#: Label of the extra answer added to likert items with ``allow_na``.
NA_LABEL = Text(vi="Không áp dụng", en="Not applicable")
#: The raw answer that means "not applicable".
NA_VALUE = "na"


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as stored: a number, a text, or "not applicable" (both None)."""

    value_num: float | None = None
    value_text: str | None = None
    is_na: bool = False


@dataclass(frozen=True)
class ScaleStep:
    value: int
    label: Text


@dataclass(frozen=True)
class Scale:
    """A named answer scale for likert items; values strictly increase."""

    key: str
    steps: tuple[ScaleStep, ...]

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(step.value for step in self.steps)

    @property
    def min(self) -> int:
        return self.steps[0].value

    @property
    def max(self) -> int:
        return self.steps[-1].value

    def to_dict(self) -> list[dict[str, Any]]:
        return [{"value": s.value, "label": s.label.to_dict()} for s in self.steps]


@dataclass(frozen=True)
class Option:
    key: str
    label: Text
    #: Choosing this option raises an immediate alert to the agency's recipients
    #: (an informal payment asked for, harassment).
    alert: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "label": self.label.to_dict()}
        if self.alert:
            out["alert"] = True
        return out


@dataclass(frozen=True)
class ShowIf:
    """Show a question only when an earlier item's answer is one of ``values``.

    ``operator`` records how it was written: "equals" (one value) or "in". For a
    multiple_choice item the condition holds when any chosen option is in ``values``.
    """

    question: str
    values: tuple[str | int, ...]
    operator: str = "equals"

    def to_dict(self) -> dict[str, Any]:
        if self.operator == "equals":
            return {"question": self.question, "equals": self.values[0]}
        return {"question": self.question, "in": list(self.values)}


@dataclass(frozen=True)
class GridRow:
    """One row of a likert_grid: an answerable likert item with a global key."""

    key: str
    text: Text
    help: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "text": self.text.to_dict()}
        if self.help is not None:
            out["help"] = self.help.to_dict()
        return out


@dataclass(frozen=True)
class Question:
    """A question as written; fields a type does not use keep their empty value."""

    key: str
    type: str
    text: Text
    help: Text | None = None
    required: bool = False
    show_if: ShowIf | None = None
    scale: str | None = None
    allow_na: bool = False
    options: tuple[Option, ...] = ()
    rows: tuple[GridRow, ...] = ()
    min: int | float | None = None
    max: int | float | None = None
    integer: bool = False
    max_length: int | None = None
    low_label: Text | None = None
    high_label: Text | None = None
    #: The service fact the answer records (a key of ``FACTS``), if any.
    fact: str | None = None
    #: How a likert item is shown (``faces``); None: the default radio buttons.
    display: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "type": self.type,
            "text": self.text.to_dict(),
            "required": self.required,
        }
        optional: dict[str, Any] = {
            "help": self.help.to_dict() if self.help else None,
            "show_if": self.show_if.to_dict() if self.show_if else None,
            "scale": self.scale,
            "allow_na": self.allow_na or None,
            "options": [o.to_dict() for o in self.options],
            "items": [row.to_dict() for row in self.rows],
            "min": self.min,
            "max": self.max,
            "integer": self.integer or None,
            "max_length": self.max_length,
            "low_label": self.low_label.to_dict() if self.low_label else None,
            "high_label": self.high_label.to_dict() if self.high_label else None,
            "fact": self.fact,
            "display": self.display,
        }
        out.update((k, v) for k, v in optional.items() if v is not None and v != [])
        return out


@dataclass(frozen=True)
class Section:
    key: str
    kind: str
    title: Text
    questions: tuple[Question, ...]
    description: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "kind": self.kind, "title": self.title.to_dict()}
        if self.description is not None:
            out["description"] = self.description.to_dict()
        out["questions"] = [q.to_dict() for q in self.questions]
        return out


@dataclass(frozen=True)
class Scoring:
    """How the satisfaction index and outcome items are computed.

    ``index_dimensions`` lists the dimension sections in the index (all by default).
    """

    satisfied_values: tuple[int, ...]
    index_method: str = "sipas"
    index_dimensions: tuple[str, ...] = ()
    overall: str | None = None
    nps: str | None = None
    min_n: int = 30
    #: the method profile (``analysis.method.PROFILES``) named in ``scoring.method``
    method: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "satisfied_values": list(self.satisfied_values),
            "index": {"method": self.index_method, "dimensions": list(self.index_dimensions)},
            "min_n": self.min_n,
        }
        if self.overall is not None:
            out["overall"] = self.overall
        if self.nps is not None:
            out["nps"] = self.nps
        if self.method is not None:
            out["method"] = self.method
        return out


@dataclass(frozen=True)
class WeightTarget:
    """Population shares of the options of one single_choice item."""

    variable: str
    shares: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Weighting:
    method: str
    targets: tuple[WeightTarget, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "targets": {t.variable: dict(t.shares) for t in self.targets},
        }


@dataclass(frozen=True)
class Item:
    """One answerable item: a question, or a row of a likert_grid.

    ``question`` is the key of the question it belongs to (its own key unless it is a
    grid row, whose ``stem`` is then the grid's text). ``dimension`` is the section key
    when the section is a dimension, else None.
    """

    key: str
    type: str
    question: str
    section: str
    dimension: str | None
    text: Text
    help: Text | None = None
    stem: Text | None = None
    required: bool = False
    allow_na: bool = False
    show_if: ShowIf | None = None
    scale: Scale | None = None
    options: tuple[Option, ...] = ()
    min: int | float | None = None
    max: int | float | None = None
    integer: bool = False
    max_length: int | None = None
    low_label: Text | None = None
    high_label: Text | None = None
    fact: str | None = None
    #: How a likert item is shown (``faces``); None: the default radio buttons.
    display: str | None = None

    @property
    def min_value(self) -> int | float | None:
        """Lowest accepted numeric answer (scale, 0 for rating, ``min`` for number)."""
        if self.scale is not None:
            return self.scale.min
        return 0 if self.type == "rating" else self.min

    @property
    def max_value(self) -> int | float | None:
        """Highest accepted numeric answer (scale, 10 for rating, ``max`` for number)."""
        if self.scale is not None:
            return self.scale.max
        return 10 if self.type == "rating" else self.max

    @property
    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)


@dataclass(frozen=True)
class Dimension:
    """A dimension section with the keys of its scored (likert) items, in order."""

    key: str
    title: Text
    items: tuple[str, ...]


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire definition."""

    slug: str
    title: Text
    sections: tuple[Section, ...]
    description: Text | None = None
    default_language: str = "vi"
    scales: tuple[Scale, ...] = ()
    scoring: Scoring | None = None
    weighting: Weighting | None = None
    #: Days after which free-text answers and dossier codes are erased (None: kept).
    retention_days: int | None = None
    #: The languages every text is written in (``languages:``; both when absent).
    languages: tuple[str, ...] = LANGUAGES
    format: int = FORMAT_VERSION

    @cached_property
    def _items(self) -> tuple[Item, ...]:
        scales = {s.key: s for s in self.scales}
        items: list[Item] = []
        for section in self.sections:
            dimension = section.key if section.kind == "dimension" else None
            for q in section.questions:
                scale = scales.get(q.scale) if q.scale else None
                common: dict[str, Any] = {
                    "question": q.key,
                    "section": section.key,
                    "dimension": dimension,
                    "required": q.required,
                    "allow_na": q.allow_na,
                    "show_if": q.show_if,
                    "scale": scale,
                }
                if q.rows:
                    # A likert_grid is a compact way to write likert items on one scale.
                    items.extend(
                        Item(
                            key=r.key,
                            type="likert",
                            text=r.text,
                            help=r.help,
                            stem=q.text,
                            **common,
                        )
                        for r in q.rows
                    )
                    continue
                items.append(
                    Item(
                        key=q.key,
                        type=q.type,
                        text=q.text,
                        help=q.help,
                        options=q.options,
                        min=q.min,
                        max=q.max,
                        integer=q.integer,
                        max_length=q.max_length,
                        low_label=q.low_label,
                        high_label=q.high_label,
                        fact=q.fact,
                        display=q.display,
                        **common,
                    )
                )
        return tuple(items)

    @cached_property
    def _item_index(self) -> dict[str, Item]:
        return {item.key: item for item in self._items}

    def items(self) -> tuple[Item, ...]:
        """Return every answerable item in order; grids expand into their rows."""
        return self._items

    def item(self, key: str) -> Item:
        """Return the item ``key``; raise KeyError when there is none."""
        return self._item_index[key]

    def fact_item(self, fact: str) -> Item | None:
        """Return the item tagged ``fact: <fact>``, if any."""
        return next((i for i in self._items if i.fact == fact), None)

    def scale(self, key: str) -> Scale:
        """Return the scale ``key``; raise KeyError when there is none."""
        for scale in self.scales:
            if scale.key == key:
                return scale
        raise KeyError(key)

    def dimensions(self) -> tuple[Dimension, ...]:
        """Return the dimension sections with their scored likert item keys."""
        return tuple(
            Dimension(
                key=section.key,
                title=section.title,
                items=tuple(
                    i.key for i in self._items if i.section == section.key and i.type == "likert"
                ),
            )
            for section in self.sections
            if section.kind == "dimension"
        )

    def scored_items(self) -> tuple[Item, ...]:
        """Return the likert items of dimension sections, in order."""
        return tuple(i for i in self._items if i.dimension is not None and i.type == "likert")

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical plain form (JSON-ready, defaults filled in)."""
        out: dict[str, Any] = {
            "format": self.format,
            "slug": self.slug,
            "title": self.title.to_dict(),
        }
        if self.description is not None:
            out["description"] = self.description.to_dict()
        if self.languages != LANGUAGES:
            # Written only for a one-language questionnaire: bilingual versions stored
            # before the field keep their canonical form (and content hash).
            out["languages"] = list(self.languages)
        out["default_language"] = self.default_language
        if self.scales:
            out["scales"] = {s.key: s.to_dict() for s in self.scales}
        out["sections"] = [s.to_dict() for s in self.sections]
        if self.scoring is not None:
            out["scoring"] = self.scoring.to_dict()
        if self.weighting is not None:
            out["weighting"] = self.weighting.to_dict()
        if self.retention_days is not None:
            out["retention"] = {"days": self.retention_days}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Questionnaire:
        """Validate a dict made by ``to_dict`` back into a Questionnaire.

        Raises DefinitionError (positions are JSON pointers) when ``data`` is invalid.
        """
        # Imported here: the validator builds these classes, so it imports this module.
        from surveyapp.definitions.validate import build_from_plain

        return build_from_plain(data)

    @cached_property
    def content_hash(self) -> str:
        """Return the SHA-256 hex digest of the canonical JSON of ``to_dict()``.

        Comments, formatting, key order, quoting and omitted defaults do not change it;
        any change of meaning (a word of a translation, an option, a rule, the slug) does.
        """
        return hashlib.sha256(canonical_json(self.to_dict()).encode("utf-8")).hexdigest()


def canonical_json(data: Any) -> str:
    """Serialise ``data`` as compact JSON with sorted keys, keeping non-ASCII characters."""
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
