"""Interface language (Flask-Babel): Vietnamese by default, English by choice.

The order: ``?lang=`` on the request (or a view's own choice, e.g. the JSON API's
body), then the signed-in staff member's ``users.language`` (set from the switch
in the staff navigation), then Vietnamese. Public pages never read the account: a
form in a cross-site iframe has no cookies, and an agency's link decides its language.
Catalogs live in ``surveyapp/translations`` (msgids are English); see babel.cfg.
Numbers and dates on pages are formatted per locale with Babel (``number``,
``percent`` and ``day`` filters): Vietnamese writes a decimal comma.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import Flask, g, has_request_context, request
from flask_babel import Babel

from surveyapp.config import PACKAGE_DIR
from surveyapp.errors import InputError, localized

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
#: Blueprints whose pages follow the URL only (the respondent's side).
PUBLIC_BLUEPRINTS = frozenset({"public", "api", "theme"})
DASH = "\u2013"

babel = Babel()


def _account_language() -> str | None:
    if request.blueprint in PUBLIC_BLUEPRINTS:
        return None
    from surveyapp.auth.access import current_staff

    user = current_staff()
    return user.language if user is not None else None


def current_language() -> str:
    """Return the language of the current request: view's choice, ``?lang=``, account, vi."""
    chosen = g.get("language")
    if chosen in LANGUAGES:
        return str(chosen)
    if not has_request_context():
        return DEFAULT_LANGUAGE
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    kept = _account_language()
    return kept if kept in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Let a view fix the language (the JSON API reads it from the body)."""
    if lang in LANGUAGES:
        g.language = lang


def number(value: float | None, digits: int = 1, lang: str | None = None) -> str:
    """Return ``value`` with exactly ``digits`` decimals in the language's notation."""
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=lang or current_language())


def pick(vi: object, en: object, lang: str | None = None) -> object:
    """Return the text of a pair (a questionnaire's or agency's) in the language shown."""
    return en if (lang or current_language()) == "en" and en else vi


def day(value: dt.date | dt.datetime | None, lang: str | None = None) -> str:
    """Return a date as the language writes it in short (``04/12/2026``, ``12/4/26``)."""
    if value is None:
        return DASH
    locale = lang or current_language()
    if isinstance(value, dt.datetime):
        return format_datetime(value, format="short", locale=locale, tzinfo=dt.UTC)
    return format_date(value, format="short", locale=locale)


def problem_text(message: str) -> str:
    """Return a service's message (``errors.Problem``) in the page's language."""
    from flask_babel import gettext

    return str(localized(message, gettext))


def problems_text(exc: InputError) -> str:
    """Return every message of ``exc`` in the page's language, one a line."""
    return "\n".join(problem_text(m) for m in exc.messages)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PACKAGE_DIR / "translations"))
    babel.init_app(app, locale_selector=current_language)
    app.jinja_env.filters["number"] = number
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["pick"] = pick
    app.jinja_env.globals["problem_text"] = problem_text
