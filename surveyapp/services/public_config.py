"""The settings the public form path reads, kept in memory and checked on every request.

Every form view and submission needs the same few facts: the newest version
of a questionnaire (or the version a token names), an agency by code or id
with its embed origins and theme, whether the questionnaire takes answers for
it, whether it needs a dossier code, and the active agencies of the city
portal. Staff change them rarely; reading them again costs about fifteen SQL
statements per form view and submission.

So each process keeps a ``Snapshot`` of them per database. Triggers (migration
0007) give ``config_generation.value`` a new random number in the same
transaction as any change to the tables the snapshot is read from; a request
reads that one value and reuses the snapshot only when it is the value the
snapshot was read at. Every server and worker therefore sees a change as soon
as it is committed, with nothing to share between them. A random number, not
a counter, names one committed state: a change rolled back leaves the earlier
value, which names the earlier state again.

The generation is read before the settings, so a snapshot read while a change
commits is labelled with the older value and read again on the next request.

A future migration that rebuilds one of the watched tables on SQLite (a
``batch_alter_table`` copy) drops its triggers and must create them again;
``tests/services/test_public_config.py`` checks every watched table.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from surveyapp.definitions import Questionnaire
from surveyapp.models import Agency, AgencyLogo, AgencyOrigin, QuestionnaireVersion
from surveyapp.models import Questionnaire as QuestionnaireRow
from surveyapp.models.admin import QuestionnaireAvailability
from surveyapp.models.public import DossierRequirement
from surveyapp.origins import usable_origins
from surveyapp.services.agency_theme import ThemeSummary, theme_summary
from surveyapp.services.availability import Setting
from surveyapp.services.questionnaires import parse_stored

#: The table the triggers keep; not a model (like ``alembic_version``).
GENERATION_TABLE = "config_generation"
#: The tables the snapshot is read from, each with triggers that change the generation.
WATCHED_TABLES = (
    "agencies",
    "agency_origins",
    "agency_logos",
    "questionnaires",
    "questionnaire_versions",
    "questionnaire_availability",
    "dossier_requirements",
)

_GENERATION = text(f"SELECT value FROM {GENERATION_TABLE} WHERE id = 1")  # noqa: S608


@dataclass(frozen=True)
class AgencyInfo:
    """An agency as the public forms see it."""

    id: int
    code: str
    name_vi: str
    name_en: str
    kind: str
    active: bool
    #: Origins allowed to embed its forms, in order.
    origins: tuple[str, ...]
    theme: ThemeSummary

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class VersionInfo:
    """A stored questionnaire version without its definition."""

    id: int
    questionnaire_id: int
    slug: str
    version: int
    content_hash: str
    title_vi: str
    title_en: str


@dataclass
class Snapshot:
    """The public forms' settings at one generation."""

    generation: int
    agencies_by_code: dict[str, AgencyInfo]
    agencies_by_id: dict[int, AgencyInfo]
    #: Active agencies, by kind then code (the city portal's list).
    portal_agencies: tuple[AgencyInfo, ...]
    versions: dict[int, VersionInfo]
    #: The newest version of each questionnaire, by slug.
    newest: dict[str, VersionInfo]
    #: Availability settings by (questionnaire id, agency id or None for all agencies).
    availability: dict[tuple[int, int | None], Setting]
    #: (agency id, questionnaire id) pairs that need a dossier code.
    dossier_required: frozenset[tuple[int, int]]
    #: Stored definitions read so far, by version id.
    _documents: dict[int, Mapping[str, Any]] = field(default_factory=dict)

    def agency_by_code(self, code: str | None) -> AgencyInfo | None:
        return self.agencies_by_code.get((code or "").strip().upper())

    def takes_answers(self, agency_id: int, questionnaire_id: int, now: dt.datetime) -> bool:
        """Whether the questionnaire is open for the agency at ``now`` (UTC).

        The agency's own setting wins over the all-agencies one; none at all is open.
        """
        setting = self.availability.get((questionnaire_id, agency_id)) or self.availability.get(
            (questionnaire_id, None)
        )
        return setting is None or setting.takes_answers(now)

    def needs_dossier(self, agency_id: int, questionnaire_id: int) -> bool:
        return (agency_id, questionnaire_id) in self.dossier_required

    def document(self, session: Session | Connection, version: VersionInfo) -> Mapping[str, Any]:
        """Return the stored definition (``Questionnaire.to_dict()``) of ``version``."""
        found = self._documents.get(version.id)
        if found is None:
            found = session.scalar(
                select(QuestionnaireVersion.definition).where(QuestionnaireVersion.id == version.id)
            )
            if found is None:
                raise LookupError(f"questionnaire version {version.id} is gone")
            self._documents[version.id] = found
        return found

    def definition(self, session: Session | Connection, version: VersionInfo) -> Questionnaire:
        """Return the parsed definition of ``version``."""
        return parse_stored(version.content_hash, lambda: self.document(session, version))


