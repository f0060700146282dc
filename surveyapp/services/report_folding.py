"""Folding submitted responses into the report aggregates, many at a time.

A submission stores its response and a row in ``unfolded_responses``; reports
read such responses raw (``reporting.aggregates``). Every ``FOLD_EVERY``
submissions, a process folds the waiting responses into their months' aggregates
(``reporting.folding``) in a write transaction of its own, after the submission
has committed: no submission waits on the aggregates, and one fold serves many
responses. A fold that fails (the database busy or away, a month kept in another
layout) is logged and left to the next one; the submission has its receipt, and
reports count the responses it would have folded from their raw rows meanwhile.
``surveyapp report fold`` folds everything waiting, e.g. before a downgrade.
"""

from __future__ import annotations

import itertools
import logging

from surveyapp.db import Database
from surveyapp.reporting import folding

#: Submissions stored by one process between two folds.
FOLD_EVERY = 32

logger = logging.getLogger(__name__)
_stored = itertools.count(1)


def after_submission(db: Database, timezone: str) -> None:
    """Count one stored submission; fold the waiting responses every ``FOLD_EVERY``."""
    if next(_stored) % FOLD_EVERY:
        return
    try:
        fold_waiting(db, timezone)
    except Exception:  # the submission is stored; the next fold tries again
        logger.warning("folding responses into the report aggregates failed", exc_info=True)


def fold_waiting(db: Database, timezone: str, limit: int = folding.FOLD_BATCH) -> int:
    """Fold up to ``limit`` waiting responses in one write transaction; return how many."""
    with db.write() as session:
        return folding.fold(session, timezone, limit)


def fold_everything(db: Database, timezone: str) -> int:
    """Fold every waiting response, one batch per transaction; return how many."""
    total = 0
    while folded := fold_waiting(db, timezone):
        total += folded
    return total
