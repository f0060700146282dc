"""Alembic environment: runs migrations on the connection surveyapp hands over."""

from __future__ import annotations

from alembic import context

from surveyapp.db import make_engine
from surveyapp.models import Base
from surveyapp.schema import UNMODELLED_TABLES

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Leave the unmodelled tables out of autogenerate's comparison."""
    return not (type_ == "table" and name in UNMODELLED_TABLES)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `surveyapp init-db`")
run_migrations_online()
