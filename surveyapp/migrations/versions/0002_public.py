"""public side: one-time dossier codes and the questionnaires that require them

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:54:23.688599
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier_requirements",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_dossier_requirements_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_dossier_requirements_questionnaire_id_questionnaires"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "agency_id", "questionnaire_id", name=op.f("pk_dossier_requirements")
        ),
    )
    op.create_table(
        "dossier_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(response_id IS NULL) = (used_at IS NULL)",
            name=op.f("ck_dossier_codes_used_with_response"),
        ),
        sa.CheckConstraint(
            "length(code) BETWEEN 1 AND 64", name=op.f("ck_dossier_codes_code_length")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_dossier_codes_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_dossier_codes_response_id_responses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_codes")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_dossier_codes_agency_id_code")),
        sa.UniqueConstraint("response_id", name=op.f("uq_dossier_codes_response_id")),
    )


def downgrade() -> None:
    op.drop_table("dossier_codes")
    op.drop_table("dossier_requirements")
