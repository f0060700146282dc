"""Migration 0010: the counter channel, counters and kiosks, kept rows intact."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, TextClause, text

from surveyapp import schema

INSERT_AGENCY = (
    "INSERT INTO agencies (code, name_vi, name_en, kind, active, created_at) "
    "VALUES ('Q1', 'Quận 1', 'District 1', 'district', true, CURRENT_TIMESTAMP)"
)
INSERT_VERSION = (
    "INSERT INTO questionnaires (slug, created_at) VALUES ('s', CURRENT_TIMESTAMP)",
    "INSERT INTO questionnaire_versions (questionnaire_id, version, content_hash, title_vi, "
    "title_en, definition, source_text, created_at) "
    "VALUES (1, 1, 'h', 't', 't', '{}', '', CURRENT_TIMESTAMP)",
)


def _response(channel: str, receipt: str) -> TextClause:
    return text(
        "INSERT INTO responses (questionnaire_version_id, agency_id, submitted_at, channel, "
        "status, receipt_code) VALUES (1, 1, CURRENT_TIMESTAMP, :channel, 'accepted', :receipt)"
    ).bindparams(channel=channel, receipt=receipt)


def test_counter_ratings_are_accepted_and_older_rows_kept(empty_engine: Engine) -> None:
    schema.upgrade(empty_engine, "0009")
    with empty_engine.begin() as conn:
        conn.execute(text(INSERT_AGENCY))
        for statement in INSERT_VERSION:
            conn.execute(text(statement))
        conn.execute(_response("web", "R1"))
    with pytest.raises(Exception, match=r"(?i)check"), empty_engine.begin() as conn:
        conn.execute(_response("counter", "R2"))

    schema.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO counters (agency_id, code, name_vi, name_en, active, created_at) "
                "VALUES (1, '3', 'Quầy 3', 'Counter 3', true, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(_response("counter", "R2"))
        conn.execute(
            text(
                "UPDATE responses SET counter_id = 1, officer_code = 'CB07' "
                "WHERE receipt_code = 'R2'"
            )
        )
        rows = conn.execute(
            text("SELECT receipt_code, channel, counter_id FROM responses ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [("R1", "web", None), ("R2", "counter", 1)]
    with pytest.raises(Exception, match=r"(?i)check"), empty_engine.begin() as conn:
        conn.execute(_response("sms", "R3"))

    with empty_engine.begin() as conn:
        conn.execute(text("DELETE FROM responses WHERE channel = 'counter'"))
    schema.downgrade(empty_engine, "0009")
    schema.upgrade(empty_engine)
