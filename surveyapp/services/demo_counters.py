"""Demo counters and counter ratings: District 1's one-stop shop and two others.

Counters 1-4 of District 1 (Q1), 1-3 of Districts 3 and 8, each with a few civil
servants (staff codes ``CB01``…); ratings on the ``counter`` channel, given during
office hours and mostly sent at once (some arrive minutes to hours later, from a
kiosk's offline queue), all in the demo year as the other demo responses. Answers
come from the same latent model as the other demo responses and pass the same validator.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveyapp.models import Agency, QuestionnaireVersion, Response
from surveyapp.models.counters import Counter
from surveyapp.reporting import folding
from surveyapp.services.counters import find_counter
from surveyapp.services.demo import _Generator
from surveyapp.services.questionnaires import definition_of
from surveyapp.services.responses import NewResponse, check_answers, store_responses

SLUG = "counter"
#: Counters per agency: code, Vietnamese and English names.
DEMO_COUNTERS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Q1": (
        ("1", "Quầy số 1 - Đất đai", "Counter 1 - Land"),
        ("2", "Quầy số 2 - Xây dựng", "Counter 2 - Construction"),
        ("3", "Quầy số 3 - Hộ tịch", "Counter 3 - Civil status"),
        ("4", "Quầy số 4 - Kinh doanh", "Counter 4 - Business"),
    ),
    "Q3": (
        ("1", "Quầy số 1", "Counter 1"),
        ("2", "Quầy số 2", "Counter 2"),
        ("3", "Quầy số 3", "Counter 3"),
    ),
    "Q8": (
        ("1", "Quầy số 1", "Counter 1"),
        ("2", "Quầy số 2", "Counter 2"),
        ("3", "Quầy số 3", "Counter 3"),
    ),
}
#: Civil servants per counter; ratings carry one's staff code this often.
OFFICERS_PER_COUNTER = 2
OFFICER_SHARE = 0.85
#: Ratings that waited in a kiosk's offline queue before they arrived.
QUEUED_SHARE = 0.08


def add_demo_counters(session: Session) -> int:
    """Add the demo agencies' counters that are not stored yet; return how many were added."""
    added = 0
    for code, rows in DEMO_COUNTERS.items():
        agency = session.scalar(select(Agency).where(Agency.code == code))
        if agency is None:
            continue
        for counter_code, name_vi, name_en in rows:
            if find_counter(session, agency.id, counter_code) is None:
                session.add(
                    Counter(
                        agency_id=agency.id, code=counter_code, name_vi=name_vi, name_en=name_en
                    )
                )
                added += 1
    session.flush()
    return added


def _counters_by_agency(session: Session) -> dict[int, list[Counter]]:
    found: dict[int, list[Counter]] = {}
    codes = list(DEMO_COUNTERS)
    query = (
        select(Counter)
        .join(Agency, Agency.id == Counter.agency_id)
        .where(Agency.code.in_(codes), Agency.active, Counter.active)
        .order_by(Agency.code, Counter.code)
    )
    for counter in session.scalars(query):
        found.setdefault(counter.agency_id, []).append(counter)
    return found


def generate_counter_ratings(
    session: Session,
    version: QuestionnaireVersion,
    *,
    count: int,
    seed: int,
    year: int = 2017,
    timezone: str = "Asia/Ho_Chi_Minh",
) -> int:
    """Store ``count`` accepted counter ratings at the demo counters; return how many."""
    by_agency = _counters_by_agency(session)
    if not by_agency or count == 0:
        return 0
    agencies: Sequence[Agency] = [session.get_one(Agency, agency_id) for agency_id in by_agency]
    definition = definition_of(version)
    generator = _Generator(definition, agencies, seed)
    draw = generator.draw
    tz = zoneinfo.ZoneInfo(timezone)
    stored = 0
    for start in range(0, count, 2000):
        batch: list[NewResponse] = []
        extra: list[dict[str, Any]] = []
        for _ in range(min(2000, count - start)):
            index = draw.choices(range(len(agencies)), weights=generator.agency_weights)[0]
            given = generator.when(year, tz)
            checked = check_answers(definition, generator.answers(index, given))
            if checked.errors:
                details = "; ".join(str(e) for e in checked.errors)
                raise RuntimeError(f"demo counter ratings refused by the validator: {details}")
            counter = draw.choice(by_agency[agencies[index].id])
            officer = None
            if draw.random() < OFFICER_SHARE:
                number = (int(counter.code) - 1) * OFFICERS_PER_COUNTER
                officer = f"CB{number + draw.randrange(OFFICERS_PER_COUNTER) + 1:02d}"
            delay = dt.timedelta(seconds=draw.uniform(0.5, 3))
            if draw.random() < QUEUED_SHARE:
                delay = dt.timedelta(minutes=draw.uniform(5, 240))
            arrived = given + delay
            batch.append(
                NewResponse(
                    questionnaire_version_id=version.id,
                    agency_id=agencies[index].id,
                    channel="counter",
                    answers=checked.answers,
                    submitted_at=arrived,
                )
            )
            extra.append({"counter_id": counter.id, "officer_code": officer, "given_at": given})
        pairs = store_responses(session, batch, with_ids=True)
        session.execute(
            update(Response),
            [{"id": rid, **fields} for (_, rid), fields in zip(pairs, extra, strict=True)],
        )
        stored += len(pairs)
    folding.fold_all(session, timezone)
    return stored
