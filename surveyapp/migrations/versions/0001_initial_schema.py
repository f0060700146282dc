"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 12:45:18.882584
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('department', 'district', 'other')", name=op.f("ck_agencies_kind")
        ),
        sa.CheckConstraint("length(code) BETWEEN 1 AND 32", name=op.f("ck_agencies_code_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaires")),
        sa.UniqueConstraint("slug", name=op.f("uq_questionnaires_slug")),
    )
    op.create_table(
        "agency_origins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_origins_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_origins")),
        sa.UniqueConstraint("agency_id", "origin", name=op.f("uq_agency_origins_agency_id_origin")),
    )
    op.create_table(
        "questionnaire_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title_vi", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_questionnaire_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_questionnaire_versions_questionnaire_id_questionnaires"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_versions")),
        sa.UniqueConstraint(
            "questionnaire_id",
            "content_hash",
            name=op.f("uq_questionnaire_versions_questionnaire_id_content_hash"),
        ),
        sa.UniqueConstraint(
            "questionnaire_id",
            "version",
            name=op.f("uq_questionnaire_versions_questionnaire_id_version"),
        ),
    )
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("quarantine_reason", sa.String(length=64), nullable=True),
        sa.Column("receipt_code", sa.String(length=16), nullable=False),
        sa.Column("submission_nonce", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(status = 'quarantined') = (quarantine_reason IS NOT NULL)",
            name=op.f("ck_responses_quarantine_reason"),
        ),
        sa.CheckConstraint(
            "channel IN ('web', 'embed', 'api', 'paper')", name=op.f("ck_responses_channel")
        ),
        sa.CheckConstraint(
            "status IN ('accepted', 'quarantined', 'deleted')", name=op.f("ck_responses_status")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_responses_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_responses_questionnaire_version_id_questionnaire_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_responses_receipt_code")),
        sa.UniqueConstraint("submission_nonce", name=op.f("uq_responses_submission_nonce")),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_responses_agency_id_questionnaire_version_id_submitted_at"),
            ["agency_id", "questionnaire_version_id", "submitted_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_responses_status_submitted_at"), ["status", "submitted_at"], unique=False
        )

    op.create_table(
        "answers",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=63), nullable=False),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("is_na", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "is_na = false OR (value_num IS NULL AND value_text IS NULL)",
            name=op.f("ck_answers_na_is_empty"),
        ),
        sa.CheckConstraint(
            "is_na = true OR value_num IS NOT NULL OR value_text IS NOT NULL",
            name=op.f("ck_answers_has_value"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_answers_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "question_key", name=op.f("pk_answers")),
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answers_question_key_value_num"),
            ["question_key", "value_num"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answers_question_key_value_num"))

    op.drop_table("answers")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responses_status_submitted_at"))
        batch_op.drop_index(
            batch_op.f("ix_responses_agency_id_questionnaire_version_id_submitted_at")
        )

    op.drop_table("responses")
    op.drop_table("questionnaire_versions")
    op.drop_table("agency_origins")
    op.drop_table("questionnaires")
    op.drop_table("agencies")
