"""Flask integration of the database: one Database per app, closed on teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from surveyapp.db import Database, make_engine

EXTENSION_KEY = "surveyapp.db"


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"], busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"]
    )
    app.extensions[EXTENSION_KEY] = Database(engine)
    app.teardown_appcontext(_close_session)


def get_db(app: Flask | None = None) -> Database:
    """Return the app's Database (the current app's by default)."""
    target = app if app is not None else current_app
    database: Database = target.extensions[EXTENSION_KEY]
    return database


def session() -> Session:
    """Return the read session of the current app context, opening it once."""
    if "db_session" not in g:
        g.db_session = get_db().session()
    current: Session = g.db_session
    return current


def _close_session(_exc: BaseException | None) -> None:
    current = g.pop("db_session", None)
    if current is not None:
        current.close()
