"""Helpers to write small definitions whose line numbers are known."""

from __future__ import annotations

import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = REPO / "questionnaires"

#: A valid head; questions given to ``make`` start at line FIRST_LINE, column 7 ("- ").
HEAD = """\
format: 1
title: {vi: "Tiêu đề", en: "Title"}
scales:
  s3:
    - {value: 1, label: {vi: "Kém", en: "Poor"}}
    - {value: 2, label: {vi: "Vừa", en: "Fair"}}
    - {value: 3, label: {vi: "Tốt", en: "Good"}}
sections:
  - key: main
    title: {vi: "Chính", en: "Main"}
    questions:
"""
FIRST_LINE = 12


def make(questions: str, tail: str = "") -> str:
    """Return HEAD followed by ``questions`` (indented into the section) and ``tail``."""
    body = textwrap.indent(textwrap.dedent(questions).strip("\n") + "\n", "      ")
    return HEAD + body + textwrap.dedent(tail).lstrip("\n")
