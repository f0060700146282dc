"""The agency's console of feedback cases: open, overdue, answered and closed cases.

An ``agency`` user sees, answers and closes its own agency's cases and reads their
contact details; admins and inspectors read every agency's cases (never the contact
details: those are the agency's alone) and set deadlines. Another agency's case, or
an unknown one, answers 404. Every answer, closing and deadline is in the audit log.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from surveyapp.cases import views

    app.register_blueprint(views.bp)
