"""Read an untrusted XLSForm workbook safely into plain text sheets.

The file is size-checked, its zip members are bounded and every XML part is parsed
strictly (well-formed, no DTD, no entities) before openpyxl sees it, and openpyxl
parses it with defusedxml (used automatically when installed). Also the small name
helpers the sheets and the converter share.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import (
    get_excel_column_headers,
    get_excel_rows,
    xlsx_value_to_str,
)

from surveyapp.errors import Problem

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
LANGS = ("vi", "en")
_LANGUAGE_WORDS = {"vietnamese": "vi", "tiếng việt": "vi", "english": "en"}


class XLSFormError(ValueError):
    """The file is refused before conversion: too large, not an .xlsx, or unsafe."""


@dataclass
class _Sheet:
    """One worksheet as text: header columns and the non-empty rows under them."""

    title: str
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]

    def cell(self, row: int, column: int) -> str:
        return f"{get_column_letter(column + 1)}{row}"

    def column(self, name: str) -> int | None:
        for index, header in enumerate(self.headers):
            if _header_key(header) == name:
                return index
        return None

    def translated(self, base: str) -> dict[str | None, int]:
        """Map language (``None`` for the plain column) to column for ``base`` (label, hint)."""
        found: dict[str | None, int] = {}
        for index, header in enumerate(self.headers):
            key = _header_key(header)
            if key == base:
                found[None] = index
            elif key.startswith(base + "::"):
                lang = _language(key.split("::", 1)[1])
                if lang is not None:
                    found.setdefault(lang, index)
        return found


#: Column names pyxform reads as another (``aliases.survey_header``/``list_header``).
_HEADER_ALIASES = {
    "list name": "list_name",
    "relevance": "relevant",
    "caption": "label",
    "value": "name",
    "tag": "name",
    "calculation": "calculate",
    "constraining_message": "constraint_message",
}
#: Columns that hold one text per language, ``base::Language (code)``; pyxform also
#: accepts a single colon (``label:English (en)``).
_TRANSLATED = re.compile(
    r"(label|hint|guidance_hint|form_title|constraint_message|required_message|image"
    r"|big-image|audio|video|media::image|media::audio|media::video)\s*::?\s*(.+)"
)


def _header_key(header: str) -> str:
    key = re.sub(r"\s*::\s*", "::", header.strip().lower())
    translated = _TRANSLATED.fullmatch(key)
    if translated is not None and "::" not in translated.group(2):
        base, lang = translated.groups()
        return f"{_HEADER_ALIASES.get(base, base)}::{lang}"
    return _HEADER_ALIASES.get(key, key)


def _language(spec: str) -> str | None:
    found = re.search(r"\(([A-Za-z-]+)\)\s*$", spec)
    code = (found.group(1) if found else spec).strip().lower()
    code = _LANGUAGE_WORDS.get(code, code).split("-")[0]
    return code if code in LANGS else None


def _key(name: str, prefix: str) -> str:
    """Turn an XLSForm name into one of our keys: ``[a-z][a-z0-9_]{0,62}``."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")
    if not key or not key[0].isalpha():
        key = f"{prefix}{key}" if key else prefix
    return key[:63]


class _RefusedError(Exception):
    """Raised from expat's handlers: the part declares a DTD or entities."""


def _content_types(archive: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    """Return the package's content types by extension and by part name (lower case)."""
    by_extension: dict[str, str] = {}
    by_part: dict[str, str] = {}
    if "[Content_Types].xml" not in archive.namelist():
        return by_extension, by_part

    def start(name: str, attributes: dict[str, str]) -> None:
        kind = attributes.get("ContentType", "").lower()
        if name.endswith("Default") and "Extension" in attributes:
            by_extension[attributes["Extension"].lower()] = kind
        elif name.endswith("Override") and "PartName" in attributes:
            by_part[attributes["PartName"].lstrip("/").lower()] = kind

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    # A broken content types part is refused below, as a part of its own.
    with contextlib.suppress(expat.ExpatError):
        parser.Parse(archive.read("[Content_Types].xml"), True)
    return by_extension, by_part


def _is_xml(name: str, types: tuple[dict[str, str], dict[str, str]]) -> bool:
    """Whether a member is parsed as XML: by its name, else unless its type says otherwise."""
    if name.endswith("/"):
        return False
    if name.lower().endswith((".xml", ".rels")):
        return True
    by_extension, by_part = types
    kind = by_part.get(name.lower())
    if kind is None:
        kind = by_extension.get(PurePosixPath(name).suffix.lstrip(".").lower())
    # A part of no declared type may still be read as a worksheet through the rels.
    return kind is None or "xml" in kind


def _check_xml(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]
) -> None:
    """Parse one XML member strictly (no DTD, no entities), counting what is unpacked."""

    def refuse(*_args: object) -> None:
        raise _RefusedError

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(65536):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise XLSFormError(_too_big(path))
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _RefusedError:
        raise XLSFormError(
            Problem(
                "%(file)s: %(part)s declares a DTD or entities; refused "
                "(a spreadsheet never needs one, and entities can read local files)",
                file=str(path),
                part=info.filename,
            )
        ) from None
    except expat.ExpatError as exc:
        raise XLSFormError(
            Problem(
                "%(file)s: %(part)s is not well-formed XML (%(why)s at line %(line)s, "
                "column %(column)s); refused",
                file=str(path),
                part=info.filename,
                why=expat.errors.messages[exc.code],
                line=exc.lineno,
                column=exc.offset,
            )
        ) from None


