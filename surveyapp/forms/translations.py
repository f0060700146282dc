"""WTForms' own messages ("This field is required.") in the language of the page.

WTForms ships no Vietnamese catalog, so Flask-WTF's translations fall back to English
for it. ``TranslatedForm`` reads those messages from the ``wtforms`` domain of our
catalogs (``surveyapp/translations/vi/LC_MESSAGES/wtforms.po``, made from the
``wtforms.pot`` of the installed WTForms), and from WTForms' own catalogs for any
other language. Every form of the app derives from it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from babel.support import NullTranslations, Translations
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from surveyapp.config import PACKAGE_DIR
from surveyapp.i18n import current_language

DOMAIN = "wtforms"


@cache
def catalog(lang: str) -> NullTranslations:
    """The WTForms messages in ``lang``: ours first, then WTForms' own."""
    ours = Translations.load(str(PACKAGE_DIR / "translations"), [lang], DOMAIN)
    theirs = Translations.load(messages_path(), [lang], DOMAIN)
    if isinstance(ours, Translations):
        if isinstance(theirs, Translations):
            ours.add_fallback(theirs)
        return ours
    return theirs


class _PageLanguage:
    """The gettext interface WTForms asks its ``Meta`` for, in the page's language."""

    def gettext(self, string: str) -> str:
        return catalog(current_language()).gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return catalog(current_language()).ngettext(singular, plural, n)


PAGE_LANGUAGE = _PageLanguage()


class TranslatedForm(FlaskForm):
    """A Flask-WTF form whose built-in validation messages follow the page's language."""

    class Meta:
        def get_translations(self, form: Any) -> _PageLanguage:
            return PAGE_LANGUAGE
