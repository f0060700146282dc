"""feedback cases, their contacts apart, agencies' deadlines, published result periods

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 23:20:00.000000

A respondent's petition or complaint becomes a row of ``feedback_cases`` (one a
response); the way to answer them, if given, a row of ``case_contacts`` (erased on
its own). ``agency_case_settings`` holds an agency's deadline in working days;
``published_periods`` the report periods the public results pages show.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("contact_erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('petition', 'complaint')", name=op.f("ck_feedback_cases_kind")
        ),
        sa.CheckConstraint(
            "length(text) BETWEEN 1 AND 2000", name=op.f("ck_feedback_cases_text_length")
        ),
        sa.CheckConstraint(
            "(answer IS NULL) = (answered_at IS NULL)",
            name=op.f("ck_feedback_cases_answer_with_time"),
        ),
        sa.CheckConstraint(
            "closed_at IS NULL OR answered_at IS NOT NULL",
            name=op.f("ck_feedback_cases_closed_answered"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_feedback_cases_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_feedback_cases_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_feedback_cases_answered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["users.id"],
            name=op.f("fk_feedback_cases_closed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_cases")),
        sa.UniqueConstraint("response_id", name=op.f("uq_feedback_cases_response_id")),
    )
    op.create_index(
        op.f("ix_feedback_cases_agency_id_closed_at"),
        "feedback_cases",
        ["agency_id", "closed_at"],
    )
    op.create_table(
        "case_contacts",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.CheckConstraint(
            "phone IS NOT NULL OR email IS NOT NULL", name=op.f("ck_case_contacts_some_contact")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["feedback_cases.id"],
            name=op.f("fk_case_contacts_case_id_feedback_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_contacts")),
    )
    op.create_table(
        "agency_case_settings",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "deadline_days BETWEEN 1 AND 90", name=op.f("ck_agency_case_settings_deadline_days")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_case_settings_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_agency_case_settings")),
    )
    op.create_table(
        "published_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("first_day <= last_day", name=op.f("ck_published_periods_period_order")),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_published_periods_questionnaire_id_questionnaires"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_published_periods_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_periods")),
        sa.UniqueConstraint(
            "questionnaire_id",
            "first_day",
            "last_day",
            name=op.f("uq_published_periods_questionnaire_id_first_day_last_day"),
        ),
    )


def downgrade() -> None:
    op.drop_table("published_periods")
    op.drop_table("agency_case_settings")
    op.drop_table("case_contacts")
    op.drop_index(op.f("ix_feedback_cases_agency_id_closed_at"), table_name="feedback_cases")
    op.drop_table("feedback_cases")
