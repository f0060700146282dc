"""Registers of dossiers handled: CSV import, console entry, and reading them back.

``agency,period,dossiers`` with optional ``respondent_type`` and ``channel``
columns. A file is checked whole first; any problem names its row and column and
nothing is stored. Importing an agency and period again replaces its rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveyapp.errors import InputError, Problem
from surveyapp.models import Agency, Register, utcnow

REQUIRED = ("agency", "period", "dossiers")
OPTIONAL = ("respondent_type", "channel")
MAX_DOSSIERS = 100_000_000
_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class RegisterRow:
    agency: str
    period: str
    respondent_type: str
    channel: str
    dossiers: int


@dataclass(frozen=True)
class RegisterImport:
    rows: int
    periods_replaced: int


def period_days(period: str) -> tuple[dt.date, dt.date]:
    """First and last local day of ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``."""
    match = _PERIOD.match(period)
    if match is None:
        raise ValueError(
            Problem(
                "period %(value)r: write YYYY, YYYY-Qn or YYYY-MM (2017, 2017-Q1, 2017-03)",
                value=period,
            )
        )
    year = int(match.group(1))
    if match.group(2):
        first_month, months = 3 * int(match.group(2)) - 2, 3
    elif match.group(3):
        first_month, months = int(match.group(3)), 1
    else:
        first_month, months = 1, 12
    first = dt.date(year, first_month, 1)
    end_month = first_month + months
    end = dt.date(year + 1, 1, 1) if end_month > 12 else dt.date(year, end_month, 1)
    return first, end - dt.timedelta(days=1)


def _dossiers(text: str) -> int | str:
    if not text.isdigit() or not text.isascii():
        return Problem(
            "must be a whole number of dossiers (0-%(n)s), not %(value)r",
            n=MAX_DOSSIERS,
            value=text,
        )
    value = int(text)
    if value > MAX_DOSSIERS:
        return Problem("must be at most %(n)s", n=MAX_DOSSIERS)
    return value


def check_row(
    codes: set[str], agency: str, period: str, dossiers: str, type_: str, channel: str
) -> tuple[RegisterRow | None, list[tuple[str, str]]]:
    """One register row checked: the row or the (column, problem) pairs."""
    problems: list[tuple[str, str]] = []
    code = agency.strip().upper()
    if code not in codes:
        problems.append(("agency", Problem("no agency with code %(code)r", code=agency.strip())))
    period = period.strip()
    try:
        period_days(period)
    except ValueError as exc:
        problems.append(("period", exc.args[0]))
    number = _dossiers(dossiers.strip())
    if isinstance(number, str):
        problems.append(("dossiers", number))
    for column, value in (("respondent_type", type_), ("channel", channel)):
        if value and not _CATEGORY.match(value):
            problems.append(
                (column, Problem("%(value)r is not an option key (a-z, 0-9, _)", value=value))
            )
    if problems or isinstance(number, str):
        return None, problems
    return RegisterRow(code, period, type_, channel, number), []


def parse_registers_csv(session: Session, text: str) -> list[RegisterRow]:
    """Parse and check a whole CSV; raise InputError naming every bad row and column."""
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"row 1: missing column(s) {', '.join(missing)}; expected header "
            f"{','.join(REQUIRED)}[,{','.join(OPTIONAL)}]"
        )
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(f"row 1: unknown column(s) {', '.join(unknown)}")
    codes = set(session.scalars(select(Agency.code)))
    errors: list[str] = []
    rows: list[RegisterRow] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    try:
        for record in reader:
            number = reader.line_num
            if None in record:
                errors.append(f"row {number}: more cells than columns in the header")
                continue
            split = {c: (record.get(c) or "").strip() for c in OPTIONAL if c in header}
            for column, value in split.items():
                if not value:
                    errors.append(
                        f"row {number}, column {column}: empty (the column is in the header)"
                    )
            row, problems = check_row(
                codes,
                record.get("agency") or "",
                record.get("period") or "",
                record.get("dossiers") or "",
                split.get("respondent_type", ""),
                split.get("channel", ""),
            )
            errors.extend(f"row {number}, column {col}: {msg}" for col, msg in problems)
            if row is None:
                continue
            key = (row.agency, row.period, row.respondent_type, row.channel)
            if key in seen:
                errors.append(f"row {number}: {row.agency} {row.period} repeats row {seen[key]}")
            seen[key] = number
            rows.append(row)
    except csv.Error as exc:
        errors.append(f"row {reader.line_num}: {exc}")
    if errors:
        raise InputError(errors)
    if not rows:
        raise InputError("the file has a header but no registers")
    return rows


def store_rows(session: Session, rows: list[RegisterRow]) -> RegisterImport:
    """Replace the rows of every agency and period in ``rows`` with ``rows``."""
    ids = dict(session.execute(select(Agency.code, Agency.id)).all())
    groups: dict[tuple[int, str], list[RegisterRow]] = defaultdict(list)
    for row in rows:
        groups[(ids[row.agency], row.period)].append(row)
    replaced = 0
    now = utcnow()
    for (agency_id, period), members in groups.items():
        gone = session.execute(
            delete(Register).where(Register.agency_id == agency_id, Register.period == period)
        )
        replaced += 1 if gone.rowcount else 0
        session.add_all(
            Register(
                agency_id=agency_id,
                period=period,
                respondent_type=r.respondent_type,
                channel=r.channel,
                dossiers=r.dossiers,
                updated_at=now,
            )
            for r in members
        )
    session.flush()
    return RegisterImport(len(rows), replaced)


def import_registers(session: Session, text: str) -> RegisterImport:
    """Check a whole CSV, then store it (inside the caller's transaction)."""
    return store_rows(session, parse_registers_csv(session, text))


def set_total(session: Session, agency_code: str, period: str, dossiers: str) -> RegisterImport:
    """The console's entry: one agency's total for one period (replaces its rows)."""
    codes = set(session.scalars(select(Agency.code)))
    row, problems = check_row(codes, agency_code, period, dossiers, "", "")
    if row is None:
        raise InputError(
            [Problem("%(field)s: %(problems)s", field=c, problems=m) for c, m in problems]
        )
    return store_rows(session, [row])


@dataclass(frozen=True)
class Volumes:
    """Dossiers of one period, per agency, and per respondent type / channel if split."""

    period: str
    by_agency: dict[str, int]
    by_type: dict[tuple[str, str], int]
    by_channel: dict[tuple[str, str], int]


def periods(session: Session) -> list[str]:
    """Every period with registers, newest first."""
    found = session.scalars(select(Register.period).distinct())
    return sorted(found, reverse=True)


def volumes(session: Session, period: str, agency_ids: list[int] | None = None) -> Volumes:
    """The registers of ``period`` summed per agency (and per split when present)."""
    query = select(Agency.code, Register).join(Agency, Agency.id == Register.agency_id)
    query = query.where(Register.period == period)
    if agency_ids is not None:
        query = query.where(Register.agency_id.in_(agency_ids))
    by_agency: dict[str, int] = defaultdict(int)
    by_type: dict[tuple[str, str], int] = defaultdict(int)
    by_channel: dict[tuple[str, str], int] = defaultdict(int)
    for code, reg in session.execute(query):
        by_agency[code] += reg.dossiers
        if reg.respondent_type:
            by_type[(code, reg.respondent_type)] += reg.dossiers
        if reg.channel:
            by_channel[(code, reg.channel)] += reg.dossiers
    return Volumes(period, dict(by_agency), dict(by_type), dict(by_channel))


def period_covering(session: Session, first: dt.date | None, last: dt.date | None) -> str | None:
    """The period with registers that overlaps ``first``..``last`` most (longest on a tie)."""
    best: tuple[int, int, str] | None = None
    for period in periods(session):
        start, end = period_days(period)
        lo = start if first is None else max(start, first)
        hi = end if last is None else min(end, last)
        overlap = (hi - lo).days + 1
        if overlap <= 0:
            continue
        key = (overlap, (end - start).days, period)
        if best is None or key > best:
            best = key
    return None if best is None else best[2]
