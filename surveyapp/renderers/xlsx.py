"""Workbooks with openpyxl: summary, one sheet per dimension, raw responses and codebook.

The raw sheet is written in write-only mode (rows streamed to the file as they
come). Text cells are neutralised against formula injection and stored as text;
numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from surveyapp.definitions import Questionnaire
from surveyapp.definitions.characters import printable
from surveyapp.renderers import feedback_section, xlsx_facts
from surveyapp.renderers.cells import cell_value
from surveyapp.renderers.csv import FIXED, RawLike, row_values
from surveyapp.renderers.document import AgencyDocument, CityDocument
from surveyapp.renderers.method_section import method_fields
from surveyapp.reporting.feedback import FeedbackRow
from surveyapp.reporting.model import DimensionReport, ItemReport

#: Excel's row limit, less the heading row.
MAX_ROWS = 1_048_575
BOLD = Font(bold=True)
HEAD = PatternFill("solid", fgColor="E2EAF3")
SHEET_TITLE_MAX = 31


DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm:ss"
ONE_DECIMAL = "0.0"
TWO_DECIMALS = "0.00"
#: Column widths in characters: enough for the heading, at most this.
MAX_WIDTH = 60


def number_format(name: str) -> str | None:
    """Return the number format of a column (or summary field) called ``name``."""
    if name.endswith("_p"):
        return "0.0000"
    if name.startswith(("mean", "alpha", "cronbach", "kruskal_h", "chi2")):
        return TWO_DECIMALS
    if "pct" in name or name.startswith(("index", "satisfied")):
        return ONE_DECIMAL
    return None


def _cells(
    ws: WriteOnlyWorksheet,
    values: Sequence[object],
    *,
    head: bool = False,
    formats: Sequence[str | None] = (),
) -> list[object]:
    out: list[object] = []
    for k, value in enumerate(values):
        cell = WriteOnlyCell(ws, value=cell_value(value))
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever openpyxl guessed
        elif isinstance(value, dt.datetime):
            cell.number_format = DATETIME
        elif isinstance(value, dt.date):
            cell.number_format = DATE
        elif isinstance(value, float) and k < len(formats) and formats[k]:
            cell.number_format = formats[k]
        if head:
            cell.font = BOLD
            cell.fill = HEAD
        out.append(cell)
    return out


def _widths(ws: WriteOnlyWorksheet, head: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    for k, name in enumerate(head):
        longest = max(
            [len(str(name))]
            + [len(str(r[k])) for r in rows[:200] if k < len(r) and r[k] is not None]
        )
        ws.column_dimensions[get_column_letter(k + 1)].width = min(max(longest + 2, 10), MAX_WIDTH)


def _sheet(
    wb: Workbook,
    title: str,
    head: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numbers: str | None = None,
) -> None:
    """Write a sheet; ``numbers`` is the format of every number column (else by name)."""
    ws = wb.create_sheet(_title(title, wb))
    rows = list(rows)
    _widths(ws, head, rows)
    by_column = [numbers or number_format(name) for name in head]
    ws.append(_cells(ws, head, head=True))
    for row in rows:
        formats = by_column
        if tuple(head) == ("field", "value") and row and isinstance(row[0], str):
            formats = [None, number_format(row[0].rsplit(":", 1)[-1])]
        ws.append(_cells(ws, row, formats=formats))


def _title(text: str, wb: Workbook) -> str:
    clean = "".join("_" if c in "[]:*?/\\" else c for c in printable(text))[:SHEET_TITLE_MAX]
    name, n = clean, 2
    while name in wb.sheetnames:
        suffix = f" ({n})"
        name, n = clean[: SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    return name


def _ci(ci: object, end: str) -> float | None:
    return None if ci is None else getattr(ci, end)


ITEM_HEAD = (
    "item",
    "question_vi",
    "question_en",
    "n",
    "n_na",
    "n_missing",
    "mean",
    "mean_ci_lower",
    "mean_ci_upper",
    "satisfied_pct",
    "satisfied_ci_lower",
    "satisfied_ci_upper",
    "small_sample",
)


def _item_row(i: ItemReport) -> list[object]:
    return [
        i.key,
        i.text_vi,
        i.text_en,
        i.n,
        i.n_na,
        i.n_missing,
        i.mean,
        _ci(i.mean_ci, "lower"),
        _ci(i.mean_ci, "upper"),
        i.satisfied_pct,
        _ci(i.satisfied_ci, "lower"),
        _ci(i.satisfied_ci, "upper"),
        "yes" if not i.reliable else "no",
    ]


def _dimension_sheets(
    wb: Workbook, dims: Sequence[DimensionReport], items: Sequence[ItemReport]
) -> None:
    by_key = {i.key: i for i in items}
    for d in dims:
        rows: list[list[object]] = [
            [
                "(dimension)",
                d.title_vi,
                d.title_en,
                d.n_min,
                None,
                None,
                d.mean,
                _ci(d.mean_ci, "lower"),
                _ci(d.mean_ci, "upper"),
                d.satisfied_pct,
                _ci(d.satisfied_ci, "lower"),
                _ci(d.satisfied_ci, "upper"),
                "yes" if not d.reliable else "no",
            ],
        ]
        rows += [_item_row(by_key[k]) for k in d.items if k in by_key]
        rows.append(
            [
                "cronbach_alpha",
                None,
                None,
                d.alpha_n,
                None,
                None,
                d.alpha,
                _ci(d.alpha_ci, "lower"),
                _ci(d.alpha_ci, "upper"),
            ]
        )
        _sheet(wb, d.key, ITEM_HEAD, rows)


def _codebook(wb: Workbook, definition: Questionnaire) -> None:
    rows: list[list[object]] = [
        ["response_id", "id", "", "", None, "", ""],
        ["agency", "code", "", "", None, "", ""],
        ["submitted_at", "local time", "", "", None, "", ""],
        ["channel", "text", "", "", None, "web, embed, api, paper, counter", ""],
    ]
    for item in definition.items():
        base = [item.key, item.type, item.text.vi, item.text.en]
        if item.scale is not None:
            rows += [[*base, s.value, s.label.vi, s.label.en] for s in item.scale.steps]
        elif item.options:
            rows += [[*base, o.key, o.label.vi, o.label.en] for o in item.options]
        else:
            rows.append([*base, None, "", ""])
        if item.allow_na:
            rows.append([*base, "na", "Không áp dụng", "Not applicable"])
    _sheet(
        wb,
        "codebook",
        ("variable", "type", "question_vi", "question_en", "value", "label_vi", "label_en"),
        rows,
    )


def _raw(
    wb: Workbook, rows: Iterable[RawLike], columns: Sequence[str], timezone: str
) -> tuple[int, bool]:
    tz = zoneinfo.ZoneInfo(timezone)
    ws = wb.create_sheet("responses")
    head = [*FIXED, *columns]
    for k, name in enumerate(head):
        width = 20 if name == "submitted_at" else min(max(len(name) + 2, 10), MAX_WIDTH)
        ws.column_dimensions[get_column_letter(k + 1)].width = width
    ws.append(_cells(ws, head, head=True))
    written = 0
    for raw in rows:
        if written == MAX_ROWS:
            return written, True
        values = row_values(raw, columns, tz)
        # A real date and time (local, as Excel has no time zones), not text.
        values[2] = raw.submitted_at.astimezone(tz).replace(tzinfo=None, microsecond=0)
        ws.append(_cells(ws, values))
        written += 1
    return written, False


def _feedback_sheet(wb: Workbook, rows: Sequence[FeedbackRow]) -> None:
    """The feedback cases sheet (renderers/feedback_section.py)."""
    head = feedback_section.SHEET_HEAD
    _sheet(wb, "feedback_cases", head, feedback_section.sheet_rows(rows), numbers=ONE_DECIMAL)


def agency_workbook(
    doc: AgencyDocument, definition: Questionnaire, rows: Iterable[RawLike], columns: Sequence[str]
) -> bytes:
    """Return the agency workbook: summary, dimensions, responses, codebook."""
    r = doc.report
    wb = Workbook(write_only=True)
    summary = [
        ["agency_code", r.agency.code],
        ["agency_vi", r.agency.name_vi],
        ["agency_en", r.agency.name_en],
        ["questionnaire", r.questionnaire.slug],
        ["version", r.questionnaire.version],
        ["from", r.period.from_],
        ["to", r.period.to],
        ["timezone", r.period.timezone],
        ["n_responses", r.n_responses],
        ["index", r.index.value],
        ["index_ci_lower", _ci(r.index.ci, "lower")],
        ["index_ci_upper", _ci(r.index.ci, "upper")],
        ["index_method", r.index.method],
        ["small_sample", "no" if r.index.reliable else "yes"],
    ]
    row = doc.city_row
    if row is not None:
        summary += [
            ["rank", row.rank],
            ["rank_lower", row.rank_lower],
            ["rank_upper", row.rank_upper],
        ]
    summary += [[f"channel:{c}", n] for c, n in doc.channels]
    summary += [[f"{d.key}:satisfied_pct", d.satisfied_pct] for d in r.dimensions]
    _sheet(wb, "summary", ("field", "value"), summary)
    _dimension_sheets(wb, r.dimensions, r.items)
    xlsx_facts.write(wb, _sheet, r.service_facts, r.counter)
    _feedback_sheet(wb, doc.feedback)
    _sheet(wb, "method", ("field", "value"), method_fields(r.method))
    written, cut = _raw(wb, rows, columns, r.period.timezone)
    _codebook(wb, definition)
    if cut:
        _sheet(wb, "note", ("note",), [[f"Only the first {written} responses fit; use CSV."]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def city_workbook(doc: CityDocument) -> bytes:
    """Return the city workbook: summary, ranking, dimensions x agencies, tests."""
    r = doc.report
    wb = Workbook(write_only=True)
    _sheet(
        wb,
        "summary",
        ("field", "value"),
        [
            ["questionnaire", r.questionnaire.slug],
            ["version", r.questionnaire.version],
            ["from", r.period.from_],
            ["to", r.period.to],
            ["n_responses", r.n_responses],
            ["index", r.index.value],
            ["kruskal_h", r.kruskal.h],
            ["kruskal_p", r.kruskal.p],
            ["chi2", r.chi2.statistic],
            ["chi2_p", r.chi2.p],
        ],
    )
    _sheet(
        wb,
        "agencies",
        (
            "code",
            "name_vi",
            "name_en",
            "kind",
            "n",
            "index",
            "index_ci_lower",
            "index_ci_upper",
            "rank_in_kind",
            "rank_in_kind_lower",
            "rank_in_kind_upper",
            "rank",
            "rank_lower",
            "rank_upper",
            "satisfied_pct",
            "small_sample",
            "suppressed",
        ),
        [
            [
                a.code,
                a.name_vi,
                a.name_en,
                doc.kinds.get(a.code),
                a.n,
                a.index,
                _ci(a.index_ci, "lower"),
                _ci(a.index_ci, "upper"),
                a.rank_in_kind,
                a.rank_in_kind_lower,
                a.rank_in_kind_upper,
                a.rank,
                a.rank_lower,
                a.rank_upper,
                a.satisfied_pct,
                "no" if a.reliable or a.suppressed else "yes",
                "yes" if a.suppressed else "no",
            ]
            for a in r.agencies
        ],
    )
    _sheet(
        wb,
        "dimensions",
        ("code", *doc.dimension_keys),
        [[code, *(c.value for c in cells)] for code, cells in sorted(doc.matrix.items())],
        numbers=ONE_DECIMAL,  # % satisfied
    )
    _dimension_sheets(wb, r.dimensions, r.items)
    xlsx_facts.write(wb, _sheet, r.service_facts)
    _feedback_sheet(wb, doc.feedback)
    _sheet(wb, "method", ("field", "value"), method_fields(r.method, r.register_weighted))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
