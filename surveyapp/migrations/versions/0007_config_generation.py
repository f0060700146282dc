"""config generation: a value that changes with every change of the public forms' settings

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:30:00.000000

``config_generation`` holds one row. Triggers give its ``value`` a new random
number in the same transaction as any insert, update or delete in the tables
the public form path reads its settings from, so each app process can keep
those settings in memory and check with one small query that they are current
(see surveyapp/services/public_config.py). The table is not a model: it is
kept by the database itself, like ``alembic_version``.
"""

# Every name in this file's SQL statements is one of its own constants.
# ruff: noqa: S608

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLE = "config_generation"
#: The tables whose rows make up the public forms' settings.
WATCHED = (
    "agencies",
    "agency_origins",
    "agency_logos",
    "questionnaires",
    "questionnaire_versions",
    "questionnaire_availability",
    "dossier_requirements",
)
PG_FUNCTION = "surveyapp_new_config_generation"
# A random 52-bit number (PostgreSQL's random() has 52 bits); SQLite: random 64-bit.
PG_RANDOM = "floor(random() * 4503599627370496)::bigint"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_config_generation_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_generation")),
    )
    # Random from the start: two databases (or one made again) never share a value.
    op.execute(
        sa.text(f"INSERT INTO {TABLE} (id, value) VALUES (1, :value)").bindparams(
            value=secrets.randbits(52)
        )
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN UPDATE {TABLE} SET value = {PG_RANDOM} WHERE id = 1; RETURN NULL; END $$"
        )
        for table in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_config_generation "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
        return
    for table in WATCHED:
        for event in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_{event}_config_generation "
                f"AFTER {event.upper()} ON {table} "
                f"BEGIN UPDATE {TABLE} SET value = random() WHERE id = 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_config_generation ON {table}")
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_{event}_config_generation")
    op.drop_table(TABLE)
