"""CSV of raw responses: RFC 4180 quoting, BOM, neutralised formulas, lazy streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from surveyapp.renderers.csv import BOM, ROWS_PER_CHUNK, csv_chunks


@dataclass
class Row:
    id: int
    agency: str = "Q1"
    submitted_at: dt.datetime = dt.datetime(2017, 6, 30, 16, 30, tzinfo=dt.UTC)
    channel: str = "web"
    answers: dict[str, tuple[float | None, str | None, bool]] = field(default_factory=dict)


TZ = "Asia/Ho_Chi_Minh"


def test_round_trip_quotes_newlines_and_formulas() -> None:
    hostile = 'Dòng 1\r\nDòng "2", hết'
    rows = [
        Row(1, answers={"q": (4.0, None, False), "c": (None, hostile, False)}),
        Row(2, answers={"q": (None, None, True), "c": (None, "=2+3", False)}),
        Row(3, answers={"q": (-1.5, None, False)}),
    ]
    text = "".join(csv_chunks(rows, ["q", "c"], TZ))
    assert text.startswith(BOM)
    parsed = list(csv.reader(io.StringIO(text[len(BOM) :], newline="")))
    assert parsed[0] == ["response_id", "agency", "submitted_at", "channel", "q", "c"]
    # 16:30 UTC on 30 June is 23:30 local time, the same day.
    assert parsed[1] == ["1", "Q1", "2017-06-30T23:30:00", "web", "4", hostile]
    assert parsed[2][4:] == ["na", "'=2+3"]
    assert parsed[3][4:] == ["-1.5", ""]  # numbers are never neutralised


def test_rows_are_streamed_not_collected() -> None:
    consumed = 0

    def endless() -> Iterator[Row]:
        nonlocal consumed
        for i in itertools.count(1):
            consumed += 1
            yield Row(i, answers={"q": (3.0, None, False)})

    chunks = csv_chunks(endless(), ["q"], TZ)
    first = list(itertools.islice(chunks, 3))  # header, then two chunks of rows
    assert first[1].count("\r\n") == ROWS_PER_CHUNK
    assert consumed <= 2 * ROWS_PER_CHUNK + 1
