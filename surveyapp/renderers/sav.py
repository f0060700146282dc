"""Raw accepted responses as an SPSS system file (.sav): SPSS, PSPP, R's haven and foreign.

The rows and columns are those of the raw CSV export (``renderers.csv``): the fixed
columns, then one variable per questionnaire item, except that a multiple-choice
question becomes one 0/1 variable per option. Every variable has a label (the
question text in the chosen language) and coded variables have value labels:

========================  ================================================  ========
item                      stored in the file                                measure
========================  ================================================  ========
likert (and grid rows)    the scale value as stored (the XLSX codebook's     ordinal
                          ``value``), labelled with the scale step; "not
                          applicable" is :data:`NA_CODE` (or a larger
                          ``10**k - 1`` above the scale), declared missing
single_choice             the option's 1-based position in the definition   nominal
                          (the XLSX codebook lists options in that order)
multiple_choice           ``KEY_OPTION`` = 1 chosen, 0 not chosen           nominal
rating                    0-10 as stored, both ends labelled                ordinal
number                    as stored                                         scale
date                      an SPSS date                                      scale
short_text, long_text     UTF-8 text, literally (SPSS runs no formulas)     nominal
========================  ================================================  ========

No answer (a skipped or hidden question) is system-missing; text has no missing
value in SPSS and is empty. SPSS names are at most 64 bytes, start with a letter,
are unique ignoring case and are not reserved words; :func:`variables` derives
them from the item keys and keeps the mapping (also written as notes in the file
when a name differs from its column). SPSS holds at most 32,767 bytes of text per
value: longer text (possible only in ``long_text``) is cut at a character
boundary and the file's notes say how many values were cut.

pyreadstat writes a whole pandas DataFrame to a path: columns are gathered
compactly (8 bytes a number or date), written into a temporary directory that is
removed as soon as the file is open again, and the open file is read back in
chunks (an unlinked file stays readable until closed, on POSIX systems).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zoneinfo
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyreadstat

from surveyapp.definitions import NA_LABEL, Item, Questionnaire, Text
from surveyapp.definitions.characters import printable
from surveyapp.errors import InputError
from surveyapp.renderers.csv import RawLike

LANGUAGES = ("vi", "en")
#: "Not applicable" unless a scale reaches it (then 999, 9999, ...).
NA_CODE = 99
MAX_NAME_BYTES = 64
MAX_VARIABLE_LABEL_BYTES = 255
MAX_VALUE_LABEL_BYTES = 120
MAX_FILE_LABEL_BYTES = 64
MAX_NOTE_BYTES = 80
MAX_STRING_BYTES = 32767
#: Words SPSS reserves; they cannot name a variable (in any case).
RESERVED = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)
CHUNK_BYTES = 1 << 16
#: int64 of numpy's NaT: a missing date in a datetime64 column.
_NAT = np.iinfo(np.int64).min
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")

FIXED_LABELS = {
    "response_id": Text(vi="Mã phiếu trả lời", en="Response ID"),
    "agency": Text(vi="Mã cơ quan", en="Agency code"),
    "submitted_at": Text(vi="Thời điểm gửi (giờ địa phương)", en="Submitted at (local time)"),
    "channel": Text(vi="Kênh trả lời", en="Channel"),
}
#: The fixed columns of the CSV: kind, measure, format.
FIXED = {
    "response_id": ("number", "nominal", "F12.0"),
    "agency": ("string", "nominal", None),
    "submitted_at": ("datetime", "scale", "DATETIME20"),
    "channel": ("string", "nominal", None),
}
CHOSEN = {0: Text(vi="Không chọn", en="Not chosen"), 1: Text(vi="Có chọn", en="Chosen")}


@dataclass(frozen=True)
class Variable:
    """One SPSS variable and where its values come from.

    ``column`` is the raw CSV column (a fixed column or an item key); ``option`` the
    option key of a multiple-choice 0/1 variable. ``kind`` is ``number``, ``string``,
    ``date`` or ``datetime``; ``codes`` maps a single-choice option key to its code.
    """

    name: str
    column: str
    label: str
    kind: str
    measure: str
    format: str | None = None
    option: str | None = None
    value_labels: dict[int, str] = field(default_factory=dict)
    missing: tuple[int, ...] = ()
    codes: dict[str, int] = field(default_factory=dict)


# -- names and labels ------------------------------------------------------------------
def _cut(text: str, limit: int) -> str:
    """Return ``text`` in at most ``limit`` UTF-8 bytes, cut at a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def _label(text: str, limit: int = MAX_VARIABLE_LABEL_BYTES) -> str:
    """Return a label that fits ``limit`` bytes, with an ellipsis when it had to be cut."""
    text = " ".join(printable(text).split())
    if len(text.encode("utf-8")) <= limit:
        return text
    return _cut(text, limit - len("…".encode())).rstrip() + "…"


