"""respondent-level aggregates: refold the versions whose profile scores respondents

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 23:40:00.000000

The headline index of a questionnaire whose method profile aggregates at respondent
level (``sipas-2023/1``) is now the mean respondent score, and its month aggregates
hold per-respondent score sums the stored ones lack. Their aggregates are dropped and
their accepted responses put back in ``unfolded_responses``: reports read them raw
until the next fold adds them up again, so every report stays exact meanwhile.
Downgrading does the same (the older layout is rebuilt the same way).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: Profiles that aggregate at respondent level when this migration was written.
RESPONDENT_LEVEL = ("sipas-2023/1",)

versions = sa.table(
    "questionnaire_versions", sa.column("id", sa.Integer), sa.column("definition", sa.JSON)
)
aggregates = sa.table("report_aggregates", sa.column("questionnaire_version_id", sa.Integer))
responses = sa.table(
    "responses",
    sa.column("id", sa.Integer),
    sa.column("questionnaire_version_id", sa.Integer),
    sa.column("agency_id", sa.Integer),
    sa.column("submitted_at", sa.DateTime),
    sa.column("status", sa.String),
)
waiting = sa.table(
    "unfolded_responses",
    sa.column("response_id", sa.Integer),
    sa.column("questionnaire_version_id", sa.Integer),
    sa.column("agency_id", sa.Integer),
    sa.column("submitted_at", sa.DateTime),
)


def _method(definition: Any) -> str | None:
    if isinstance(definition, str):
        definition = json.loads(definition)
    scoring = definition.get("scoring") if isinstance(definition, dict) else None
    return scoring.get("method") if isinstance(scoring, dict) else None


def _refold() -> None:
    conn = op.get_bind()
    ids = [
        vid
        for vid, definition in conn.execute(sa.select(versions.c.id, versions.c.definition))
        if _method(definition) in RESPONDENT_LEVEL
    ]
    if not ids:
        return
    conn.execute(aggregates.delete().where(aggregates.c.questionnaire_version_id.in_(ids)))
    queued = sa.select(waiting.c.response_id)
    conn.execute(
        waiting.insert().from_select(
            ["response_id", "questionnaire_version_id", "agency_id", "submitted_at"],
            sa.select(
                responses.c.id,
                responses.c.questionnaire_version_id,
                responses.c.agency_id,
                responses.c.submitted_at,
            ).where(
                responses.c.questionnaire_version_id.in_(ids),
                responses.c.status == "accepted",
                responses.c.id.not_in(queued),
            ),
        )
    )


def upgrade() -> None:
    _refold()


def downgrade() -> None:
    _refold()
