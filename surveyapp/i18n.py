"""Interface language (Flask-Babel): Vietnamese by default, English with ``?lang=en``.

The language is chosen by the URL, not by Accept-Language or a cookie: a form in a
cross-site iframe has no cookies, and an agency's link decides its language.
Catalogs live in ``surveyapp/translations`` (msgids are English); see babel.cfg.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel

from surveyapp.config import PACKAGE_DIR

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

babel = Babel()


def current_language() -> str:
    """Return the language of the current request: ``?lang=`` (or a view's choice), else vi."""
    chosen = g.get("language")
    if chosen in LANGUAGES:
        return str(chosen)
    asked = request.args.get("lang", "") if request else ""
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Let a view fix the language (the JSON API reads it from the body)."""
    if lang in LANGUAGES:
        g.language = lang


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PACKAGE_DIR / "translations"))
    babel.init_app(app, locale_selector=current_language)
