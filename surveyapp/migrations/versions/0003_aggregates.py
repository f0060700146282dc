"""report aggregates: sufficient statistics per version, agency and local month

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:58:49.607487
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_aggregates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("n_responses", sa.Integer(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("n_responses >= 0", name=op.f("ck_report_aggregates_n_nonnegative")),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_report_aggregates_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_report_aggregates_questionnaire_version_id_questionnaire_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_aggregates")),
        sa.UniqueConstraint(
            "questionnaire_version_id",
            "agency_id",
            "month",
            name=op.f("uq_report_aggregates_questionnaire_version_id_agency_id_month"),
        ),
    )


def downgrade() -> None:
    op.drop_table("report_aggregates")
