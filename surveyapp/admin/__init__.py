"""The admin console: agencies, counters and kiosks, questionnaires, embedding, posters,
dossier codes, response triage, users and API tokens.

Who may use what: ``admin`` users everything; an ``agency`` user the pages of its
own agency (webmaster page, QR poster, dossier codes); inspectors and other
agencies' users get 404 ("not yours: not found", as for reports).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the admin console's pages."""
    from surveyapp.admin import (  # noqa: F401 - importing registers each module's routes
        agencies,
        agency_pages,
        alerts,
        counters,
        people,
        questionnaires,
        triage,
    )
    from surveyapp.admin.blueprint import bp

    app.register_blueprint(bp)
