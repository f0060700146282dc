"""Folding waiting responses into the report aggregates, a batch at a time.

A submission leaves a row in ``unfolded_responses`` (see
``services.responses.store_responses``); ``fold`` takes a batch of such rows and
adds their responses to their months' aggregates in the caller's transaction.
``services.report_folding`` decides when (every few submissions) and owns the
transactions. The folded responses' immediate alerts (``services.alert_immediate``)
are raised in the same transaction: each response is examined once, off the
submission path.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from surveyapp.models import Answer, Response, UnfoldedResponse
from surveyapp.reporting.aggregates import add_groups
from surveyapp.reporting.extract import ANSWER_COLUMNS, answers_by_response, local_month
from surveyapp.reporting.sufficient import AnswerRow
from surveyapp.services.alert_immediate import raise_for_folded

#: Responses one ``fold`` takes at most (their answers are read in one query).
FOLD_BATCH = 2000
WAITING = cast(Table, UnfoldedResponse.__table__)


def fold(session: Session, timezone: str, limit: int = FOLD_BATCH) -> int:
    """Add up to ``limit`` waiting accepted responses to their months' aggregates.

    Deletes their ``unfolded_responses`` rows and adds them in the caller's
    transaction, so a response is counted once however many folds run at the same
    time: on PostgreSQL a concurrent fold skips the rows this one has locked (and
    one deleted meanwhile is not returned twice); on SQLite write transactions run
    one at a time. Returns how many were taken.
    """
    pick = (
        select(WAITING.c.response_id)
        .order_by(WAITING.c.response_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = session.execute(
        delete(WAITING)
        .where(WAITING.c.response_id.in_(pick.scalar_subquery()))
        .returning(
            WAITING.c.response_id,
            WAITING.c.questionnaire_version_id,
            WAITING.c.agency_id,
            WAITING.c.submitted_at,
        )
    ).all()
    if not claimed:
        return 0
    ids = [row.response_id for row in claimed]
    # A response deleted in triage while it waited has left the statistics already.
    still_accepted = set(
        session.scalars(
            select(Response.id).where(Response.id.in_(ids), Response.status == "accepted")
        )
    )
    answers = answers_by_response(
        session.execute(select(*ANSWER_COLUMNS).where(Answer.response_id.in_(ids)))
    )
    tz = zoneinfo.ZoneInfo(timezone)
    groups: dict[tuple[int, int, dt.date], list[AnswerRow]] = defaultdict(list)
    for row in claimed:
        if row.response_id in still_accepted:
            month = local_month(row.submitted_at, tz)
            groups[(row.questionnaire_version_id, row.agency_id, month)].append(
                answers.get(row.response_id, {})
            )
    add_groups(session, groups, timezone)
    raise_for_folded(
        session,
        [
            (r.response_id, r.agency_id, r.questionnaire_version_id, r.submitted_at)
            for r in claimed
            if r.response_id in still_accepted
        ],
        answers,
    )
    return len(claimed)


def fold_all(session: Session, timezone: str) -> int:
    """``fold`` until no accepted response waits; returns how many were folded."""
    total = 0
    while folded := fold(session, timezone):
        total += folded
    return total
