"""accounts: staff users, failed sign-in attempts and the audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 13:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'inspector', 'agency')", name=op.f("ck_users_role")),
        sa.CheckConstraint(
            "(role = 'agency') = (agency_id IS NOT NULL)", name=op.f("ck_users_agency_role")
        ),
        sa.CheckConstraint("session_version >= 1", name=op.f("ck_users_session_version_positive")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_users_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(op.f("ix_users_agency_id"), "users", ["agency_id"], unique=False)

    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("ip_key", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        op.f("ix_login_failures_account_key_failed_at"),
        "login_failures",
        ["account_key", "failed_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_login_failures_ip_key_failed_at"),
        "login_failures",
        ["ip_key", "failed_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_login_failures_failed_at"), "login_failures", ["failed_at"], unique=False
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sa.String(length=254), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_audit_log_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_occurred_at"), "audit_log", ["occurred_at"], unique=False)
    op.create_index(
        op.f("ix_audit_log_user_id_occurred_at"),
        "audit_log",
        ["user_id", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_user_id_occurred_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_occurred_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_login_failures_failed_at"), table_name="login_failures")
    op.drop_index(op.f("ix_login_failures_ip_key_failed_at"), table_name="login_failures")
    op.drop_index(op.f("ix_login_failures_account_key_failed_at"), table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index(op.f("ix_users_agency_id"), table_name="users")
    op.drop_table("users")