class _Cache:
    """The snapshot a process holds for one database."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None


_caches: weakref.WeakKeyDictionary[Engine, _Cache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def current(session: Session | Connection) -> Snapshot:
    """Return the settings as committed (or as changed in ``session``'s transaction)."""
    bind = session.get_bind() if isinstance(session, Session) else session
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = _Cache()
    generation = int(session.execute(_GENERATION).scalar_one())
    snapshot = cache.snapshot
    if snapshot is None or snapshot.generation != generation:
        snapshot = cache.snapshot = _read(session, generation)
    return snapshot


def _read(session: Session | Connection, generation: int) -> Snapshot:
    origins: dict[int, list[str]] = {}
    for agency_id, origin in session.execute(
        select(AgencyOrigin.agency_id, AgencyOrigin.origin).order_by(AgencyOrigin.origin)
    ):
        origins.setdefault(agency_id, []).append(origin)
    agencies = [
        AgencyInfo(
            id=row.id,
            code=row.code,
            name_vi=row.name_vi,
            name_en=row.name_en,
            kind=row.kind,
            active=row.active,
            origins=tuple(usable_origins(origins.get(row.id, ()))),
            theme=theme_summary(row.code, row.theme_color, row.sha256, row.width, row.height),
        )
        for row in session.execute(
            select(
                Agency.id,
                Agency.code,
                Agency.name_vi,
                Agency.name_en,
                Agency.kind,
                Agency.active,
                Agency.theme_color,
                AgencyLogo.sha256,
                AgencyLogo.width,
                AgencyLogo.height,
            )
            .outerjoin(AgencyLogo, AgencyLogo.agency_id == Agency.id)
            .order_by(Agency.kind, Agency.code)
        )
    ]
    versions = [
        VersionInfo(*row)
        for row in session.execute(
            select(
                QuestionnaireVersion.id,
                QuestionnaireVersion.questionnaire_id,
                QuestionnaireRow.slug,
                QuestionnaireVersion.version,
                QuestionnaireVersion.content_hash,
                QuestionnaireVersion.title_vi,
                QuestionnaireVersion.title_en,
            )
            .join(QuestionnaireRow)
            .order_by(QuestionnaireRow.slug, QuestionnaireVersion.version)
        )
    ]
    availability = {
        (row.questionnaire_id, row.agency_id): Setting(row.is_open, row.opens_at, row.closes_at)
        for row in session.execute(
            select(
                QuestionnaireAvailability.questionnaire_id,
                QuestionnaireAvailability.agency_id,
                QuestionnaireAvailability.is_open,
                QuestionnaireAvailability.opens_at,
                QuestionnaireAvailability.closes_at,
            )
        )
    }
    required = frozenset(
        (row.agency_id, row.questionnaire_id)
        for row in session.execute(
            select(DossierRequirement.agency_id, DossierRequirement.questionnaire_id)
        )
    )
    return Snapshot(
        generation=generation,
        agencies_by_code={a.code: a for a in agencies},
        agencies_by_id={a.id: a for a in agencies},
        portal_agencies=tuple(a for a in agencies if a.active),
        versions={v.id: v for v in versions},
        # Ordered by version: the last one of a slug is its newest.
        newest={v.slug: v for v in versions},
        availability=availability,
        dossier_required=required,
    )
