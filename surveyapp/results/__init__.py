"""Public results (``/results``), open data, scorecards, and publishing periods."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from surveyapp.results import console, public

    app.register_blueprint(public.bp)
    app.register_blueprint(console.bp)
