"""agency theme: an optional theme colour and a logo kept in the database

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

THEME_COLOR_CHECK = (
    "theme_color IS NULL OR (length(theme_color) = 7 AND substr(theme_color, 1, 1) = '#' "
    "AND ltrim(substr(theme_color, 2), '0123456789abcdef') = '')"
)


def upgrade() -> None:
    # A plain ADD COLUMN with its CHECK inline: on SQLite a batch operation would copy
    # and drop ``agencies``, and dropping it cascades to the rows that refer to it.
    op.add_column(
        "agencies",
        sa.Column(
            "theme_color",
            sa.String(length=7),
            sa.CheckConstraint(THEME_COLOR_CHECK, name=op.f("ck_agencies_theme_color")),
            nullable=True,
        ),
    )
    op.create_table(
        "agency_logos",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('image/png', 'image/jpeg')",
            name=op.f("ck_agency_logos_content_type"),
        ),
        sa.CheckConstraint("width BETWEEN 1 AND 512", name=op.f("ck_agency_logos_width")),
        sa.CheckConstraint("height BETWEEN 1 AND 512", name=op.f("ck_agency_logos_height")),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_agency_logos_sha256_length")),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_logos_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_agency_logos")),
    )


def downgrade() -> None:
    op.drop_table("agency_logos")
    # SQLite (3.35+) drops a column together with its own CHECK constraint.
    op.drop_column("agencies", "theme_color")
