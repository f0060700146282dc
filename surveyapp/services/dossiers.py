"""Dossier codes (mã hồ sơ): loading an agency's codes, requiring them, using each once."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from surveyapp.errors import InputError, Problem
from surveyapp.models import DossierCode, DossierRequirement, utcnow

#: Letters, digits and the separators one-stop shops print (., -, /, _).
CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9./_-]{0,63}")
#: Codes looked up per query: well under every backend's limit on bound parameters.
LOOKUP_CHUNK = 1000


@dataclass(frozen=True)
class LoadResult:
    added: int
    existing: int


def normalise_code(raw: str) -> str:
    """Return a code as stored: upper case, without spaces."""
    return "".join(raw.split()).upper()


def parse_codes(text: str) -> list[str]:
    """Codes from a plain list (one a line) or a CSV with a ``code`` column."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    if "," in first or first.strip().lower() == "code":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if "code" not in (reader.fieldnames or []):
            raise InputError(Problem("line 1: a CSV file needs a 'code' column"))
        return [row.get("code") or "" for row in reader]
    return text.splitlines()


def load_codes(session: Session, agency_id: int, codes: Iterable[str]) -> LoadResult:
    """Add an agency's codes, all or nothing; codes already loaded are kept as they are."""
    clean: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(codes, start=1):
        code = normalise_code(raw)
        if not code:
            continue
        if not CODE_PATTERN.fullmatch(code):
            problems.append(
                Problem(
                    "line %(line)s: %(value)r is not a dossier code",
                    line=number,
                    value=raw.strip()[:80],
                )
            )
        elif code not in clean:
            clean.append(code)
    if problems:
        raise InputError(problems)
    have: set[str] = set()
    for start in range(0, len(clean), LOOKUP_CHUNK):
        have.update(
            session.scalars(
                select(DossierCode.code).where(
                    DossierCode.agency_id == agency_id,
                    DossierCode.code.in_(clean[start : start + LOOKUP_CHUNK]),
                )
            )
        )
    session.add_all(DossierCode(agency_id=agency_id, code=c) for c in clean if c not in have)
    session.flush()
    return LoadResult(added=len(clean) - len(have), existing=len(have))


def set_required(session: Session, agency_id: int, questionnaire_id: int, required: bool) -> None:
    """Make the agency's questionnaire require a dossier code, or stop requiring one."""
    row = session.get(DossierRequirement, (agency_id, questionnaire_id))
    if required and row is None:
        session.add(DossierRequirement(agency_id=agency_id, questionnaire_id=questionnaire_id))
    elif not required and row is not None:
        session.delete(row)
    session.flush()


def is_required(session: Session, agency_id: int, questionnaire_id: int) -> bool:
    return session.get(DossierRequirement, (agency_id, questionnaire_id)) is not None


def unused_code_id(session: Session | Connection, agency_id: int, code: str) -> int | None:
    """Return the id of the agency's unused code ``code``, or None."""
    return session.scalar(
        select(DossierCode.id).where(
            DossierCode.agency_id == agency_id,
            DossierCode.code == normalise_code(code),
            DossierCode.response_id.is_(None),
        )
    )


def claim(session: Session | Connection, code_id: int, response_id: int) -> bool:
    """Mark a code used by ``response_id``; False when another response took it first."""
    result = session.execute(
        update(DossierCode)
        .where(DossierCode.id == code_id, DossierCode.response_id.is_(None))
        .values(response_id=response_id, used_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def count_codes(session: Session, agency_id: int) -> tuple[int, int]:
    """Return (loaded, used) counts of an agency's codes."""
    total = session.scalar(
        select(func.count()).select_from(DossierCode).where(DossierCode.agency_id == agency_id)
    )
    used = session.scalar(
        select(func.count())
        .select_from(DossierCode)
        .where(DossierCode.agency_id == agency_id, DossierCode.response_id.is_not(None))
    )
    return int(total or 0), int(used or 0)
