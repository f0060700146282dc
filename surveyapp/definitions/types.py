"""Question types: one class per type, registered in ``QUESTION_TYPES``.

Each type reads and checks its own definition fields and coerces a raw submitted
answer (from the web form, the JSON API or a paper CSV) into a ``StoredAnswer``.
Adding a type means adding a class here and registering it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any, ClassVar, NoReturn, Protocol

from surveyapp.definitions.characters import describe, forbidden
from surveyapp.definitions.errors import AnswerError
from surveyapp.definitions.fields import Ctx
from surveyapp.definitions.model import NA_VALUE, GridRow, Item, Option, Scale, StoredAnswer
from surveyapp.definitions.yamlsource import Mark, MMap

#: Largest magnitude of a number answer: beyond 2**53 floats lose whole numbers.
MAX_NUMBER = 1e15
_WHOLE = re.compile(r"[+-]?[0-9]{1,16}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_RAW_NUMBER = 64

Condition = tuple[str | int, ...]


class Env(Protocol):
    """What a type needs from the definition being read."""

    @property
    def scales(self) -> Mapping[str, Scale]:
        """The valid scales by name."""

    @property
    def declared_scales(self) -> Collection[str]:
        """Every scale name written, valid or not."""

    def claim_key(self, key: str, mark: Mark) -> None:
        """Register an answerable item key (reports duplicates)."""


def _fail(item: Item, en: str, vi: str) -> NoReturn:
    raise AnswerError(item.key, en, vi)


def _bad_format(item: Item) -> NoReturn:
    _fail(item, "This answer has an unexpected format.", "Câu trả lời không đúng định dạng.")


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _whole_number(raw: object) -> int | None:
    """Return ``raw`` as an int when it is one (also "4", 4.0); None otherwise."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if math.isfinite(raw) and raw.is_integer() else None
    if isinstance(raw, str) and _WHOLE.fullmatch(raw.strip()):
        return int(raw.strip())
    return None


class QuestionType:
    """Base class: a question type with no fields of its own."""

    name: ClassVar[str]
    required_fields: ClassVar[tuple[str, ...]] = ()
    optional_fields: ClassVar[tuple[str, ...]] = ()
    #: False for types that are only containers of items (likert_grid).
    answerable: ClassVar[bool] = True

    def read(self, m: MMap, ctx: Ctx, what: str, env: Env) -> dict[str, Any]:
        """Check this type's fields in ``m``; return them as ``Question`` arguments."""
        return {}

    def coerce(self, item: Item, raw: object) -> StoredAnswer | None:
        """Return the stored form of non-empty ``raw``; None means "no answer"."""
        raise NotImplementedError

    def condition_values(self, item: Item) -> Condition | None:
        """Return the values a ``show_if`` on this item may test (None: not allowed)."""
        return None

    def matches(self, answer: StoredAnswer, values: Condition) -> bool:
        """Whether ``answer`` satisfies a ``show_if`` listing ``values``."""
        return False


def _read_scale(m: MMap, ctx: Ctx, what: str, env: Env) -> dict[str, Any]:
    out: dict[str, Any] = {}
    node = m.get("scale")
    name = ctx.key(node, f"scale name of {what}")
    if node is not None and name is not None:
        if name in env.scales:
            out["scale"] = name
        elif name not in env.declared_scales:  # else the scale has its own problem
            known = ", ".join(env.scales) or ("none are valid" if env.declared_scales else "none")
            ctx.add(node.mark, f"{what} uses unknown scale {name!r} (scales: {known})")
    allow_na = ctx.boolean(m.get("allow_na"), f"allow_na of {what}")
    if allow_na is not None:
        out["allow_na"] = allow_na
    return out


#: How a likert item may be shown besides the default row of labelled radio buttons:
#: ``faces``, a large labelled face per step (touch screens at a counter).
LIKERT_DISPLAYS = ("faces",)


