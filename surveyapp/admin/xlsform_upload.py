"""An XLSForm workbook uploaded in the console, converted to a definition to check.

The conversion report (every error and note, by sheet, row and column) is shown
before anything is saved: with the refusal, or above the converted definition's
check page and its Publish button.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from surveyapp.errors import Problem
from surveyapp.i18n import problem_text
from surveyapp.xlsform import MAX_BYTES, Issue, XLSFormError, convert_file


@dataclass(frozen=True)
class ReportLine:
    """One line of the conversion report, as the console shows it."""

    sheet: str
    row: int | None
    column: str
    fatal: bool
    message: str  # an errors.Problem: the template shows it in the page's language


@dataclass(frozen=True)
class Refused:
    """Why the workbook was refused (one line), and the report of its conversion."""

    message: str
    details: list[str] = field(default_factory=list)
    report: list[ReportLine] = field(default_factory=list)


@dataclass(frozen=True)
class Converted:
    """The converted definition (``SLUG.yaml`` and its YAML) and the notes about it."""

    filename: str
    source: str
    report: list[ReportLine]


def _renamed(message: str, path: Path, name: str) -> str:
    """Return ``message`` naming the upload ``name`` where it names the temporary ``path``.

    A Problem stays one (the path is in its values), so it can still be translated.
    """
    if isinstance(message, Problem):
        values = {
            key: _renamed(value, path, name) if isinstance(value, str) else value
            for key, value in message.values.items()
        }
        return Problem(message.msgid, **values)
    return message.replace(str(path), name)


def _lines(issues: list[Issue], path: Path, name: str) -> list[ReportLine]:
    return [
        ReportLine(
            issue.sheet, issue.row, issue.column, issue.fatal, _renamed(issue.message, path, name)
        )
        for issue in issues
    ]


def convert_upload(upload: FileStorage) -> Converted | Refused:
    """Convert an uploaded workbook, or say why it is refused; nothing is stored."""
    name = PurePath((upload.filename or "form.xlsx").replace("\\", "/")).name
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return Refused(_("The workbook is larger than %(mib)d MiB.", mib=MAX_BYTES // 2**20))
    with tempfile.TemporaryDirectory(prefix="xlsform-") as folder:
        path = Path(folder) / "upload.xlsx"
        path.write_bytes(raw)
        try:
            conversion = convert_file(path, max_bytes=MAX_BYTES)
        except XLSFormError as exc:
            reason = _renamed(exc.args[0] if exc.args else str(exc), path, name)
            return Refused(_("The workbook was refused: %(reason)s", reason=problem_text(reason)))
    report = _lines(conversion.issues, path, name)
    if conversion.errors:
        details = [str(issue).replace(str(path), name) for issue in conversion.issues]
        return Refused(
            _(
                "%(count)d problem(s) in the workbook could not be converted; nothing was stored.",
                count=len(conversion.errors),
            ),
            details,
            report,
        )
    stem = PurePath(name).stem
    return Converted(f"{stem}.yaml", conversion.yaml_text(), report)
