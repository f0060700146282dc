"""Migration 0016: versions with a respondent-level profile are queued to be refolded."""

from __future__ import annotations

import json

from sqlalchemy import Engine, text

from surveyapp import schema

INSERTS = (
    "INSERT INTO agencies (code, name_vi, name_en, kind, active, created_at) "
    "VALUES ('Q1', 'Quận 1', 'District 1', 'district', true, CURRENT_TIMESTAMP)",
    "INSERT INTO questionnaires (slug, created_at) VALUES ('s', CURRENT_TIMESTAMP)",
)
VERSION = (
    "INSERT INTO questionnaire_versions (questionnaire_id, version, content_hash, title_vi, "
    "title_en, definition, source_text, created_at) "
    "VALUES (1, :v, :v, 't', 't', :definition, '', CURRENT_TIMESTAMP)"
)
RESPONSE = (
    "INSERT INTO responses (questionnaire_version_id, agency_id, submitted_at, channel, "
    "status, receipt_code) VALUES (:v, 1, CURRENT_TIMESTAMP, 'web', :status, :receipt)"
)
AGGREGATE = (
    "INSERT INTO report_aggregates (questionnaire_version_id, agency_id, month, timezone, "
    "n_responses, stats, updated_at) "
    "VALUES (:v, 1, '2017-03-01', 'Asia/Ho_Chi_Minh', 1, '{}', CURRENT_TIMESTAMP)"
)


def test_respondent_level_versions_are_refolded(empty_engine: Engine) -> None:
    schema.upgrade(empty_engine, "0015")
    with empty_engine.begin() as conn:
        for statement in INSERTS:
            conn.execute(text(statement))
        scoring_2023 = {"scoring": {"method": "sipas-2023/1", "satisfied_values": [4, 5]}}
        for v, definition in ((1, scoring_2023), (2, {"scoring": {"satisfied_values": [4, 5]}})):
            conn.execute(text(VERSION), {"v": v, "definition": json.dumps(definition)})
            conn.execute(text(AGGREGATE), {"v": v})
        for receipt, v, status in (
            ("R1", 1, "accepted"),
            ("R2", 1, "deleted"),
            ("R3", 2, "accepted"),
        ):
            conn.execute(text(RESPONSE), {"v": v, "status": status, "receipt": receipt})

    schema.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        kept = conn.execute(text("SELECT questionnaire_version_id FROM report_aggregates")).all()
        queued = conn.execute(
            text(
                "SELECT r.receipt_code FROM unfolded_responses u "
                "JOIN responses r ON r.id = u.response_id"
            )
        ).all()
    assert [tuple(r) for r in kept] == [(2,)]  # the 2017-style version keeps its months
    assert [tuple(r) for r in queued] == [("R1",)]  # accepted responses only

    schema.downgrade(empty_engine, "0015")
    with empty_engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM unfolded_responses")).scalar() == 1
