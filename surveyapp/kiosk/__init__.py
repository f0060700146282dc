"""Counter kiosks: the rating page ``/k/<slug>``, device enrolment and the offline queue.

See ``views`` for the URLs and docs/counter-kiosk.md for how a kiosk is set up.
Its settings (``KIOSK_QUEUE_DAYS``, ``KIOSK_IDLE_SECONDS``,
``KIOSK_THANKS_SECONDS``) come from surveyapp/config.py.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the kiosk pages."""
    from surveyapp.kiosk import views

    app.register_blueprint(views.bp)