class Likert(QuestionType):
    """One answer on a named scale, optionally with "not applicable"."""

    name = "likert"
    required_fields: ClassVar[tuple[str, ...]] = ("scale",)
    optional_fields: ClassVar[tuple[str, ...]] = ("allow_na", "display")

    def read(self, m: MMap, ctx: Ctx, what: str, env: Env) -> dict[str, Any]:
        out = _read_scale(m, ctx, what, env)
        out["display"] = ctx.choice(m.get("display"), f"display of {what}", LIKERT_DISPLAYS)
        return out

    def coerce(self, item: Item, raw: object) -> StoredAnswer | None:
        if isinstance(raw, str) and raw.strip().lower() == NA_VALUE:
            if item.allow_na:
                return StoredAnswer(is_na=True)
            _fail(
                item,
                '"Not applicable" is not an answer to this question.',
                "Câu hỏi này không có lựa chọn “Không áp dụng”.",
            )
        value = _whole_number(raw)
        if item.scale is None:  # pragma: no cover - the validator guarantees a scale
            raise ValueError(f"likert item {item.key!r} has no scale")
        if value is None or value not in item.scale.values:
            lo, hi = item.scale.min, item.scale.max
            _fail(item, f"Choose a value from {lo} to {hi}.", f"Hãy chọn một mức từ {lo} đến {hi}.")
        return StoredAnswer(value_num=float(value))

    def condition_values(self, item: Item) -> Condition | None:
        return item.scale.values if item.scale else None

    def matches(self, answer: StoredAnswer, values: Condition) -> bool:
        return answer.value_num is not None and answer.value_num in values


class LikertGrid(Likert):
    """Several likert items (``items``) sharing one scale; each item is answered alone."""

    name = "likert_grid"
    required_fields = ("scale", "items")
    optional_fields = ("allow_na",)
    answerable = False

    def read(self, m: MMap, ctx: Ctx, what: str, env: Env) -> dict[str, Any]:
        out = _read_scale(m, ctx, what, env)
        rows: list[GridRow] = []
        seq = ctx.sequence(m.get("items"), f"items of {what}")
        for node in seq.items if seq else ():
            row = ctx.mapping(node, f"item of {what}")
            if row is None:
                continue
            key_node = row.get("key")
            key = ctx.key(key_node, "item key")
            row_what = f"item {key!r}" if key else f"item of {what}"
            ctx.fields(row, row_what, ("key", "text"), ("help",))
            text = ctx.text(row.get("text"), f"text of {row_what}")
            help_ = ctx.text(row.get("help"), f"help of {row_what}")
            if key is not None and key_node is not None:
                env.claim_key(key, key_node.mark)
                if text is not None:
                    rows.append(GridRow(key=key, text=text, help=help_))
        out["rows"] = tuple(rows)
        return out


class Rating(QuestionType):
    """A whole number from 0 to 10 (net-promoter style), with optional end labels."""

    name = "rating"
    optional_fields = ("low_label", "high_label")

    def read(self, m: MMap, ctx: Ctx, what: str, env: Env) -> dict[str, Any]:
        return {
            "low_label": ctx.text(m.get("low_label"), f"low_label of {what}"),
            "high_label": ctx.text(m.get("high_label"), f"high_label of {what}"),
        }

    def coerce(self, item: Item, raw: object) -> StoredAnswer | None:
        value = _whole_number(raw)
        if value is None or not 0 <= value <= 10:
            _fail(
                item, "Choose a whole number from 0 to 10.", "Hãy chọn một số nguyên từ 0 đến 10."
            )
        return StoredAnswer(value_num=float(value))

    def condition_values(self, item: Item) -> Condition | None:
        return tuple(range(11))

    def matches(self, answer: StoredAnswer, values: Condition) -> bool:
        return answer.value_num is not None and answer.value_num in values


