"""surveyapp: citizen-satisfaction surveys for public agencies."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from surveyapp.config import REPO_DIR, ConfigError, load_settings

__all__ = ["ConfigError", "create_app"]


def _instance_path() -> Path:
    configured = os.environ.get("SURVEYAPP_INSTANCE_PATH")
    return Path(configured).resolve() if configured else REPO_DIR / "instance"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the surveyapp Flask application.

    ``config`` overrides settings read from the environment (tests use it).
    Raises ConfigError when a setting is invalid.
    """
    app = Flask(__name__, instance_path=str(_instance_path()))
    app.config.update(load_settings(Path(app.instance_path), overrides=config))

    from surveyapp import (
        admin,
        auth,
        cases,
        db_app,
        jsonbody,
        kiosk,
        public,
        results,
        routing,
        security,
        unavailable,
    )
    from surveyapp.auth import staff_home
    from surveyapp.dashboard import quotas
    from surveyapp.dashboard import views as dashboard
    from surveyapp.views import home

    routing.init_app(app)  # bounded <int:...> in every route: before any is added
    db_app.init_app(app)
    jsonbody.init_app(app)  # every JSON request body bounded in depth
    unavailable.init_app(app)  # 503 + Retry-After when the database is locked, full, down
    security.init_app(app)
    app.register_blueprint(home.bp)
    public.init_app(app)  # public forms, JSON API, Babel, rate limits
    kiosk.init_app(app)  # counter kiosks: /k/<slug>, enrolment, the offline queue
    auth.init_app(app)  # staff sign-in, sessions and access control
    staff_home.init_app(app)  # the staff navigation bar in every staff template
    app.register_blueprint(dashboard.bp)  # report downloads and the dashboard
    quotas.init_app(app)  # sampling plans: quotas and progress against the registers
    admin.init_app(app)  # the admin console
    cases.init_app(app)  # feedback cases of agencies (surveyapp/cases)
    results.init_app(app)  # public results, open data, scorecards, publishing periods
    return app
