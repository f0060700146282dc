"""Immediate alerts on serious reports, raised where waiting responses are folded.

A response that chose an option marked ``alert: true`` (asked for an informal
payment, harassed) or whose free text contains a word of its agency's watch list
raises one ``AlertEvent`` (key ``serious:<response>`` or ``watch:<response>``).
``reporting.folding.fold`` calls :func:`raise_for_folded` with the responses it has
just claimed and their answers, in its own transaction: the public submission path
does no extra work, and a response is examined exactly once. ``surveyapp alerts run``
folds what waits and then delivers (docs/deployment.md#alerts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.definitions import Questionnaire
from surveyapp.models import Agency, AlertEvent, AlertSettings, QuestionnaireVersion
from surveyapp.reporting.sufficient import AnswerRow
from surveyapp.services.questionnaires import definition_of

#: One folded response: (response id, agency id, version id, submitted at).
Folded = tuple[int, int, int, dt.datetime]


def watch_terms(text: str) -> list[str]:
    """The watch list's terms: one a line, trimmed, lower-cased, blanks dropped."""
    return sorted({line.strip().casefold() for line in text.splitlines() if line.strip()})


def alert_choices(definition: Questionnaire) -> dict[str, frozenset[str]]:
    """Question key -> option keys that raise an alert."""
    out: dict[str, frozenset[str]] = {}
    for item in definition.items():
        marked = frozenset(o.key for o in item.options if o.alert)
        if marked:
            out[item.key] = marked
    return out


def serious_choices(
    answers: AnswerRow, choices: Mapping[str, frozenset[str]]
) -> list[tuple[str, str]]:
    """(question, option) pairs of ``answers`` that raise an alert."""
    found = []
    for key, marked in choices.items():
        text = answers.get(key, (None, None, False))[1]
        for option in (text or "").split(";"):
            if option in marked:
                found.append((key, option))
    return found


def watched_matches(
    answers: AnswerRow, text_keys: Iterable[str], terms: Sequence[str]
) -> list[str]:
    """Watch-list terms found in the free-text answers."""
    texts = " \n ".join((answers.get(k, (None, None, False))[1] or "") for k in text_keys)
    folded = texts.casefold()
    return [term for term in terms if term in folded]


def raise_for_folded(
    session: Session, folded: Sequence[Folded], answers: Mapping[int, AnswerRow]
) -> int:
    """Raise the immediate alerts of just-folded accepted responses; return how many."""
    if not folded:
        return 0
    agency_ids = {a for _, a, _, _ in folded}
    terms = {
        s.agency_id: watch_terms(s.watch_list)
        for s in session.scalars(
            select(AlertSettings).where(AlertSettings.agency_id.in_(agency_ids))
        )
    }
    codes = {
        i: c
        for i, c in session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(agency_ids)))
    }
    definitions: dict[int, Questionnaire] = {}
    for version in session.scalars(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.id.in_({v for _, _, v, _ in folded})
        )
    ):
        definitions[version.id] = definition_of(version)
    raised = 0
    for response_id, agency_id, version_id, submitted_at in folded:
        definition = definitions[version_id]
        row = answers.get(response_id, {})
        base = {
            "agency": codes[agency_id],
            "response_id": response_id,
            "submitted_at": submitted_at.isoformat(),
            "questionnaire": definition.slug,
        }
        serious = serious_choices(row, alert_choices(definition))
        if serious:
            payload = {**base, "choices": [{"question": q, "option": o} for q, o in serious]}
            session.add(
                AlertEvent(
                    agency_id=agency_id,
                    kind="serious",
                    key=f"serious:{response_id}",
                    payload=payload,
                )
            )
            raised += 1
        agency_terms = terms.get(agency_id)
        if agency_terms:
            text_keys = [i.key for i in definition.items() if i.type in ("long_text", "short_text")]
            matched = watched_matches(row, text_keys, agency_terms)
            if matched:
                session.add(
                    AlertEvent(
                        agency_id=agency_id,
                        kind="watch",
                        key=f"watch:{response_id}",
                        payload={**base, "terms": matched},
                    )
                )
                raised += 1
    return raised