def spss_name(wanted: str, taken: set[str]) -> str:
    """Return a valid SPSS name for ``wanted`` not in ``taken`` (upper case), and take it."""
    base = _NOT_NAME.sub("_", wanted) or "v"
    if not base[0].isalpha():
        base = "v" + base
    if base.upper() in RESERVED:
        base = "q_" + base
    base = base[:MAX_NAME_BYTES]
    name, n = base, 2
    while name.upper() in taken:
        suffix = f"_{n}"
        name, n = base[: MAX_NAME_BYTES - len(suffix)] + suffix, n + 1
    taken.add(name.upper())
    return name


def na_code(definition: Questionnaire) -> int:
    """Return the "not applicable" code: 99, or 999... when a scale value reaches 99."""
    top = max((abs(s.value) for sc in definition.scales for s in sc.steps), default=0)
    code = NA_CODE
    while code <= top:
        code = code * 10 + 9
    return code


def _in(text: Text, lang: str) -> str:
    return text.vi if lang == "vi" else text.en


def _item_label(item: Item, lang: str) -> str:
    text = _in(item.text, lang)
    if item.stem is not None:
        text = f"{_in(item.stem, lang).rstrip(' :')}: {text}"
    return text


def _width(bound: float | None) -> int:
    return len(str(int(abs(bound)))) + 1 if bound is not None else 16


def _item_variables(item: Item, lang: str, na: int, taken: set[str]) -> list[Variable]:
    label = _item_label(item, lang)
    if item.type == "multiple_choice":
        chosen = {k: _label(_in(t, lang), MAX_VALUE_LABEL_BYTES) for k, t in CHOSEN.items()}
        return [
            Variable(
                spss_name(f"{item.key}_{o.key}", taken),
                item.key,
                _label(f"{label}: {_in(o.label, lang)}"),
                "number",
                "nominal",
                "F1.0",
                option=o.key,
                value_labels=chosen,
            )
            for o in item.options
        ]
    name = spss_name(item.key, taken)
    if item.type in ("likert", "single_choice", "rating"):
        labels: dict[int, str] = {}
        codes: dict[str, int] = {}
        if item.scale is not None:
            labels = {s.value: _in(s.label, lang) for s in item.scale.steps}
        elif item.type == "single_choice":
            codes = {o.key: n for n, o in enumerate(item.options, start=1)}
            labels = {n: _in(o.label, lang) for n, o in enumerate(item.options, start=1)}
        else:
            if item.low_label is not None:
                labels[0] = _in(item.low_label, lang)
            if item.high_label is not None:
                labels[10] = _in(item.high_label, lang)
        missing: tuple[int, ...] = ()
        if item.allow_na:
            labels[na] = _in(NA_LABEL, lang)
            missing = (na,)
        top = max([abs(v) for v in labels] or [0])
        return [
            Variable(
                name,
                item.key,
                _label(label),
                "number",
                "nominal" if item.type == "single_choice" else "ordinal",
                f"F{len(str(top)) + 1}.0",
                value_labels={k: _label(v, MAX_VALUE_LABEL_BYTES) for k, v in labels.items()},
                missing=missing,
                codes=codes,
            )
        ]
    if item.type == "number":
        width = max(_width(item.min), _width(item.max))
        fmt = f"F{width}.0" if item.integer else f"F{min(width + 5, 40)}.4"
        return [Variable(name, item.key, _label(label), "number", "scale", fmt)]
    if item.type == "date":
        return [Variable(name, item.key, _label(label), "date", "scale", "DATE11")]
    return [Variable(name, item.key, _label(label), "string", "nominal")]