def _too_big(path: Path) -> Problem:
    return Problem(
        "%(file)s: unpacks to more than %(limit)s bytes", file=str(path), limit=MAX_UNPACKED_BYTES
    )


def _unreadable(path: Path, exc: Exception) -> Problem:
    return Problem("%(file)s: cannot read the workbook (%(why)s)", file=str(path), why=str(exc))


def _check_archive(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise XLSFormError(
            Problem(
                "%(file)s: %(size)s bytes is over the limit of %(limit)s bytes",
                file=str(path),
                size=size,
                limit=max_bytes,
            )
        )
    if not zipfile.is_zipfile(path):
        raise XLSFormError(
            Problem(
                "%(file)s: not an .xlsx workbook (an old .xls or a CSV file? save it as Excel "
                ".xlsx)",
                file=str(path),
            )
        )
    try:
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise XLSFormError(
                    Problem("%(file)s: not an .xlsx workbook (no xl/workbook.xml)", file=str(path))
                )
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise XLSFormError(_too_big(path))
            types = _content_types(archive)
            budget = [MAX_UNPACKED_BYTES]
            # Every XML part, not only those openpyxl reads today: a worksheet's inline
            # strings, shared strings, styles, content types, relationships, properties.
            for info in archive.infolist():
                if _is_xml(info.filename, types):
                    _check_xml(path, archive, info, budget)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise XLSFormError(
            Problem("%(file)s: damaged .xlsx workbook (%(why)s)", file=str(path), why=str(exc))
        ) from None


def _sheet(worksheet: Any) -> _Sheet:
    """Read one worksheet as pyxform does: its first row names the columns.

    pyxform's own cell reading (header clean-up, duplicate headers, value to text,
    the end of data after a run of empty rows or columns) keeps each row's position,
    so every issue can name its cell.
    """
    cells = worksheet.iter_rows()
    first = next(cells, ())
    try:
        headers = get_excel_column_headers(cell.value for cell in first)
    except PyXFormError as exc:
        raise XLSFormError(
            Problem("sheet '%(sheet)s' row 1: %(why)s", sheet=worksheet.title, why=str(exc))
        ) from None
    width = len(headers)
    names = [header or "" for header in headers]

    def text(cell: Any, _row: int, _key: str) -> str:
        value = cell.value
        return xlsx_value_to_str(value.strip() if isinstance(value, str) else value).strip()

    found = get_excel_rows(
        headers=headers, rows=worksheet.iter_rows(min_row=2, max_col=width or 1), cell_func=text
    )
    rows = [
        (index + 2, [row.get(name, "") if name else "" for name in names])
        for index, row in enumerate(found)
        if row
    ]
    return _Sheet(worksheet.title, 1, names, rows)


def read_sheets(path: Path, *, max_bytes: int = MAX_BYTES) -> dict[str, _Sheet]:
    """Read the workbook at ``path`` safely; return its sheets by lower-case name."""
    _check_archive(path, max_bytes)
    # openpyxl leaves its own file handle open when loading fails; this one is closed.
    with path.open("rb") as stream:
        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
        except (
            InvalidFileException,
            zipfile.BadZipFile,
            KeyError,
            ValueError,
            OSError,
            ParseError,
        ) as exc:
            # defusedxml's refusals are ValueErrors as well.
            raise XLSFormError(_unreadable(path, exc)) from None
        try:
            return {ws.title.strip().lower(): _sheet(ws) for ws in workbook.worksheets}
        except (ValueError, KeyError, zipfile.BadZipFile, ParseError) as exc:
            raise XLSFormError(_unreadable(path, exc)) from None
        finally:
            workbook.close()
