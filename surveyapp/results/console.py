"""Publishing periods for the public results pages (admins and inspectors; audited)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired

from surveyapp import db_app
from surveyapp.auth.access import login_required, require_city_access, staff_pages
from surveyapp.errors import NotFoundError
from surveyapp.forms.translations import TranslatedForm
from surveyapp.services import public_results, report_choice
from surveyapp.services.public_results import PublishError

bp = staff_pages(Blueprint("results_console", __name__, url_prefix="/publishing"))


class PublishForm(TranslatedForm):
    """A questionnaire's period to publish."""

    questionnaire = SelectField(lazy_gettext("Questionnaire"), validators=[InputRequired()])
    first = DateField(lazy_gettext("From"), validators=[InputRequired()])
    last = DateField(lazy_gettext("To"), validators=[InputRequired()])


class UnpublishForm(TranslatedForm):
    """Take a period off the public pages."""


def _publish_form(formdata: object = None) -> PublishForm:
    form = PublishForm() if formdata is not None else PublishForm(formdata=None)
    options = report_choice.questionnaire_options(db_app.session())
    form.questionnaire.choices = [(o.slug, o.slug) for o in options]
    return form


def _page(form: PublishForm, status: int = 200, errors: list[str] | None = None) -> Response:
    body = render_template(
        "results/console.html",
        periods=public_results.published(db_app.session()),
        form=form,
        unpublish=UnpublishForm(formdata=None),
        errors=errors or [],
    )
    return Response(body, status=status, mimetype="text/html")


@bp.get("")
@login_required
def periods() -> Response:
    """List the published periods; publish another."""
    require_city_access()
    return _page(_publish_form())


@bp.post("")
@login_required
def publish() -> Response:
    """Publish a questionnaire's period, or show the form again (422) with why not."""
    user = require_city_access()
    form = _publish_form(formdata=True)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _page(form, 422)
    today = dt.datetime.now(zoneinfo.ZoneInfo(str(current_app.config["TIMEZONE"]))).date()
    try:
        with db_app.get_db().write() as session:
            public_results.publish(
                session,
                user,
                str(form.questionnaire.data),
                form.first.data,
                form.last.data,
                today=today,
            )
    except PublishError as exc:
        # Refused: nothing is stored; the form is shown again with the reason.
        return _page(form, 422, [_(exc.template, **exc.values)])
    flash(_("The period is published: /results shows it."), "ok")
    return redirect(url_for("results_console.periods"), 303)


@bp.post("/<int:period_id>/unpublish")
@login_required
def unpublish(period_id: int) -> Response:
    """Take a published period off the public pages."""
    user = require_city_access()
    if not UnpublishForm().validate_on_submit():
        abort(400)
    try:
        with db_app.get_db().write() as session:
            public_results.unpublish(session, user, period_id)
    except NotFoundError:
        abort(404)
    flash(_("The period is no longer public."), "ok")
    return redirect(url_for("results_console.periods"), 303)