class SingleChoice(QuestionType):
    """Exactly one option key."""

    name = "single_choice"
    required_fields = ("options",)

    def read(self, m: MMap, ctx: Ctx, what: str, env: Env) -> dict[str, Any]:
        options: list[Option] = []
        seen: dict[str, Mark] = {}
        seq = ctx.sequence(m.get("options"), f"options of {what}")
        for node in seq.items if seq else ():
            om = ctx.mapping(node, f"option of {what}")
            if om is None:
                continue
            key_node = om.get("key")
            key = ctx.key(key_node, "option key")
            ctx.fields(
                om, f"option {key!r}" if key else f"option of {what}", ("key", "label"), ("alert",)
            )
            label = ctx.text(om.get("label"), f"label of option {key!r}")
            alert = ctx.boolean(om.get("alert"), f"alert of option {key!r}")
            if key is None or key_node is None:
                continue
            if key in seen:
                ctx.add(
                    key_node.mark,
                    f"duplicate option key {key!r} in {what} (first used at line {seen[key].line})",
                )
                continue
            seen[key] = key_node.mark
            if label is not None:
                options.append(Option(key=key, label=label, alert=bool(alert)))
        if seq is not None and len(seq.items) < 2:
            ctx.add(seq.mark, f"options of {what} must list at least 2 options")
        return {"options": tuple(options)}

    def coerce(self, item: Item, raw: object) -> StoredAnswer | None:
        if not isinstance(raw, str):
            _bad_format(item)
        key = raw.strip()
        if key not in item.option_keys:
            _fail(
                item,
                "Choose one of the listed options.",
                "Hãy chọn một trong các phương án đã cho.",
            )
        return StoredAnswer(value_text=key)

    def condition_values(self, item: Item) -> Condition | None:
        return item.option_keys

    def matches(self, answer: StoredAnswer, values: Condition) -> bool:
        return answer.value_text in values


class MultipleChoice(SingleChoice):
    """Any number of distinct option keys, stored joined by ";" in definition order.

    A list of keys is expected; a string is split on ";" (paper CSV import).
    """

    name = "multiple_choice"

    def coerce(self, item: Item, raw: object) -> StoredAnswer | None:
        if isinstance(raw, str):
            raw = raw.split(";")
        if not isinstance(raw, list | tuple) or not all(isinstance(k, str) for k in raw):
            _bad_format(item)
        keys = [k.strip() for k in raw if k.strip()]
        if not keys:
            return None
        if any(k not in item.option_keys for k in keys):
            _fail(
                item,
                "Choose only among the listed options.",
                "Chỉ chọn trong các phương án đã cho.",
            )
        if len(set(keys)) != len(keys):
            _fail(
                item,
                "Each option can be chosen only once.",
                "Mỗi phương án chỉ được chọn một lần.",
            )
        chosen = set(keys)
        return StoredAnswer(value_text=";".join(k for k in item.option_keys if k in chosen))

    def matches(self, answer: StoredAnswer, values: Condition) -> bool:
        chosen = answer.value_text.split(";") if answer.value_text else []
        return any(k in values for k in chosen)


