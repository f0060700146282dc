"""Checking a marked YAML tree and building the Questionnaire from it.

Every problem is collected (none stops the walk), then sorted by position. Parts that
fail are skipped, so cross-reference checks still run on what could be read; only a
definition without problems is returned.

The parts are read by ``reading.Reader``; their references (show_if targets, scored
dimensions, scoring and weighting items) are checked by ``references.References``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from surveyapp.definitions.errors import DefinitionError, Problem
from surveyapp.definitions.fields import Ctx
from surveyapp.definitions.model import FORMAT_VERSION, LANGUAGES, RESERVED_KEYS, Questionnaire
from surveyapp.definitions.reading import MAX_SCALE_STEPS, Reader
from surveyapp.definitions.references import (
    INDEX_METHODS,
    SHARE_TOLERANCE,
    WEIGHTING_METHODS,
    References,
)
from surveyapp.definitions.yamlsource import Mark, MMap, MNode, MSeq, from_plain

__all__ = [
    "INDEX_METHODS",
    "MAX_SCALE_STEPS",
    "SHARE_TOLERANCE",
    "SLUG_PATTERN",
    "SUFFIXES",
    "TITLE_MAX",
    "WEIGHTING_METHODS",
    "build",
    "build_from_plain",
    "slug_of",
]

SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
SUFFIXES = (".yaml", ".yml", ".json")
TITLE_MAX = 300

_TOP_REQUIRED = ("format", "title", "sections")
_TOP_OPTIONAL = (
    "description",
    "languages",
    "default_language",
    "scales",
    "scoring",
    "weighting",
    "retention",
)
#: Bounds of ``retention: {days: N}``: at least a day, at most a century.
RETENTION_DAYS = (1, 36500)


def slug_of(filename: str) -> str:
    """Return the slug of a definition file: its name without the extension."""
    name = PurePath(filename).name
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _build(ctx: Ctx, root: MNode, slug: str, *, new: bool) -> Questionnaire | None:
    if not SLUG_PATTERN.fullmatch(slug):
        ctx.add(
            Mark(1, 1),
            f"slug {slug!r} (the file name) must be 1-64 lowercase ASCII letters, "
            "digits, '-' or '_', starting with a letter or digit",
        )
    if not isinstance(root, MMap):
        kind = "a list" if isinstance(root, MSeq) else "a single value"
        ctx.add(root.mark, f"the top level must be a mapping of questionnaire fields, not {kind}")
        return None
    ctx.fields(root, "the questionnaire", _TOP_REQUIRED, _TOP_OPTIONAL)
    fmt = ctx.integer(root.get("format"), "format")
    format_node = root.get("format")
    if fmt is not None and fmt != FORMAT_VERSION and format_node is not None:
        ctx.add(format_node.mark, f"unsupported format {fmt}; this version reads format 1")
    languages = _languages(ctx, root.get("languages"))
    ctx.languages = languages
    title = ctx.text(root.get("title"), "title", max_length=TITLE_MAX)
    description = ctx.text(root.get("description"), "description")
    language = ctx.choice(root.get("default_language"), "default_language", languages)
    language = language or languages[0]
    reader = Reader(ctx, reserved=RESERVED_KEYS if new else ())
    reader.read_scales(root.get("scales"))
    sections = reader.read_sections(root.get("sections"))
    partial = Questionnaire(
        slug=slug,
        title=title or _NO_TEXT,
        sections=tuple(sections),
        description=description,
        default_language=language,
        scales=tuple(reader.scales.values()),
        languages=languages,
    )
    references = References(reader)
    references.check_show_if(partial)
    references.check_dimensions(partial)
    scoring = references.read_scoring(root.get("scoring"), partial)
    weighting = references.read_weighting(root.get("weighting"), partial)
    retention = _retention(ctx, root.get("retention"))
    if ctx.problems or title is None:
        return None
    return Questionnaire(
        slug=slug,
        title=title,
        sections=tuple(sections),
        description=description,
        default_language=language,
        scales=tuple(reader.scales.values()),
        languages=languages,
        scoring=scoring,
        weighting=weighting,
        retention_days=retention,
    )


def _languages(ctx: Ctx, node: MNode | None) -> tuple[str, ...]:
    """Read ``languages: [vi]``, ``[en]`` or ``[vi, en]``; absent means both."""
    seq = ctx.sequence(node, "languages")
    if seq is None:
        return LANGUAGES
    chosen: list[str] = []
    for item in seq.items:
        lang = ctx.choice(item, "language in 'languages'", LANGUAGES)
        if lang is None:
            continue
        if lang in chosen:
            ctx.add(item.mark, f"language {lang!r} is listed twice in 'languages'")
            continue
        chosen.append(lang)
    # Kept in the canonical order, so [en, vi] and [vi, en] are the same definition.
    return tuple(lang for lang in LANGUAGES if lang in chosen) or LANGUAGES


def _retention(ctx: Ctx, node: MNode | None) -> int | None:
    """Read ``retention: {days: N}``: how long free text and dossier codes are kept."""
    m = ctx.mapping(node, "retention")
    if m is None:
        return None
    ctx.fields(m, "retention", ("days",))
    lo, hi = RETENTION_DAYS
    return ctx.integer(m.get("days"), "retention.days", lo, hi)


_NO_TEXT: Any = None  # a partial definition may lack a title; it is never returned


def build(
    root: MNode, file: str, slug: str, *, new: bool = True
) -> tuple[Questionnaire | None, list[Problem]]:
    """Check ``root`` and build the Questionnaire; return it (None on problems) and problems.

    ``new=False`` (a stored version read back) accepts the question keys that a new
    definition may not use (``RESERVED_KEYS``): versions stored before the rule stay
    readable.
    """
    ctx = Ctx(file)
    questionnaire = _build(ctx, root, slug, new=new)
    problems = sorted(ctx.problems, key=lambda p: (p.line, p.column))
    return (questionnaire if not problems else None), problems


def build_from_plain(data: Mapping[str, Any]) -> Questionnaire:
    """Validate a stored ``to_dict()`` form back into a Questionnaire."""
    plain = dict(data)
    slug = plain.pop("slug", None)
    file = f"<stored definition {slug}>"
    if not isinstance(slug, str):
        raise DefinitionError([Problem(file, 1, 1, "stored definition has no 'slug'")])
    root, bad = from_plain(plain)
    if root is None or bad:
        raise DefinitionError(
            [Problem(file, 1, 1, f"value at {path} is not JSON data") for path in bad]
        )
    questionnaire, problems = build(root, file, slug, new=False)
    if questionnaire is None:
        raise DefinitionError(problems)
    return questionnaire
