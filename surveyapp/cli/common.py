"""Helpers shared by the CLI commands."""

from __future__ import annotations

import click
from flask import current_app

from surveyapp import db_app, schema
from surveyapp.db import Database


def ready_db() -> Database:
    """Return the app's database, refusing clearly when its schema is missing or old."""
    database = db_app.get_db(current_app)
    current = schema.current_revision(database.engine)
    if current != schema.head_revision(database.engine):
        state = "has no schema yet" if current is None else f"is at revision {current}"
        raise click.ClickException(
            f"the database {state}; run `surveyapp init-db` to create or upgrade it"
        )
    return database
