"""Reading definition files and texts: size limit, decoding, parsing, validation."""

from __future__ import annotations

import os
from pathlib import Path

from surveyapp.definitions.errors import DefinitionError, Problem
from surveyapp.definitions.model import Questionnaire
from surveyapp.definitions.validate import build, slug_of
from surveyapp.definitions.yamlsource import compose_text

#: Largest definition accepted, checked before parsing (256 KiB).
MAX_BYTES = 256 * 1024


def _too_large(file: str, size: int, max_bytes: int) -> Problem:
    return Problem(file, 1, 1, f"file is {size} bytes, over the limit of {max_bytes} bytes")


def _check_text(
    text: str, filename: str, max_bytes: int
) -> tuple[Questionnaire | None, list[Problem]]:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        return None, [_too_large(filename, size, max_bytes)]
    root, problems = compose_text(text.removeprefix("\ufeff"), filename)
    if root is None:
        return None, problems
    questionnaire, more = build(root, filename, slug_of(filename))
    problems = sorted([*problems, *more], key=lambda p: (p.line, p.column))
    return (questionnaire if not problems else None), problems


def _read(path: Path, max_bytes: int) -> tuple[str | None, list[Problem]]:
    file = str(path)
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            return None, [_too_large(file, size, max_bytes)]
        with open(path, "rb") as handle:
            # Read one byte more than allowed, in case the file grew after stat().
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, [Problem(file, 1, 1, f"cannot read file: {exc.strerror or exc}")]
    if len(data) > max_bytes:
        return None, [_too_large(file, len(data), max_bytes)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        return None, [Problem(file, line, column, "file is not valid UTF-8 text")]


def check_text(text: str, filename: str, *, max_bytes: int = MAX_BYTES) -> list[Problem]:
    """Return every problem of definition ``text`` (named ``filename``); [] when valid."""
    return _check_text(text, filename, max_bytes)[1]


def parse_text(text: str, filename: str, *, max_bytes: int = MAX_BYTES) -> Questionnaire:
    """Parse definition ``text``; the slug is ``filename`` without its extension.

    Raises DefinitionError listing every problem.
    """
    questionnaire, problems = _check_text(text, filename, max_bytes)
    if questionnaire is None:
        raise DefinitionError(problems)
    return questionnaire


def check_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> list[Problem]:
    """Return every problem of the definition file at ``path``; [] when valid."""
    text, problems = _read(Path(path), max_bytes)
    if text is None:
        return problems
    return check_text(text, str(path), max_bytes=max_bytes)


def load_questionnaire(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES
) -> Questionnaire:
    """Load and validate the definition file at ``path``; raise DefinitionError if invalid."""
    text, problems = _read(Path(path), max_bytes)
    if text is None:
        raise DefinitionError(problems)
    return parse_text(text, str(path), max_bytes=max_bytes)
