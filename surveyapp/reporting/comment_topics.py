"""Comments in reports: their topics per agency, and personal data scrubbed on output.

The lexicon is the packaged ``surveyapp/data/comment_lexicon.yaml`` or the file the
``SURVEYAPP_COMMENT_LEXICON`` setting names (checked at start-up). Segmenting a
comment costs about a millisecond, so its topics are kept in ``comment_topics`` with
the fingerprint of the lexicon that found them: ``surveyapp comments analyse`` (run
by a timer, see docs/deployment.md) analyses what is new or was analysed with another
lexicon; a report analyses the few comments still missing and stores them too. The
public submission path never segments anything.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from analysis import comments, pii
from surveyapp.config import DEFAULT_COMMENT_LEXICON
from surveyapp.models import Answer, CommentTopic, QuestionnaireVersion, Response
from surveyapp.services.questionnaires import definition_of

#: Comments analysed and stored per transaction by ``analyse_waiting``.
BATCH = 2000
#: A comment row for topics: (response id, question key, text).
CommentRow = tuple[int, str, str]

logger = logging.getLogger(__name__)

#: Comments whose topics each process keeps.
REMEMBERED = 200_000

_lock = threading.Lock()
_finders: dict[str, Callable[[str], frozenset[str]]] = {}


@cache
def _lexicon_at(path: str, mtime_ns: int) -> comments.Lexicon:
    return comments.load_lexicon(path)


def lexicon_at(path: str | Path) -> comments.Lexicon:
    """Return the lexicon in ``path``, read again when the file changes."""
    where = Path(path)
    return _lexicon_at(str(where), where.stat().st_mtime_ns)


def current_lexicon() -> comments.Lexicon:
    """The configured lexicon (the app's setting, else the packaged one)."""
    from flask import current_app, has_app_context

    path = DEFAULT_COMMENT_LEXICON
    if has_app_context():
        path = Path(current_app.config.get("COMMENT_LEXICON") or DEFAULT_COMMENT_LEXICON)
    return lexicon_at(path)


def finder(lexicon: comments.Lexicon) -> Callable[[str], frozenset[str]]:
    """Return the (remembering) topic finder of ``lexicon``, with underthesea's segmenter."""
    with _lock:
        found = _finders.get(lexicon.fingerprint)
        if found is None:
            found = comments.cached_topics(lexicon, comments.underthesea_segmenter(), REMEMBERED)
            _finders[lexicon.fingerprint] = found
        return found


def markers() -> Mapping[str, str]:
    """What replaces personal data in shown comments, in the current language."""
    from flask import has_app_context
    from flask_babel import gettext

    if not has_app_context():
        return pii.DEFAULT_MARKERS
    return {
        "email": gettext("[e-mail address]"),
        "dossier": gettext("[dossier number]"),
        "citizen_id": gettext("[ID number]"),
        "phone": gettext("[phone number]"),
    }


def shown(text: str, words: Mapping[str, str] | None = None) -> str:
    """Return a comment as it may be shown: phones, IDs, e-mails and dossier numbers out."""
    return pii.scrub(text, words if words is not None else markers())


def comment_keys(version: QuestionnaireVersion) -> list[str]:
    """The questions of a version whose answers are comments (long free text)."""
    return [i.key for i in definition_of(version).items() if i.type == "long_text"]


def topics_joined(lexicon: comments.Lexicon) -> object:
    """The outer-join condition from ``Answer`` to its current ``CommentTopic`` row."""
    return and_(
        CommentTopic.response_id == Answer.response_id,
        CommentTopic.question_key == Answer.question_key,
        CommentTopic.lexicon == lexicon.fingerprint,
    )


def summary(
    session: Session,
    rows: Iterable[tuple[int, str, str, str | None]],
    with_examples: bool = True,
    lexicon: comments.Lexicon | None = None,
) -> comments.TopicSummary:
    """Count the topics of comments, newest first; examples are scrubbed.

    ``rows`` are (response id, question key, text, stored topics or None) as selected
    with :func:`topics_joined`; topics not stored yet are found and then stored.
    """
    lexicon = lexicon or current_lexicon()
    find = finder(lexicon)
    words = markers()
    known: dict[str, frozenset[str]] = {}
    missing: list[tuple[int, str, frozenset[str]]] = []
    texts: list[str] = []
    for response_id, key, text, stored in rows:
        texts.append(text)
        if stored is not None:
            known[text] = frozenset(t for t in stored.split(",") if t)
        else:
            found = find(text)
            known[text] = found
            missing.append((response_id, key, found))
    if missing:
        _remember(session, lexicon, missing)
    return comments.summarise(
        texts,
        lexicon,
        lambda text: known[text],
        examples=comments.EXAMPLES if with_examples else 0,
        show=lambda text: shown(text, words),
    )


def _remember(
    session: Session, lexicon: comments.Lexicon, found: Sequence[tuple[int, str, frozenset[str]]]
) -> None:
    """Store topics a report had to find, in a transaction of their own (best effort)."""
    from flask import has_app_context

    from surveyapp import db_app

    if not has_app_context():
        return
    try:
        with db_app.get_db().write() as writer:
            store(writer, lexicon, found)
    except Exception:  # the report is right without them; the next analysis stores them
        logger.warning("storing comment topics failed", exc_info=True)


def store(
    session: Session, lexicon: comments.Lexicon, found: Sequence[tuple[int, str, frozenset[str]]]
) -> None:
    """Write (or overwrite) the topics of comments for ``lexicon``."""
    if not found:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = [
        {
            "response_id": response_id,
            "question_key": key,
            "lexicon": lexicon.fingerprint,
            "topics": ",".join(sorted(topics)),
        }
        for response_id, key, topics in found
    ]
    statement = insert(CommentTopic).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["response_id", "question_key"],
            set_={"lexicon": statement.excluded.lexicon, "topics": statement.excluded.topics},
        )
    )


def analyse_waiting(
    session: Session, lexicon: comments.Lexicon | None = None, batch: int = BATCH
) -> int:
    """Find and store the topics of up to ``batch`` comments not analysed with ``lexicon``."""
    lexicon = lexicon or current_lexicon()
    find = finder(lexicon)
    done = 0
    for version in session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id)):
        keys = comment_keys(version)
        if not keys or done >= batch:
            continue
        rows = session.execute(
            select(Answer.response_id, Answer.question_key, Answer.value_text)
            .join(Response, Response.id == Answer.response_id)
            .outerjoin(CommentTopic, topics_joined(lexicon))  # type: ignore[arg-type]
            .where(
                Response.questionnaire_version_id == version.id,
                Response.status == "accepted",
                Answer.question_key.in_(keys),
                Answer.value_text.is_not(None),
                Answer.value_text != "",
                CommentTopic.response_id.is_(None),
            )
            .order_by(Answer.response_id)
            .limit(batch - done)
        ).all()
        store(session, lexicon, [(rid, key, find(text or "")) for rid, key, text in rows])
        done += len(rows)
    return done
