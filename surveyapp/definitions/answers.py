"""Turning raw submitted answers into stored values, and deciding what is visible."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from surveyapp.definitions.errors import AnswerError
from surveyapp.definitions.model import Item, Questionnaire, StoredAnswer
from surveyapp.definitions.types import QUESTION_TYPES


def is_empty(raw: object) -> bool:
    """Whether ``raw`` means "no answer": None, a blank string or an empty list."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return isinstance(raw, Sequence) and not isinstance(raw, bytes | bytearray) and not raw


def coerce_answer(item: Item, raw: object) -> StoredAnswer | None:
    """Return the stored form of ``raw`` for ``item``, or None for "no answer".

    Raises AnswerError (English and Vietnamese messages) when the answer is invalid,
    or when there is none and the item is required. Callers enforce ``required`` only
    for visible items, so they may catch that error for hidden ones (see ``visible``).
    """
    answer = None if is_empty(raw) else QUESTION_TYPES[item.type].coerce(item, raw)
    if answer is None and item.required:
        raise AnswerError(
            item.key, "This question requires an answer.", "Câu hỏi này bắt buộc trả lời."
        )
    return answer


def visible(questionnaire: Questionnaire, answers: Mapping[str, StoredAnswer | None]) -> set[str]:
    """Return the keys of the items whose ``show_if`` holds for the coerced ``answers``.

    Items without a condition are always visible. A condition on a hidden item does
    not hold, so hiding cascades down a chain of conditions.
    """
    shown: set[str] = set()
    for item in questionnaire.items():
        condition = item.show_if
        if condition is None:
            shown.add(item.key)
            continue
        if condition.question not in shown:
            continue
        answer = answers.get(condition.question)
        source = questionnaire.item(condition.question)
        if answer is not None and QUESTION_TYPES[source.type].matches(answer, condition.values):
            shown.add(item.key)
    return shown
