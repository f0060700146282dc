"""Users (create, disable, reset passwords and second factors) and API tokens: admin only.

Creating users, resetting passwords or second factors, changing which roles need
a second factor and creating API tokens need a recent password (``/reauth``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from surveyapp import db_app
from surveyapp.admin.blueprint import bp, flash_problems, page, require_admin
from surveyapp.admin.forms import (
    ActionForm,
    PasswordForm,
    SecondFactorPolicyForm,
    TokenForm,
    UserForm,
)
from surveyapp.auth import require_recent_auth, secret_key
from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import User, utcnow
from surveyapp.services import accounts, api_tokens, second_factor
from surveyapp.services.agencies import list_agencies
from surveyapp.services.api_tokens import DEFAULT_DAYS

NO_AGENCY = ""


def _agency_choices(empty_label: str) -> list[SelectChoice]:
    agencies = list_agencies(db_app.session(), include_inactive=True)
    return [SelectChoice(NO_AGENCY, empty_label)] + [
        SelectChoice(a.code, f"{a.code} · {a.name_vi}") for a in agencies
    ]


def _user_form() -> UserForm:
    form = UserForm()
    form.agency.choices = _agency_choices("—")
    return form


def _users_page(form: UserForm, status: int = 200) -> Response:
    session = db_app.session()
    required = second_factor.required_roles(session)
    policy_form = SecondFactorPolicyForm(formdata=None)
    policy_form.inspector.data = "inspector" in required
    policy_form.agency.data = "agency" in required
    return page(
        "admin/users.html",
        status,
        form=form,
        users=accounts.list_users(session),
        action_form=ActionForm(),
        password_form=PasswordForm(),
        policy_form=policy_form,
        required_roles=required,
    )


@bp.route("/users", methods=["GET", "POST"])
def users() -> Response:
    """List users; create one (POST) with a role and, for agency users, an agency."""
    actor = require_admin()
    form = _user_form()
    if request.method == "GET":
        return _users_page(form)
    require_recent_auth(url_for("admin.users"))
    if not form.validate_on_submit():
        return _users_page(form, 400 if "csrf_token" in form.errors else 422)
    try:
        with db_app.get_db().write() as session:
            user = accounts.add_user(
                session,
                form.email.data or "",
                form.role.data or "",
                form.agency.data or None,
                form.password.data or "",
                actor=actor,
                via="web",
            )
    except InputError as exc:
        flash_problems(exc)
        return _users_page(form, 422)
    flash(_("Created %(email)s", email=user.email), "ok")
    return redirect(url_for("admin.users"), 303)


def _user(session_user_id: int) -> User:
    user = db_app.session().get(User, session_user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int) -> Response:
    """Disable a user (ending its sessions) or enable it again."""
    actor = require_admin()
    if not ActionForm().validate_on_submit():
        abort(400)
    target = _user(user_id)
    make_active = request.form.get("active") == "1"
    if not make_active and target.id == actor.id:
        flash(_("You cannot disable yourself"), "error")
        return redirect(url_for("admin.users"), 303)
    with db_app.get_db().write() as session:
        accounts.set_active(session, target.email, make_active, actor=actor, via="web")
    flash(
        _("%(email)s: enabled", email=target.email)
        if make_active
        else _("%(email)s: disabled", email=target.email),
        "ok",
    )
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int) -> Response:
    """Set a new password for a user; its sessions end."""
    actor = require_admin()
    require_recent_auth(url_for("admin.users"))
    form = PasswordForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Type the new password"), "error")
        return redirect(url_for("admin.users"), 303)
    target = _user(user_id)
    try:
        with db_app.get_db().write() as session:
            accounts.set_password(
                session,
                target.email,
                form.password.data or "",
                secret=secret_key(),
                actor=actor,
                via="web",
            )
    except InputError as exc:
        flash_problems(exc)
    else:
        flash(_("%(email)s: password changed", email=target.email), "ok")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/two-factor/reset")
def user_two_factor_reset(user_id: int) -> Response:
    """Remove a user's second factor (a lost phone); its sessions end, it enrols again."""
    actor = require_admin()
    require_recent_auth(url_for("admin.users"))
    if not ActionForm().validate_on_submit():
        abort(400)
    target = _user(user_id)
    with db_app.get_db().write() as session:
        second_factor.reset(session, target.email, actor=actor, via="web")
    flash(_("%(email)s: two-step sign-in reset", email=target.email), "ok")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/two-factor-policy")
def two_factor_policy() -> Response:
    """Choose which roles besides admin must sign in with a second factor."""
    actor = require_admin()
    require_recent_auth(url_for("admin.users"))
    form = SecondFactorPolicyForm()
    if not form.validate_on_submit():
        abort(400)
    with db_app.get_db().write() as session:
        second_factor.set_required(session, "inspector", bool(form.inspector.data), actor=actor)
        second_factor.set_required(session, "agency", bool(form.agency.data), actor=actor)
    flash(_("Two-step sign-in policy saved"), "ok")
    return redirect(url_for("admin.users"), 303)


def _token_form() -> TokenForm:
    form = TokenForm()
    form.agency.choices = _agency_choices(_("City-wide (inspector)"))
    return form


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> Response:
    """List API tokens; create one (POST), shown once on the page that answers."""
    actor = require_admin()
    form = _token_form()
    created = None
    status = 200
    if request.method == "POST":
        require_recent_auth(url_for("admin.tokens"))
        if form.validate_on_submit():
            try:
                with db_app.get_db().write() as session:
                    _row, created = api_tokens.create_token(
                        session,
                        form.name.data or "",
                        form.agency.data or None,
                        actor=actor,
                        days=DEFAULT_DAYS if form.days.data is None else form.days.data,
                    )
            except InputError as exc:
                flash_problems(exc)
                status = 422
            else:
                status = 201
        else:
            status = 400 if "csrf_token" in form.errors else 422
    return page(
        "admin/tokens.html",
        status,
        form=form,
        created=created,
        tokens=api_tokens.list_tokens(db_app.session()),
        action_form=ActionForm(),
        now=utcnow(),
    )


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int) -> Response:
    """Revoke an API token."""
    actor = require_admin()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with db_app.get_db().write() as session:
            api_tokens.revoke(session, token_id, actor=actor)
    except NotFoundError:
        abort(404)
    flash(_("Revoked"), "ok")
    return redirect(url_for("admin.tokens"), 303)
