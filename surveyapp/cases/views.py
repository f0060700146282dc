"""Case console pages: the list, one case (answer, close), an agency's deadline."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from surveyapp import db_app
from surveyapp.auth.access import (
    can_read_city,
    current_staff,
    login_required,
    require_agency_access,
    staff_pages,
    visible_agencies,
)
from surveyapp.cases.forms import AnswerForm, CloseForm, DeadlineForm
from surveyapp.errors import InputError, NotFoundError
from surveyapp.i18n import problem_text
from surveyapp.models import FeedbackCase, User
from surveyapp.services import feedback_cases

bp = staff_pages(Blueprint("cases", __name__, url_prefix="/cases"))

STATE_LABELS = {
    "open": lazy_gettext("Awaiting an answer"),
    "overdue": lazy_gettext("Overdue"),
    "answered": lazy_gettext("Answered, not closed"),
    "closed": lazy_gettext("Closed"),
    "all": lazy_gettext("All"),
}
KIND_LABELS = {"petition": lazy_gettext("Petition"), "complaint": lazy_gettext("Complaint")}


def _today() -> dt.date:
    tz = zoneinfo.ZoneInfo(str(current_app.config["TIMEZONE"]))
    return dt.datetime.now(tz).date()


def _user() -> User:
    user = current_staff()
    if user is None:  # login_required has sent anonymous visitors to sign in
        abort(404)
    return user


def _page(template: str, status: int = 200, **context: object) -> Response:
    body = render_template(template, **context)
    return Response(body, status=status, mimetype="text/html")


def _case_for(user: User, case_id: int) -> FeedbackCase:
    """Return the case when ``user`` may read it; 404 for another agency's or none."""
    allowed = [a.id for a in visible_agencies(db_app.session(), user)]
    try:
        return feedback_cases.get_case(db_app.session(), case_id, allowed)
    except NotFoundError:
        abort(404)


def _may_answer(user: User, case: FeedbackCase) -> bool:
    """Only the agency's own staff answer and close its cases and see the contact."""
    return user.role == "agency" and user.agency_id == case.agency_id


@bp.get("")
@login_required
def case_list() -> Response:
    """List the cases of the agencies the user may read, by state."""
    user = _user()
    state = request.args.get("state", "open")
    if state not in feedback_cases.STATES:
        abort(
            400,
            description=_(
                "state must be one of %(states)s", states=", ".join(feedback_cases.STATES)
            ),
        )
    agencies = visible_agencies(db_app.session(), user)
    today = _today()
    cases = feedback_cases.list_cases(db_app.session(), [a.id for a in agencies], state, today)
    return _page(
        "cases/list.html",
        cases=cases,
        state=state,
        states=STATE_LABELS,
        kinds=KIND_LABELS,
        today=today,
        state_of=lambda c: STATE_LABELS[feedback_cases.state_of(c, today)],
        agencies=agencies,
        city=can_read_city(user),
        may_set_deadline=user.role != "inspector",
    )


@bp.get("/<int:case_id>")
@login_required
def case_page(case_id: int) -> Response:
    """Show one case: the text, the contact (own agency only), answer and close forms."""
    user = _user()
    case = _case_for(user, case_id)
    return _case_page(user, case, AnswerForm(formdata=None, answer=case.answer or ""))


def _case_page(user: User, case: FeedbackCase, form: AnswerForm, status: int = 200) -> Response:
    today = _today()
    return _page(
        "cases/case.html",
        status,
        case=case,
        state=STATE_LABELS[feedback_cases.state_of(case, today)],
        kind=KIND_LABELS[case.kind],
        contact=case.contact if _may_answer(user, case) else None,
        may_answer=_may_answer(user, case) and case.closed_at is None,
        answer_form=form,
        close_form=CloseForm(formdata=None),
        receipt=case.response.receipt_code,
    )


@bp.post("/<int:case_id>/answer")
@login_required
def answer(case_id: int) -> Response:
    """Store the agency's answer (or correct it while the case is open)."""
    user = _user()
    form = AnswerForm()
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)  # before anything is looked up: a forged request learns nothing
    case = _case_for(user, case_id)
    if not _may_answer(user, case):
        abort(403)
    if not valid:
        return _case_page(user, case, form, 422)
    if not (form.answer.data or "").strip():
        form.answer.errors = [_("Write the answer before saving it.")]
        return _case_page(user, case, form, 422)
    try:
        with db_app.get_db().write() as session:
            own = session.get(FeedbackCase, case_id)
            if own is None:
                abort(404)
            feedback_cases.answer_case(session, user, own, form.answer.data or "")
    except InputError as exc:
        for message in exc.messages:
            flash(problem_text(message), "error")
        return redirect(url_for("cases.case_page", case_id=case_id), 303)
    flash(_("The answer is saved; the respondent reads it with the receipt code."), "ok")
    return redirect(url_for("cases.case_page", case_id=case_id), 303)


@bp.post("/<int:case_id>/close")
@login_required
def close(case_id: int) -> Response:
    """Close an answered case."""
    user = _user()
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)  # before anything is looked up: a forged request learns nothing
    case = _case_for(user, case_id)
    if not _may_answer(user, case):
        abort(403)
    try:
        with db_app.get_db().write() as session:
            own = session.get(FeedbackCase, case_id)
            if own is None:
                abort(404)
            feedback_cases.close_case(session, user, own)
    except InputError:
        flash(_("Answer the case before closing it."), "error")
        return redirect(url_for("cases.case_page", case_id=case_id), 303)
    flash(_("The case is closed."), "ok")
    return redirect(url_for("cases.case_page", case_id=case_id), 303)


@bp.route("/deadline/<code>", methods=["GET", "POST"])
@login_required
def deadline(code: str) -> Response:
    """Show and set an agency's deadline for answering new cases."""
    user = _user()
    agency = require_agency_access(code)
    if user.role == "inspector":
        abort(404)
    session = db_app.session()
    form = DeadlineForm(formdata=None, days=feedback_cases.deadline_days_of(session, agency.id))
    status = 200
    if request.method == "POST":
        form = DeadlineForm()
        if form.validate_on_submit():
            with db_app.get_db().write() as writing:
                feedback_cases.set_deadline_days(writing, user, agency.id, int(form.days.data))
            flash(_("The deadline applies to cases left from now on."), "ok")
            return redirect(url_for("cases.deadline", code=agency.code), 303)
        if "csrf_token" in form.errors:
            abort(400)
        status = 422
    return _page("cases/deadline.html", status, agency=agency, form=form)