class Number(QuestionType):
    """A finite number, optionally whole and within ``min``/``max``."""

    name = "number"
    optional_fields = ("min", "max", "integer")

    def read(self, m: MMap, ctx: Ctx, what: str, env: Env) -> dict[str, Any]:
        lo = ctx.number(m.get("min"), f"min of {what}")
        hi = ctx.number(m.get("max"), f"max of {what}")
        integer = ctx.boolean(m.get("integer"), f"integer of {what}") or False
        for bound, name in ((lo, "min"), (hi, "max")):
            node = m.get(name)
            if bound is None or node is None:
                continue
            if abs(bound) > MAX_NUMBER:
                ctx.add(node.mark, f"{name} of {what} must be within ±{MAX_NUMBER:.0e}")
            elif integer and not float(bound).is_integer():
                ctx.add(node.mark, f"{name} of {what} must be a whole number (integer: true)")
        min_node = m.get("min")
        if lo is not None and hi is not None and lo > hi and min_node is not None:
            ctx.add(min_node.mark, f"min ({_fmt(lo)}) is greater than max ({_fmt(hi)}) in {what}")
        return {"min": lo, "max": hi, "integer": integer}

    def coerce(self, item: Item, raw: object) -> StoredAnswer | None:
        whole_rule = (
            "Enter a whole number, digits only.",
            "Hãy nhập một số nguyên, chỉ gồm chữ số.",
        )
        value: float
        if isinstance(raw, bool):
            _bad_format(item)
        if isinstance(raw, int):
            if abs(raw) > MAX_NUMBER:
                self._too_large(item)
            value = float(raw)
        elif isinstance(raw, float):
            value = raw
        elif isinstance(raw, str):
            text = raw.strip()
            if item.integer and not _WHOLE.fullmatch(text):
                _fail(item, *whole_rule)
            if len(text) > _MAX_RAW_NUMBER or not _DECIMAL.fullmatch(text):
                _fail(
                    item,
                    "Enter a number, with a point (.) before any decimals.",
                    "Hãy nhập một số; phần thập phân ngăn cách bằng dấu chấm (.).",
                )
            value = float(text)
        else:
            _bad_format(item)
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            self._too_large(item)
        if item.integer and not value.is_integer():
            _fail(item, *whole_rule)
        if item.min is not None and value < item.min:
            lo = _fmt(item.min)
            _fail(item, f"Enter a number of at least {lo}.", f"Hãy nhập một số không nhỏ hơn {lo}.")
        if item.max is not None and value > item.max:
            hi = _fmt(item.max)
            _fail(item, f"Enter a number of at most {hi}.", f"Hãy nhập một số không lớn hơn {hi}.")
        return StoredAnswer(value_num=value)

    @staticmethod
    def _too_large(item: Item) -> NoReturn:
        _fail(item, "This number is not accepted.", "Số này không được chấp nhận.")


class Date(QuestionType):
    """A calendar date written YYYY-MM-DD, stored as that text."""

    name = "date"

    def coerce(self, item: Item, raw: object) -> StoredAnswer | None:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return StoredAnswer(value_text=raw.isoformat())
        if not isinstance(raw, str) or not _DATE.fullmatch(raw.strip()):
            _fail(
                item,
                "Enter the date as YYYY-MM-DD (year-month-day).",
                "Hãy nhập ngày theo dạng YYYY-MM-DD (năm-tháng-ngày).",
            )
        try:
            day = dt.date.fromisoformat(raw.strip())
        except ValueError:
            _fail(item, "This date does not exist.", "Ngày này không tồn tại.")
        return StoredAnswer(value_text=day.isoformat())


class ShortText(QuestionType):
    """One line of text up to ``max_length`` characters."""

    name = "short_text"
    optional_fields = ("max_length",)
    default_max_length: ClassVar[int] = 200
    limit: ClassVar[int] = 1000
    multiline: ClassVar[bool] = False

    def read(self, m: MMap, ctx: Ctx, what: str, env: Env) -> dict[str, Any]:
        node = m.get("max_length")
        max_length = ctx.integer(node, f"max_length of {what}", 1, self.limit)
        return {"max_length": max_length or self.default_max_length}

    def coerce(self, item: Item, raw: object) -> StoredAnswer | None:
        if not isinstance(raw, str):
            _bad_format(item)
        text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
        if not text:
            return None
        bad = forbidden(text) or (None if self.multiline or "\n" not in text else "\n")
        if bad is not None:
            _fail(
                item,
                f"The text contains a character that is not allowed ({describe(bad)}).",
                f"Văn bản có ký tự không được phép ({describe(bad)}).",
            )
        limit = item.max_length or self.default_max_length
        if len(text) > limit:
            _fail(
                item,
                f"Enter at most {limit} characters (this text has {len(text)}).",
                f"Hãy nhập tối đa {limit} ký tự (văn bản này có {len(text)} ký tự).",
            )
        return StoredAnswer(value_text=text)


class LongText(ShortText):
    """Several lines of text up to ``max_length`` characters."""

    name = "long_text"
    default_max_length = 2000
    limit = 20000
    multiline = True


QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t
    for t in (
        Likert(),
        LikertGrid(),
        SingleChoice(),
        MultipleChoice(),
        Rating(),
        Number(),
        Date(),
        ShortText(),
        LongText(),
    )
}
