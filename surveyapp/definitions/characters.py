"""Characters no stored text may hold, and making any text safe for a document.

XML 1.0 (the XLSX sheets, SVG charts) allows tab, line feed, carriage return
and U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF; a single other character
makes a sheet that no reader opens. Unicode's 66 noncharacters (U+FDD0-U+FDEF
and the last two code points of every plane) are for a program's internal use,
never for interchange. Controls (C0 apart from tab and line feed, DEL, C1) and
lone surrogates have no glyph and no place in a respondent's or admin's text.
So input refuses all of them (``forbidden``), and renderers replace any that
an older version stored with U+FFFD (``printable``).

References
----------
W3C, "Extensible Markup Language (XML) 1.0", 5th ed., section 2.2 "Characters".
Unicode Standard, section 23.7 "Noncharacters".
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
#: Controls but tab and line feed, DEL and C1, surrogates, noncharacters.
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
#: What ``printable`` keeps though input refuses it: a carriage return (line ends).
_UNPRINTABLE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def forbidden(text: str) -> str | None:
    """Return the first character input must refuse in ``text``, or None."""
    found = _FORBIDDEN.search(text)
    return None if found is None else found.group()


def describe(char: str) -> str:
    """Return ``U+FFFF``: how a message names a character it cannot show."""
    return f"U+{ord(char):04X}"


def printable(text: str) -> str:
    """Return ``text`` with every forbidden character but CR replaced by U+FFFD."""
    return _UNPRINTABLE.sub(REPLACEMENT, text)
