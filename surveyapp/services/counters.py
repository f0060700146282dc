"""Counters of an agency's one-stop shop: added, renamed, listed, deactivated; looked up by code.

A counter's code is short and printed at the counter (``3``, ``A2``): letters,
digits, ``-`` and ``_``, at most 32 characters, unique within its agency and
kept as upper case. An inactive counter takes no new ratings; its past ratings
stay counted under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import Agency, Response
from surveyapp.models.counters import Counter
from surveyapp.services.agencies import get_agency

CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
MAX_NAME_LENGTH = 200


def clean_code(raw: str) -> str:
    """Return a counter code in its stored form; raise InputError when it is not one."""
    code = raw.strip().upper()
    if not CODE_RE.fullmatch(code):
        raise InputError(
            Problem(
                "counter code %(value)r: use 1-32 letters, digits, '-' or '_', starting with a "
                "letter or digit",
                value=raw,
            )
        )
    return code


def _clean_name(raw: str, what: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise InputError(Problem("%(what)s is empty", what=what))
    if len(name) > MAX_NAME_LENGTH:
        raise InputError(
            Problem("%(what)s is longer than %(n)s characters", what=what, n=MAX_NAME_LENGTH)
        )
    return name


def _clean_names(name_vi: str, name_en: str) -> tuple[list[str], list[str]]:
    """Both names cleaned, and the problems of those that are not valid."""
    problems: list[str] = []
    names = []
    for raw, what in (
        (name_vi, Problem("the Vietnamese name")),
        (name_en, Problem("the English name")),
    ):
        try:
            names.append(_clean_name(raw, what))
        except InputError as exc:
            problems.extend(exc.messages)
    return names, problems


def add_counter(
    session: Session, agency_code: str, code: str, name_vi: str, name_en: str
) -> Counter:
    """Add a counter to an agency; NotFoundError for an unknown agency, InputError otherwise."""
    agency = get_agency(session, agency_code)
    clean = clean_code(code)
    names, problems = _clean_names(name_vi, name_en)
    if find_counter(session, agency.id, clean) is not None:
        problems.append(
            Problem("%(agency)s already has a counter %(code)s", agency=agency.code, code=clean)
        )
    if problems:
        raise InputError(problems)
    counter = Counter(agency_id=agency.id, code=clean, name_vi=names[0], name_en=names[1])
    session.add(counter)
    session.flush()
    return counter


def find_counter(session: Session, agency_id: int, code: str) -> Counter | None:
    """Return the agency's counter ``code`` (any case), or None."""
    return session.scalar(
        select(Counter).where(Counter.agency_id == agency_id, Counter.code == code.strip().upper())
    )


def get_counter(session: Session, agency_code: str, code: str) -> Counter:
    """Return a counter by agency and counter code; NotFoundError when there is none."""
    agency = get_agency(session, agency_code)
    counter = find_counter(session, agency.id, code)
    if counter is None:
        raise NotFoundError(f"{agency.code} has no counter {code.strip().upper()!r}")
    return counter


def rename_counter(
    session: Session, agency_code: str, code: str, name_vi: str, name_en: str
) -> Counter:
    """Change a counter's names (its code, printed and in links, stays)."""
    counter = get_counter(session, agency_code, code)
    names, problems = _clean_names(name_vi, name_en)
    if problems:
        raise InputError(problems)
    counter.name_vi, counter.name_en = names
    session.flush()
    return counter


def set_active(session: Session, agency_code: str, code: str, active: bool) -> Counter:
    """Deactivate (or reactivate) a counter."""
    counter = get_counter(session, agency_code, code)
    counter.active = active
    session.flush()
    return counter


@dataclass(frozen=True)
class CounterRow:
    """A counter as listed, with how many ratings it has."""

    counter: Counter
    ratings: int


def list_counters(session: Session, agency_code: str | None = None) -> list[CounterRow]:
    """Return counters (of one agency, or all) by agency and code, with their ratings."""
    query = (
        select(Counter, func.count(Response.id))
        .join(Agency, Agency.id == Counter.agency_id)
        .outerjoin(Response, Response.counter_id == Counter.id)
        .group_by(Counter.id, Agency.code)
        .order_by(Agency.code, Counter.code)
        .options(selectinload(Counter.agency))
    )
    if agency_code is not None:
        query = query.where(Agency.id == get_agency(session, agency_code).id)
    return [CounterRow(counter, int(n)) for counter, n in session.execute(query).all()]
