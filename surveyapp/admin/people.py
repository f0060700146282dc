"""Users (create, disable, reset passwords) and API tokens (create, revoke): admin only."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from surveyapp import db_app
from surveyapp.admin.blueprint import bp, flash_problems, page, require_admin
from surveyapp.admin.forms import ActionForm, PasswordForm, TokenForm, UserForm
from surveyapp.auth import secret_key
from surveyapp.errors import InputError, NotFoundError
from surveyapp.models import User
from surveyapp.services import accounts, api_tokens
from surveyapp.services.agencies import list_agencies

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
    return page(
        "admin/users.html",
        status,
        form=form,
        users=accounts.list_users(db_app.session()),
        action_form=ActionForm(),
        password_form=PasswordForm(),
    )


@bp.route("/users", methods=["GET", "POST"])
def users() -> Response:
    """List users; create one (POST) with a role and, for agency users, an agency."""
    actor = require_admin()
    form = _user_form()
    if request.method == "GET":
        return _users_page(form)
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
    flash(f"Đã tạo · Created {user.email}", "ok")
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
        flash("Không thể tự khóa · You cannot disable yourself", "error")
        return redirect(url_for("admin.users"), 303)
    with db_app.get_db().write() as session:
        accounts.set_active(session, target.email, make_active, actor=actor, via="web")
    flash(f"{target.email}: {'enabled' if make_active else 'disabled'}", "ok")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int) -> Response:
    """Set a new password for a user; its sessions end."""
    actor = require_admin()
    form = PasswordForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash("Nhập mật khẩu mới · Type the new password", "error")
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
        flash(f"{target.email}: mật khẩu mới · password changed", "ok")
    return redirect(url_for("admin.users"), 303)


def _token_form() -> TokenForm:
    form = TokenForm()
    form.agency.choices = _agency_choices("Toàn thành phố · City-wide (inspector)")
    return form


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> Response:
    """List API tokens; create one (POST), shown once on the page that answers."""
    actor = require_admin()
    form = _token_form()
    created = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with db_app.get_db().write() as session:
                    _row, created = api_tokens.create_token(
                        session, form.name.data or "", form.agency.data or None, actor=actor
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
    flash("Đã thu hồi · Revoked", "ok")
    return redirect(url_for("admin.tokens"), 303)
