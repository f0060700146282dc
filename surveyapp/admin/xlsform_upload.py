"""An XLSForm workbook uploaded in the console, converted to a definition to check."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from surveyapp.xlsform import MAX_BYTES, XLSFormError, convert_file


@dataclass(frozen=True)
class Refused:
    """Why the workbook was refused (one line), and the cells that could not be converted."""

    message: str
    details: list[str] = field(default_factory=list)


def convert_upload(upload: FileStorage) -> tuple[str, str] | Refused:
    """Return ``(SLUG.yaml, YAML text)`` of an uploaded workbook, or why it is refused."""
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
            reason = str(exc).replace(str(path), name)
            return Refused(_("The workbook was refused: %(reason)s", reason=reason))
    if conversion.errors:
        details = [str(issue).replace(str(path), name) for issue in conversion.issues]
        return Refused(
            _(
                "%(count)d problem(s) in the workbook could not be converted; nothing was stored.",
                count=len(conversion.errors),
            ),
            details,
        )
    stem = PurePath(name).stem
    return f"{stem}.yaml", conversion.yaml_text()
