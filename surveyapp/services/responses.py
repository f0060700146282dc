"""Responses: checking answers against their questionnaire and storing them atomically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast, overload

from sqlalchemy import Connection, Insert, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from surveyapp.definitions import (
    AnswerError,
    Questionnaire,
    StoredAnswer,
    coerce_answer,
    is_empty,
    visible,
)
from surveyapp.models import CHANNELS, Answer, Response, UnfoldedResponse, utcnow
from surveyapp.receipts import new_receipt_code

# Core inserts: a batch of plain rows, without the ORM's per-object bookkeeping.
RESPONSES = cast(Table, Response.__table__)
ANSWERS = cast(Table, Answer.__table__)
WAITING = cast(Table, UnfoldedResponse.__table__)


@dataclass
class CheckedAnswers:
    """The stored form of a respondent's answers, or the errors that refuse them."""

    answers: dict[str, StoredAnswer] = field(default_factory=dict)
    errors: list[AnswerError] = field(default_factory=list)
    #: Keys answered although their question was hidden by ``show_if``; ignored.
    ignored: list[str] = field(default_factory=list)


def check_answers(
    definition: Questionnaire, raw: Mapping[str, object], *, require: bool = True
) -> CheckedAnswers:
    """Coerce every item's raw answer; answers to hidden or unknown items are dropped.

    ``raw`` maps item keys to what the respondent sent (a string, a number or,
    for multiple choice, a list). A missing key means no answer. With
    ``require=False`` (paper forms, where nothing can make a respondent answer)
    unanswered required items are recorded as missing instead of refused.
    """
    result = CheckedAnswers()
    coerced: dict[str, StoredAnswer | None] = {}
    pending: list[AnswerError] = []
    for item in definition.items():
        value = raw.get(item.key)
        if not require and is_empty(value):
            coerced[item.key] = None
            continue
        try:
            coerced[item.key] = coerce_answer(item, value)
        except AnswerError as exc:
            coerced[item.key] = None
            pending.append(exc)
    shown = visible(definition, coerced)
    for key, value in coerced.items():
        if key not in shown:
            if value is not None:
                result.ignored.append(key)
            continue
        if value is not None:
            result.answers[key] = value
    result.errors = [e for e in pending if e.item_key in shown]
    return result


@dataclass(frozen=True)
class NewResponse:
    """A checked response ready to be stored."""

    questionnaire_version_id: int
    agency_id: int
    channel: str
    answers: Mapping[str, StoredAnswer]
    submitted_at: dt.datetime | None = None
    status: str = "accepted"
    quarantine_reason: str | None = None
    submission_nonce: str | None = None


def _new_nonce_insert(dialect: str) -> Insert:
    """An insert of one response that does nothing when its nonce is stored already."""
    if dialect == "postgresql":
        return postgresql.insert(RESPONSES).on_conflict_do_nothing(
            index_elements=[RESPONSES.c.submission_nonce]
        )
    if dialect == "sqlite":
        return sqlite.insert(RESPONSES).on_conflict_do_nothing(
            index_elements=[RESPONSES.c.submission_nonce]
        )
    raise ValueError(f"no single-statement replay check for {dialect}")


_NEW_NONCE_INSERTS = {name: _new_nonce_insert(name) for name in ("postgresql", "sqlite")}


@overload
def store_responses(
    session: Session | Connection,
    responses: Sequence[NewResponse],
    *,
    with_ids: Literal[False] = False,
    new_nonce_only: bool = False,
) -> list[str]: ...


@overload
def store_responses(
    session: Session | Connection,
    responses: Sequence[NewResponse],
    *,
    with_ids: Literal[True],
    new_nonce_only: bool = False,
) -> list[tuple[str, int]]: ...


def store_responses(
    session: Session | Connection,
    responses: Sequence[NewResponse],
    *,
    with_ids: bool = False,
    new_nonce_only: bool = False,
) -> list[str] | list[tuple[str, int]]:
    """Insert responses with all their answers in the caller's transaction.

    Returns the receipt codes in order (``with_ids``: pairs of receipt code and
    response id). Nothing is committed here: the caller's transaction makes each
    response and its answers land together or not at all. The report aggregates
    take them in later, in batches (``reporting.folding``); until then
    reports read them raw. ``new_nonce_only`` (one response): the replay check and
    the insert are one statement (``ON CONFLICT (submission_nonce) DO NOTHING``);
    when the nonce is stored already nothing is written and ``[]`` is returned.
    """
    for new in responses:
        if new.channel not in CHANNELS:
            raise ValueError(f"unknown channel {new.channel!r}")
    if not responses:
        return []
    codes = [new_receipt_code() for _ in responses]
    now = utcnow()
    statement = insert(RESPONSES)
    if new_nonce_only:
        if len(responses) != 1:
            raise ValueError("new_nonce_only stores one response")
        statement = _NEW_NONCE_INSERTS[
            session.get_bind().dialect.name
            if isinstance(session, Session)
            else session.dialect.name
        ]
    inserted = session.execute(
        statement.returning(RESPONSES.c.id, sort_by_parameter_order=True),
        [
            {
                "questionnaire_version_id": new.questionnaire_version_id,
                "agency_id": new.agency_id,
                "channel": new.channel,
                "submitted_at": new.submitted_at or now,
                "status": new.status,
                "quarantine_reason": new.quarantine_reason,
                "receipt_code": code,
                "submission_nonce": new.submission_nonce,
            }
            for new, code in zip(responses, codes, strict=True)
        ],
    )
    new_ids = inserted.scalars().all()
    if new_nonce_only and not new_ids:
        return []
    ids = dict(zip(codes, new_ids, strict=True))
    answer_rows = [
        {
            "response_id": ids[code],
            "question_key": key,
            "value_num": answer.value_num,
            "value_text": answer.value_text,
            "is_na": answer.is_na,
        }
        for code, new in zip(codes, responses, strict=True)
        for key, answer in new.answers.items()
    ]
    if answer_rows:
        session.execute(insert(ANSWERS), answer_rows)
    # Accepted responses wait for a fold to add them to their months' aggregates;
    # reports read them raw meanwhile.
    waiting = [
        {
            "response_id": ids[code],
            "questionnaire_version_id": new.questionnaire_version_id,
            "agency_id": new.agency_id,
            "submitted_at": new.submitted_at or now,
        }
        for code, new in zip(codes, responses, strict=True)
        if new.status == "accepted"
    ]
    if waiting:
        session.execute(insert(WAITING), waiting)
    if with_ids:
        return [(code, ids[code]) for code in codes]
    return codes


def answers_of(session: Session, receipt_code: str) -> dict[str, Answer]:
    """Return the stored answers of one response by its receipt code."""
    response_id = session.scalar(select(Response.id).where(Response.receipt_code == receipt_code))
    if response_id is None:
        return {}
    return {
        a.question_key: a
        for a in session.scalars(select(Answer).where(Answer.response_id == response_id))
    }
