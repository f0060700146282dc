"""Scrubbing personal data out of free-text comments before they are shown.

Respondents write their phone number, e-mail, citizen ID or dossier number into a
comment so that someone calls them back. Reports, dashboards and exports show comments
to people who must not see those: every output that prints a comment prints
``scrub(text)`` instead; the stored text is never changed.

What is recognised (Vietnamese conventions):

- e-mail addresses;
- dossier numbers of the one-stop-shop systems (``000.00.27.H29-240315-0012``,
  ``H29.101-240315-0001``: an agency code, a ``YYMMDD`` day and a sequence number),
  and any code-like token written right after "mã hồ sơ", "số hồ sơ", "hồ sơ số";
- 12-digit citizen identity numbers (căn cước công dân: a province code 001-096, so a
  leading 0), also in groups of three or four, and 9-digit identity card numbers
  (chứng minh nhân dân) after "CMND"/"CCCD";
- phone numbers: mobile ``0[35789]`` + 8 digits and landlines ``02x`` + 8 digits, with
  ``+84``/``84`` instead of the leading 0, written with spaces, dots or dashes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: What replaces each kind of personal data when the caller gives no wording.
DEFAULT_MARKERS: Mapping[str, str] = {
    "email": "[email]",
    "dossier": "[dossier number]",
    "citizen_id": "[ID number]",
    "phone": "[phone number]",
}

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Agency code (dotted parts, letters and digits), a YYMMDD day and a sequence number.
_DOSSIER_FORMAT = re.compile(
    r"(?<![\w.])[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*-\d{6}-\d{3,6}(?![\w])", re.UNICODE
)
#: "mã hồ sơ: X", "số hồ sơ X", "hồ sơ số X": the code-like token after the words.
_DOSSIER_NAMED = re.compile(
    r"(?P<lead>(?:mã|số)\s+hồ\s+sơ|hồ\s+sơ\s+số|ma\s+ho\s+so|so\s+ho\s+so|ho\s+so\s+so)"
    r"(?P<gap>\s*(?:là|la)?\s*[:#]?\s*)"
    r"(?P<code>[A-Za-z0-9][A-Za-z0-9./_-]{3,63})",
    re.IGNORECASE | re.UNICODE,
)
#: Twelve digits starting with the 0 of a province code (001-096), run together or
#: grouped 3-3-3-3 / 4-4-4 (a phone number with 84 before it starts with 8).
_CITIZEN_ID = re.compile(
    r"(?<![\d+])(?:0\d{11}|0\d{2}([ .])\d{3}\1\d{3}\1\d{3}|0\d{3}([ .])\d{4}\2\d{4})(?!\d)"
)
#: A 9-digit identity card number, only where the text names it.
_OLD_ID = re.compile(
    r"(?P<lead>\b(?:CMND|CCCD|CMT|chứng\s+minh(?:\s+nhân\s+dân|\s+thư)?|căn\s+cước)"
    r"(?:\s+số)?\s*[:#]?\s*)(?P<code>\d{9}(?:\d{3})?)(?!\d)",
    re.IGNORECASE | re.UNICODE,
)
#: Mobile (0[35789] + 8 digits) and landline (02 + 9 digits) numbers; +84 or 84 may
#: replace the 0; digits may be grouped by spaces, dots or dashes, the area code in ().
_PHONE = re.compile(
    r"(?<![\d\w+])(?:\(?(?:\+84|0084|84)\)?[ .\-]?|\(?0)"
    r"(?:[35789](?:\)?[ .\-]?\d){8}|2(?:\)?[ .\-]?\d){9})(?!\d)"
)


@dataclass(frozen=True, slots=True)
class Scrubbed:
    """A comment with personal data replaced, and how many of each kind were found."""

    text: str
    found: Mapping[str, int]


def scrub(text: str, markers: Mapping[str, str] | None = None) -> str:
    """Return ``text`` with e-mails, dossier numbers, citizen IDs and phones replaced."""
    return scrub_counted(text, markers).text


def scrub_counted(text: str, markers: Mapping[str, str] | None = None) -> Scrubbed:
    """Like :func:`scrub`, also counting what was replaced, by kind."""
    words = {**DEFAULT_MARKERS, **(markers or {})}
    found = dict.fromkeys(DEFAULT_MARKERS, 0)

    def plain(kind: str) -> Callable[[re.Match[str]], str]:
        def replace(_match: re.Match[str]) -> str:
            found[kind] += 1
            return words[kind]

        return replace

    def keep_lead(kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            found[kind] += 1
            return match.group("lead") + (match.groupdict().get("gap") or "") + words[kind]

        return replace

    out = _EMAIL.sub(plain("email"), text)
    out = _DOSSIER_NAMED.sub(keep_lead("dossier"), out)
    out = _DOSSIER_FORMAT.sub(plain("dossier"), out)
    out = _OLD_ID.sub(keep_lead("citizen_id"), out)
    out = _CITIZEN_ID.sub(plain("citizen_id"), out)
    out = _PHONE.sub(plain("phone"), out)
    return Scrubbed(out, found)
