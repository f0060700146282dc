"""Neutralising spreadsheet formula injection in text cells (CSV and XLSX alike).

A text cell whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is read as a formula (or DDE call) by Excel and LibreOffice.
Such text gets a leading apostrophe, the OWASP-recommended neutraliser; the
text is otherwise kept as it was. Numbers are never touched: ``-3`` stays a
number.

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

from surveyapp.definitions.characters import printable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Return ``text`` safe to put in a spreadsheet text cell.

    Characters no XML sheet may hold (``characters.printable``) become U+FFFD:
    one such stored answer made a whole workbook unreadable.
    """
    text = printable(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_value(value: object) -> object:
    """Return a cell value: numbers as they are, text neutralised, None as None."""
    if isinstance(value, str):
        return neutralise(value)
    return value
