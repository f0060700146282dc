"""The platform's front page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy.exc import SQLAlchemyError

from surveyapp import db_app
from surveyapp.services import overview

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """Show what the platform holds: questionnaires, agencies, responses."""
    return render_template("home.html", summary=overview.summarise(db_app.session()))


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Report whether the database answers (for load balancers and monitoring)."""
    try:
        overview.ping(db_app.session())
    except SQLAlchemyError:
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok"}, 200
