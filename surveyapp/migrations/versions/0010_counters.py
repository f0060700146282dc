"""counter channel: counters, enrolled kiosks, the counter and officer of a rating

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 23:10:00.000000

Ratings given at the one-stop-shop counter arrive on their own ``counter``
channel. ``counters`` lists each agency's counters; ``kiosks`` the devices an
admin enrolled (hash of the device secret, revocation, last contact).
``responses`` gains the counter, the officer's staff code and when the answers
were given (a kiosk may send them later than that, from its offline queue).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD_CHANNELS = "channel IN ('web', 'embed', 'api', 'paper')"
NEW_CHANNELS = "channel IN ('web', 'embed', 'api', 'paper', 'counter')"


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_counters_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counters")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_counters_agency_id_code")),
    )
    op.create_table(
        "kiosks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_kiosks_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counters.id"],
            name=op.f("fk_kiosks_counter_id_counters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_kiosks_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosks")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_kiosks_secret_hash")),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counter_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("officer_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("given_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_responses_counter_id_counters"),
            "counters",
            ["counter_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(batch_op.f("ck_responses_channel"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_responses_channel"), NEW_CHANNELS)


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_responses_channel"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_responses_channel"), OLD_CHANNELS)
        batch_op.drop_constraint(batch_op.f("fk_responses_counter_id_counters"), type_="foreignkey")
        batch_op.drop_column("given_at")
        batch_op.drop_column("officer_code")
        batch_op.drop_column("counter_id")
    op.drop_table("kiosks")
    op.drop_table("counters")