def check_language(lang: str) -> None:
    """Raise InputError unless ``lang`` is a language of the labels."""
    if lang not in LANGUAGES:
        raise InputError(f"unknown language {lang!r}: 'lang' must be one of {', '.join(LANGUAGES)}")


def variables(definition: Questionnaire, columns: Sequence[str], lang: str) -> list[Variable]:
    """Return the variables of the export: the fixed ones, then each item column's."""
    check_language(lang)
    taken: set[str] = set()
    out = [
        Variable(spss_name(column, taken), column, _in(FIXED_LABELS[column], lang), *how)
        for column, how in FIXED.items()
    ]
    na = na_code(definition)
    for column in columns:
        out += _item_variables(definition.item(column), lang, na, taken)
    return out


# -- values ----------------------------------------------------------------------------
Answer = tuple[float | None, str | None, bool]


class _Columns:
    """The values of every variable, gathered compactly as rows stream in."""

    def __init__(self, variables: Sequence[Variable]) -> None:
        self.variables = variables
        # array('d') of numbers, array('q') of microseconds (dates), list of text.
        self.data: list[Any] = [
            array("d") if v.kind == "number" else list() if v.kind == "string" else array("q")
            for v in variables
        ]
        self.cut = 0

    def frame(self) -> pd.DataFrame:
        columns: dict[str, object] = {}
        for var, values in zip(self.variables, self.data, strict=True):
            if isinstance(values, list):
                columns[var.name] = pd.Series(values, dtype=object)
            elif values.typecode == "d":
                columns[var.name] = np.frombuffer(values, dtype=np.float64)
            else:
                # Microseconds: pyreadstat 1.3 misreads datetime64[s] columns, not [us].
                columns[var.name] = np.frombuffer(values, dtype=np.int64).view("datetime64[us]")
        return pd.DataFrame(columns, copy=False)


def _refuse(rid: int, column: str, what: str) -> InputError:
    return InputError(f"response {rid}: the stored answer to {column!r} {what}")


def _text(values: list[str], text: str, columns: _Columns) -> None:
    text = printable(text)
    if len(text) * 4 > MAX_STRING_BYTES and len(text.encode("utf-8")) > MAX_STRING_BYTES:
        text = _cut(text, MAX_STRING_BYTES)
        columns.cut += 1
    values.append(text)


def _add_item(
    item: Item,
    first: int,
    answer: Answer | None,
    rid: int,
    columns: _Columns,
) -> None:
    """Append the values of one item's answer to its variables, from index ``first``."""
    var = columns.variables[first]
    sink = columns.data[first]
    number, text, is_na = answer if answer is not None else (None, None, False)
    if is_na:
        if not var.missing:
            raise _refuse(rid, item.key, "is 'not applicable', which it does not allow")
        sink.append(var.missing[0])
        return
    if item.type == "multiple_choice":
        count = len(item.options)
        if not text:
            for i in range(first, first + count):
                columns.data[i].append(np.nan)
            return
        chosen = set(text.split(";"))
        unknown = chosen - set(item.option_keys)
        if unknown:
            raise _refuse(rid, item.key, f"names unknown options {sorted(unknown)}")
        for i, option in enumerate(item.option_keys, start=first):
            columns.data[i].append(1.0 if option in chosen else 0.0)
    elif var.kind == "string":
        _text(sink, text or "", columns)
    elif var.kind == "date":
        if not text:
            sink.append(_NAT)
            return
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise _refuse(rid, item.key, f"is not a date: {text!r}") from None
        sink.append((day - _EPOCH_DAY).days * _DAY_US)
    elif var.codes:
        if not text:
            sink.append(np.nan)
        elif text in var.codes:
            sink.append(var.codes[text])
        else:
            raise _refuse(rid, item.key, f"is not one of its options: {text!r}")
    else:
        sink.append(np.nan if number is None else float(number))


