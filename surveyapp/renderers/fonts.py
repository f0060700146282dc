"""The font of every document: DejaVu Sans, shipped by matplotlib, covers Vietnamese.

Using matplotlib's own copy means charts (matplotlib's default family) and PDF
text use the same glyphs, and nothing is downloaded or installed separately.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import matplotlib

FAMILY = "DejaVuSans"


@cache
def font_path(bold: bool = False) -> Path:
    """Return the path of DejaVu Sans (regular or bold); raise if matplotlib lacks it."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    if not path.is_file():
        raise FileNotFoundError(f"matplotlib ships no {name} at {path}")
    return path


def nfc(text: str) -> str:
    """Return ``text`` in NFC: Vietnamese letters as single precomposed glyphs."""
    return unicodedata.normalize("NFC", text)
