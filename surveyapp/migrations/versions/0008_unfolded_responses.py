"""unfolded responses: report aggregates are brought up to date in batches

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 21:00:00.000000

A submission writes its response and a row in ``unfolded_responses`` (its
version, agency and time); a fold later adds such responses to their months'
aggregates and deletes their rows, many at a time. Reports add the few waiting
responses from the raw rows. Every response stored before this revision is in
the aggregates already, so the table starts empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unfolded_responses",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_unfolded_responses_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_unfolded_responses")),
    )


def downgrade() -> None:
    # Run `surveyapp report fold` first: otherwise the older code finds the aggregates
    # short of the waiting responses and asks for `surveyapp report rebuild-aggregates`.
    op.drop_table("unfolded_responses")