_EPOCH_DAY = dt.date(1970, 1, 1)
_EPOCH = dt.datetime(1970, 1, 1)
_DAY_US = 86_400_000_000
_SECOND = dt.timedelta(seconds=1)


def _gather(
    rows: Iterable[RawLike],
    definition: Questionnaire,
    found: Sequence[Variable],
    timezone: str,
) -> _Columns:
    tz = zoneinfo.ZoneInfo(timezone)
    columns = _Columns(found)
    # Each item's first variable (a multiple-choice question has one per option).
    starts: list[tuple[Item, int]] = []
    for i, var in enumerate(found[len(FIXED) :], start=len(FIXED)):
        if var.option is None or var.option == definition.item(var.column).options[0].key:
            starts.append((definition.item(var.column), i))
    ids, agencies, times, channels = columns.data[: len(FIXED)]
    for raw in rows:
        ids.append(raw.id)
        _text(agencies, raw.agency, columns)
        local = raw.submitted_at.astimezone(tz).replace(tzinfo=None, microsecond=0)
        times.append((local - _EPOCH) // _SECOND * 1_000_000)
        _text(channels, raw.channel, columns)
        for item, first in starts:
            _add_item(item, first, raw.answers.get(item.key), raw.id, columns)
    return columns


# -- the file --------------------------------------------------------------------------
def _notes(found: Sequence[Variable], title: str, cut: int) -> list[str]:
    lines = [
        "surveyapp: raw accepted responses (quarantined and deleted left out).",
        title,
        "No answer is system-missing; 'not applicable' is a declared missing code.",
        "Single choice: code = position of the option in the questionnaire.",
    ]
    if cut:
        lines.append(f"{cut} text values over {MAX_STRING_BYTES} bytes were cut; see the CSV.")
    for var in found:
        source = var.column if var.option is None else f"{var.column} option {var.option}"
        if var.name != (var.column if var.option is None else f"{var.column}_{var.option}"):
            lines.append(f"{var.name} = {source}")
    return [_cut(line, MAX_NOTE_BYTES) for line in lines if line]


def _read_back(handle: IO[bytes]) -> Iterator[bytes]:
    def chunks() -> Iterator[bytes]:
        try:
            yield b""
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    out = chunks()
    next(out)  # started: closing or dropping the iterator now closes the file
    return out


def sav_chunks(
    rows: Iterable[RawLike],
    definition: Questionnaire,
    columns: Sequence[str],
    timezone: str,
    *,
    lang: str = "vi",
    title: str = "",
) -> Iterator[bytes]:
    """Write ``rows`` as a .sav file and return its bytes in chunks.

    ``columns`` are the item keys of the raw export (``documents.raw_columns``);
    ``title`` becomes the file label and a note. Raises InputError for an unknown
    ``lang`` or a stored answer the definition cannot code.
    """
    found = variables(definition, columns, lang)
    gathered = _gather(rows, definition, found, timezone)
    frame = gathered.frame()
    with tempfile.TemporaryDirectory(prefix="surveyapp-sav-") as tmp:
        path = Path(tmp) / "export.sav"
        pyreadstat.write_sav(
            frame,
            path,
            file_label=_cut(printable(title), MAX_FILE_LABEL_BYTES),
            column_labels={v.name: v.label for v in found},
            row_compress=True,
            note=_notes(found, title, gathered.cut),
            variable_value_labels={
                v.name: {float(k): t for k, t in v.value_labels.items()}
                for v in found
                if v.value_labels
            },
            missing_ranges={v.name: list(v.missing) for v in found if v.missing},
            variable_measure={v.name: v.measure for v in found},
            variable_format={v.name: v.format for v in found if v.format},
        )
        handle = path.open("rb")
    return _read_back(handle)
