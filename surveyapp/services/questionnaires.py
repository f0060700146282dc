"""Questionnaire versions: storing validated definitions and reading them back."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from surveyapp.definitions import (
    DefinitionError,
    Problem,
    Questionnaire,
    load_questionnaire,
)
from surveyapp.definitions import check_file as _check_file
from surveyapp.errors import NotFoundError
from surveyapp.models import Questionnaire as QuestionnaireRow
from surveyapp.models import QuestionnaireVersion

DEFINITION_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadResult:
    slug: str
    version: int
    created: bool


def definition_files(paths: Sequence[Path]) -> list[Path]:
    """Expand directories into the definition files they hold, sorted by name."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in DEFINITION_SUFFIXES))
        else:
            files.append(path)
    return files


def check_files(paths: Sequence[Path]) -> list[Problem]:
    """Return every problem of every file (an empty list when all are valid)."""
    problems: list[Problem] = []
    for path in paths:
        problems.extend(_check_file(path))
    return problems


def parse_files(paths: Sequence[Path]) -> list[tuple[Questionnaire, str]]:
    """Parse every file; raise DefinitionError listing the problems of all of them."""
    parsed: list[tuple[Questionnaire, str]] = []
    problems: list[Problem] = []
    slugs: dict[str, Path] = {}
    for path in paths:
        try:
            definition = load_questionnaire(path)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        source = path.read_text(encoding="utf-8")
        if definition.slug in slugs:
            problems.append(
                Problem(
                    str(path), 1, 1, f"slug {definition.slug!r} is also {slugs[definition.slug]}"
                )
            )
            continue
        slugs[definition.slug] = path
        parsed.append((definition, source))
    if problems:
        raise DefinitionError(problems)
    return parsed


def store_version(session: Session, definition: Questionnaire, source: str) -> LoadResult:
    """Store ``definition`` as a new version unless an identical one exists."""
    row = session.scalar(select(QuestionnaireRow).where(QuestionnaireRow.slug == definition.slug))
    if row is None:
        row = QuestionnaireRow(slug=definition.slug)
        session.add(row)
        session.flush()
    same = session.scalar(
        select(QuestionnaireVersion.version).where(
            QuestionnaireVersion.questionnaire_id == row.id,
            QuestionnaireVersion.content_hash == definition.content_hash,
        )
    )
    if same is not None:
        return LoadResult(definition.slug, same, created=False)
    newest = session.scalar(
        select(func.max(QuestionnaireVersion.version)).where(
            QuestionnaireVersion.questionnaire_id == row.id
        )
    )
    version = QuestionnaireVersion(
        questionnaire_id=row.id,
        version=(newest or 0) + 1,
        content_hash=definition.content_hash,
        title_vi=definition.title.vi,
        title_en=definition.title.en,
        definition=definition.to_dict(),
        source_text=source,
    )
    session.add(version)
    session.flush()
    return LoadResult(definition.slug, version.version, created=True)


def load_files(session: Session, paths: Sequence[Path]) -> list[LoadResult]:
    """Validate all files, then store their new versions; nothing is stored on error."""
    return [store_version(session, d, source) for d, source in parse_files(paths)]


def list_versions(session: Session) -> list[QuestionnaireVersion]:
    """Every stored version, by slug then version."""
    return list(
        session.scalars(
            select(QuestionnaireVersion)
            .join(QuestionnaireRow)
            .order_by(QuestionnaireRow.slug, QuestionnaireVersion.version)
        )
    )


def get_version(session: Session, slug: str, version: int | None = None) -> QuestionnaireVersion:
    """Return one version of ``slug`` (the newest when ``version`` is None)."""
    query = (
        select(QuestionnaireVersion)
        .join(QuestionnaireRow)
        .where(QuestionnaireRow.slug == slug)
        .order_by(QuestionnaireVersion.version.desc())
    )
    if version is not None:
        query = query.where(QuestionnaireVersion.version == version)
    found = session.scalars(query.limit(1)).first()
    if found is None:
        what = slug if version is None else f"{slug} version {version}"
        raise NotFoundError(f"no questionnaire {what}")
    return found


_definitions: dict[str, Questionnaire] = {}
_MAX_CACHED = 256


def definition_of(version: QuestionnaireVersion) -> Questionnaire:
    """Return the parsed definition of a stored version.

    Cached by content hash: a hash names one definition, and versions never change.
    """
    return parse_stored(version.content_hash, lambda: version.definition)


def parse_stored(content_hash: str, document: Callable[[], Mapping[str, Any]]) -> Questionnaire:
    """Return the parsed definition named by ``content_hash``.

    ``document`` returns the stored definition; it is called only when the hash
    has not been parsed yet.
    """
    found = _definitions.get(content_hash)
    if found is None:
        found = Questionnaire.from_dict(document())
        if len(_definitions) >= _MAX_CACHED:
            _definitions.clear()
        _definitions[content_hash] = found
    return found


def newest_versions() -> Select[tuple[QuestionnaireRow, QuestionnaireVersion]]:
    """Return a query of each questionnaire with its newest version, by slug."""
    newest = (
        select(
            QuestionnaireVersion.questionnaire_id,
            func.max(QuestionnaireVersion.version).label("version"),
        )
        .group_by(QuestionnaireVersion.questionnaire_id)
        .subquery()
    )
    return (
        select(QuestionnaireRow, QuestionnaireVersion)
        .join(newest, newest.c.questionnaire_id == QuestionnaireRow.id)
        .join(
            QuestionnaireVersion,
            (QuestionnaireVersion.questionnaire_id == QuestionnaireRow.id)
            & (QuestionnaireVersion.version == newest.c.version),
        )
        .order_by(QuestionnaireRow.slug)
    )
