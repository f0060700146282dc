"""The sampling plan page: each agency's progress against its quota; registers entry.

Inspectors and admins see every agency and may enter an agency's dossiers for a
period; an agency account sees its own agency only.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from surveyapp import db_app
from surveyapp.auth.access import (
    can_read_city,
    current_staff,
    login_required,
    require_city_access,
    staff_pages,
    visible_agencies,
)
from surveyapp.definitions.characters import printable
from surveyapp.errors import InputError
from surveyapp.forms.translations import TranslatedForm
from surveyapp.i18n import problem_text
from surveyapp.services import quotas, registers

bp = staff_pages(Blueprint("quotas", __name__))


class RegisterForm(TranslatedForm):
    """One agency's dossiers handled in one period."""

    agency = StringField(_l("Agency code"), validators=[InputRequired(), Length(max=32)])
    period = StringField(
        _l("Period (YYYY, YYYY-Qn or YYYY-MM)"), validators=[InputRequired(), Length(max=7)]
    )
    dossiers = StringField(_l("Dossiers handled"), validators=[InputRequired(), Length(max=12)])


def _plan_view(form: RegisterForm, status: int = 200) -> tuple[str, int]:
    user = current_staff()
    session = db_app.session()
    known = registers.periods(session)
    period = (request.args.get("period") or (known[0] if known else "")).strip()
    rule = request.args.get("rule", "slovin")
    error = None
    plan = None
    city = can_read_city(user)
    ids = None if city else [a.id for a in visible_agencies(session, user)]
    try:
        margin = quotas.check_margin(request.args.get("margin"))
        if period:
            plan = quotas.sampling_plan(
                session, period, timezone=current_app.config["TIMEZONE"], margin=margin,
                rule=rule, slug=request.args.get("questionnaire") or None, agency_ids=ids,
            )  # fmt: skip
    except InputError as exc:
        error = "; ".join(problem_text(m) for m in exc.messages)
        margin, status = quotas.DEFAULT_MARGIN, 400
    page = render_template(
        "quotas/plan.html",
        plan=plan,
        periods=known,
        period=period,
        margin=margin,
        rule=rule,
        rules=quotas.RULES,
        error=error,
        form=form if city else None,
    )
    return printable(page), status


@bp.get("/dashboard/quotas")
@login_required
def plan_page() -> Any:
    """Show each agency's quota for a period, its responses so far and who is behind."""
    return _plan_view(RegisterForm())


@bp.post("/dashboard/quotas")
@login_required
def enter_register() -> Any:
    """Store one agency's dossiers for a period (inspectors and admins)."""
    require_city_access()
    form = RegisterForm()
    if not form.validate_on_submit():
        return _plan_view(form, 400)
    try:
        with db_app.get_db().write() as session:
            registers.set_total(session, form.agency.data, form.period.data, form.dossiers.data)
    except InputError as exc:
        for message in exc.messages:
            form.dossiers.errors = [*form.dossiers.errors, problem_text(message)]  # type: ignore[assignment]
        return _plan_view(form, 400)
    flash(_("The registers were saved."), "ok")
    return redirect(url_for("quotas.plan_page", period=form.period.data.strip()))


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
