"""``surveyapp init-db``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from surveyapp import db_app, schema


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database schema, or upgrade it to the newest revision."""
    engine = db_app.get_db(current_app).engine
    try:
        before = schema.current_revision(engine)
        schema.upgrade(engine)
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"could not migrate the database: {exc.__class__.__name__}: "
            f"{exc.orig if hasattr(exc, 'orig') else exc}"
        ) from None
    after = schema.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {where} is up to date (revision {after}).")
    else:
        click.echo(f"Database {where} migrated from {before or 'empty'} to revision {after}.")
