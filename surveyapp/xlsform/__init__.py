"""Convert an XLSForm workbook (ODK, KoboToolbox) into a questionnaire definition (format 1).

No Flask and no database: a workbook path in, a definition mapping and the list of
what could not be carried over out. Every issue names its cell as ``sheet!CELL``.
The workbook is untrusted (staff upload what partners send them), so it is
size-checked, its zip members are bounded and every XML part is parsed strictly
(well-formed, no DTD, no entity) before openpyxl sees it, and openpyxl parses it with
defusedxml (used automatically when installed).
"""

from __future__ import annotations

from surveyapp.xlsform.converting import (
    LANGUAGE_NAMES,
    METADATA_TYPES,
    Conversion,
    Issue,
    convert_file,
    convert_sheets,
)
from surveyapp.xlsform.reading import (
    LANGS,
    MAX_BYTES,
    MAX_UNPACKED_BYTES,
    XLSFormError,
    read_sheets,
)

__all__ = [
    "LANGS",
    "LANGUAGE_NAMES",
    "MAX_BYTES",
    "MAX_UNPACKED_BYTES",
    "METADATA_TYPES",
    "Conversion",
    "Issue",
    "XLSFormError",
    "convert_file",
    "convert_sheets",
    "read_sheets",
]
