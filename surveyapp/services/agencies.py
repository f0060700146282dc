"""Agencies: adding, listing and importing a city's structure from CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveyapp.definitions.characters import describe, forbidden
from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import AGENCY_KINDS, Agency, AgencyOrigin
from surveyapp.origins import OriginError, normalise_origin
from surveyapp.services.agency_theme import parse_color

CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
CSV_COLUMNS = ("code", "name_vi", "name_en", "kind", "origins", "theme_color")
MAX_NAME_LENGTH = 200


@dataclass
class AgencyInput:
    """An agency as given by a person, before it is checked."""

    code: str
    name_vi: str
    name_en: str
    kind: str
    origins: list[str] = field(default_factory=list)
    #: ``#rrggbb``; "" removes the colour, None keeps the agency's current one.
    theme_color: str | None = None


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    #: Agencies left as they were (``keep_existing``).
    kept: int = 0


def check_agency(data: AgencyInput) -> tuple[AgencyInput, list[tuple[str, str]]]:
    """Return the normalised input and a list of (field, problem) pairs."""
    problems: list[tuple[str, str]] = []
    code = data.code.strip().upper()
    if not CODE_PATTERN.fullmatch(code):
        problems.append(
            (
                "code",
                Problem(
                    "must be 1-32 letters, digits, '-' or '_', starting with a letter or digit"
                ),
            )
        )
    names = {}
    for name_field in ("name_vi", "name_en"):
        value = " ".join(getattr(data, name_field).split())
        if not value:
            problems.append((name_field, Problem("must not be empty")))
        elif len(value) > MAX_NAME_LENGTH:
            problems.append(
                (name_field, Problem("must be at most %(n)s characters", n=MAX_NAME_LENGTH))
            )
        elif (bad := forbidden(value)) is not None:
            problems.append((name_field, Problem("must not contain %(what)s", what=describe(bad))))
        names[name_field] = value
    kind = data.kind.strip().lower()
    if kind not in AGENCY_KINDS:
        problems.append(
            (
                "kind",
                Problem(
                    "must be one of %(kinds)s, not %(value)r",
                    kinds=", ".join(AGENCY_KINDS),
                    value=data.kind,
                ),
            )
        )
    origins: list[str] = []
    for raw in data.origins:
        try:
            origin = normalise_origin(raw)
        except OriginError as exc:
            problems.append(("origins", exc.args[0]))
            continue
        if origin not in origins:
            origins.append(origin)
    color = data.theme_color
    if color is not None:
        try:
            color = parse_color(color) or ""
        except ValueError as exc:
            problems.append(("theme_color", exc.args[0]))
    clean = AgencyInput(code, names["name_vi"], names["name_en"], kind, origins, color)
    return clean, problems


def _apply(session: Session, data: AgencyInput) -> bool:
    """Insert or update one checked agency; return True when it is new."""
    agency = session.scalar(select(Agency).where(Agency.code == data.code))
    created = agency is None
    if agency is None:
        agency = Agency(code=data.code)
        session.add(agency)
    agency.name_vi = data.name_vi
    agency.name_en = data.name_en
    agency.kind = data.kind
    agency.active = True
    if data.theme_color is not None:
        agency.theme_color = data.theme_color or None
    _replace_origins(agency, data.origins)
    session.flush()
    return created


def add_agency(session: Session, data: AgencyInput, *, replace: bool = False) -> Agency:
    """Add an agency; with ``replace`` an existing code is updated instead of refused."""
    clean, problems = check_agency(data)
    if problems:
        raise InputError(
            [Problem("%(field)s: %(problems)s", field=name, problems=p) for name, p in problems]
        )
    if not replace and session.scalar(select(Agency.id).where(Agency.code == clean.code)):
        raise InputError(
            Problem("code: an agency with code %(code)s already exists", code=clean.code)
        )
    _apply(session, clean)
    return get_agency(session, clean.code)


def stored_forms(values: list[str]) -> list[tuple[str, str]]:
    """Return (as given, as stored) for each valid origin whose host was converted to punycode."""
    converted = []
    for raw in values:
        try:
            origin = normalise_origin(raw)
        except OriginError:
            continue
        if "xn--" in origin and "xn--" not in raw.lower():
            converted.append((raw.strip(), origin))
    return converted


def _checked_origins(values: list[str]) -> list[str]:
    origins: list[str] = []
    problems: list[str] = []
    for raw in values:
        try:
            origin = normalise_origin(raw)
        except OriginError as exc:
            problems.append(Problem("origins: %(problem)s", problem=exc.args[0]))
            continue
        if origin not in origins:
            origins.append(origin)
    if problems:
        raise InputError(problems)
    return origins


def set_origins(session: Session, code: str, origins: list[str]) -> Agency:
    """Replace the embed origins of the agency ``code`` (all checked first)."""
    wanted = _checked_origins(origins)
    agency = get_agency(session, code)
    _replace_origins(agency, wanted)
    session.flush()
    return agency


def change_origins(session: Session, code: str, add: list[str], remove: list[str]) -> Agency:
    """Add and remove embed origins of the agency ``code``; removing one not listed is refused."""
    added, removed = _checked_origins(add), _checked_origins(remove)
    agency = get_agency(session, code)
    have = [o.origin for o in agency.origins]
    missing = [o for o in removed if o not in have]
    if missing:
        raise InputError(
            [
                Problem(
                    "origins: %(origin)s is not listed for %(code)s", origin=o, code=agency.code
                )
                for o in missing
            ]
        )
    wanted = [o for o in have if o not in removed] + [o for o in added if o not in have]
    _replace_origins(agency, wanted)
    session.flush()
    return agency


def _replace_origins(agency: Agency, wanted: list[str]) -> None:
    for existing in list(agency.origins):
        if existing.origin not in wanted:
            agency.origins.remove(existing)
    have = {o.origin for o in agency.origins}
    agency.origins.extend(AgencyOrigin(origin=o) for o in wanted if o not in have)


def get_agency(session: Session, code: str) -> Agency:
    agency = session.scalar(
        select(Agency)
        .where(Agency.code == code.strip().upper())
        .options(selectinload(Agency.origins))
    )
    if agency is None:
        raise NotFoundError(f"no agency with code {code!r}")
    return agency


def list_agencies(session: Session, *, include_inactive: bool = False) -> list[Agency]:
    query = select(Agency).options(selectinload(Agency.origins)).order_by(Agency.kind, Agency.code)
    if not include_inactive:
        query = query.where(Agency.active)
    return list(session.scalars(query))


def parse_agencies_csv(text: str) -> list[AgencyInput]:
    """Parse and check a whole CSV; raise InputError naming every bad row and column."""
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = reader.fieldnames or []
    missing = [c for c in CSV_COLUMNS[:4] if c not in header]
    if missing:
        raise InputError(
            f"row 1: missing column(s) {', '.join(missing)}; "
            f"expected header {','.join(CSV_COLUMNS)}"
        )
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise InputError(f"row 1: unknown column(s) {', '.join(unknown)}")
    errors: list[str] = []
    rows: list[AgencyInput] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            row_number = reader.line_num
            if None in record:
                errors.append(f"row {row_number}: more cells than columns in the header")
                continue
            data = AgencyInput(
                code=record.get("code") or "",
                name_vi=record.get("name_vi") or "",
                name_en=record.get("name_en") or "",
                kind=record.get("kind") or "",
                origins=(record.get("origins") or "").split(),
                theme_color=record.get("theme_color"),  # None without the column: kept
            )
            clean, problems = check_agency(data)
            errors.extend(f"row {row_number}, column {col}: {msg}" for col, msg in problems)
            if clean.code in seen:
                errors.append(
                    f"row {row_number}, column code: {clean.code} repeats row {seen[clean.code]}"
                )
            seen[clean.code] = row_number
            rows.append(clean)
    except csv.Error as exc:
        errors.append(f"row {reader.line_num}: {exc}")
    if errors:
        raise InputError(errors)
    if not rows:
        raise InputError("the file has a header but no agencies")
    return rows


def import_agencies(session: Session, text: str, *, keep_existing: bool = False) -> ImportResult:
    """Add or update every agency of a CSV text, all or nothing.

    With ``keep_existing`` an agency already stored is left exactly as it is
    (names, kind, origins, theme, active or not): only new codes are added.
    """
    rows = parse_agencies_csv(text)
    if keep_existing:
        stored = set(session.scalars(select(Agency.code)))
        new = [row for row in rows if row.code not in stored]
        added = sum(_apply(session, row) for row in new)
        return ImportResult(added=added, updated=0, kept=len(rows) - len(new))
    added = sum(_apply(session, row) for row in rows)
    return ImportResult(added=added, updated=len(rows) - added)
