"""Raw accepted responses as CSV (RFC 4180), streamed chunk by chunk.

UTF-8 with a byte-order mark so Excel reads Vietnamese correctly; CRLF line
ends and quoting as RFC 4180 says; text cells neutralised against formula
injection (``cells.neutralise``). Rows are consumed from an iterator and
written in small chunks, so a million responses never sit in memory.
"""

from __future__ import annotations

import csv as _csv
import datetime as dt
import io
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from surveyapp.renderers.cells import neutralise

BOM = "\ufeff"
FIXED = ("response_id", "agency", "submitted_at", "channel")
NA = "na"
ROWS_PER_CHUNK = 500


class RawLike(Protocol):
    """One response as the exports read it (``documents.RawRow``)."""

    @property
    def id(self) -> int: ...
    @property
    def agency(self) -> str: ...
    @property
    def submitted_at(self) -> dt.datetime: ...
    @property
    def channel(self) -> str: ...
    @property
    def answers(self) -> dict[str, tuple[float | None, str | None, bool]]: ...


def answer_value(answer: tuple[float | None, str | None, bool] | None) -> float | int | str | None:
    """Return one stored answer as a cell value: number, text, ``na`` or None."""
    if answer is None:
        return None
    number, text, is_na = answer
    if is_na:
        return NA
    if number is not None:
        return int(number) if float(number).is_integer() else float(number)
    return text


def row_values(
    raw: RawLike, columns: Sequence[str], tz: zoneinfo.ZoneInfo
) -> list[float | int | str | None]:
    """Return the cells of one response: fixed columns, then one per answer column."""
    local = raw.submitted_at.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")
    return [
        raw.id,
        raw.agency,
        local,
        raw.channel,
        *(answer_value(raw.answers.get(c)) for c in columns),
    ]


def csv_chunks(rows: Iterable[RawLike], columns: Sequence[str], timezone: str) -> Iterator[str]:
    """Yield the CSV text of ``rows`` in chunks, header first (BOM included)."""
    tz = zoneinfo.ZoneInfo(timezone)
    buffer = io.StringIO()
    writer = _csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*FIXED, *columns])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for raw in rows:
        writer.writerow([_text(v) for v in row_values(raw, columns, tz)])
        pending += 1
        if pending == ROWS_PER_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _text(value: float | int | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return str(value)
