"""users.language: the staff pages' language chosen by each user

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 23:20:00.000000

Every existing account starts in Vietnamese, the default.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="vi"))
        batch.create_check_constraint(batch.f("ck_users_language"), "language IN ('vi', 'en')")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(batch.f("ck_users_language"), type_="check")
        batch.drop_column("language")
