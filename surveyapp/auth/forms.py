"""Staff forms. Each is a Flask-WTF form, so each carries its own CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, InputRequired, Length

from surveyapp.forms.translations import TranslatedForm
from surveyapp.models.accounts import MAX_EMAIL_LENGTH
from surveyapp.services.accounts import MAX_PASSWORD_LENGTH


class LoginForm(TranslatedForm):
    """E-mail and password, and the local page to return to."""

    email = StringField(_("Email"), validators=[InputRequired(), Length(max=MAX_EMAIL_LENGTH)])
    password = PasswordField(
        _("Password"), validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    next = HiddenField()


class LogoutForm(TranslatedForm):
    """Nothing but the CSRF token: signing out is a POST a third party cannot forge."""


class LanguageForm(TranslatedForm):
    """The staff navigation's language switch: the language to keep and the page to return to."""

    language = HiddenField(validators=[InputRequired(), AnyOf(("vi", "en"))])
    next = HiddenField()


class CodeForm(TranslatedForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(_("Code"), validators=[InputRequired(), Length(max=64)])
    next = HiddenField()


class ReauthForm(TranslatedForm):
    """The password again, and a code when the user has a second factor."""

    password = PasswordField(
        _("Password"), validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    code = StringField(_("Code"), validators=[Length(max=64)])
    next = HiddenField()
