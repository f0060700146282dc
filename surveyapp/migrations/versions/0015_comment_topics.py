"""comment topics: the lexicon topics of each free-text answer

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 23:30:00.000000

Word segmentation of a comment costs about a millisecond: its topics are kept per
(response, question) with the fingerprint of the lexicon that found them, filled by
``surveyapp comments analyse`` and as responses are folded into the aggregates.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_topics",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=63), nullable=False),
        sa.Column("lexicon", sa.String(length=64), nullable=False),
        sa.Column("topics", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_comment_topics_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "question_key", name=op.f("pk_comment_topics")),
    )


def downgrade() -> None:
    op.drop_table("comment_topics")
