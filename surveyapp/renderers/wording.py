"""Statistics in words an inspector reads, in Vietnamese and English, from the catalogs.

Documents are made outside a request too (``surveyapp report``), so the
messages are looked up in the Flask-Babel catalogs directly with Babel, for the
language asked. Msgids are marked with ``N_`` so ``pybabel extract`` finds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from babel.support import NullTranslations, Translations

from surveyapp.config import PACKAGE_DIR
from surveyapp.renderers.numbers import DASH, LANGUAGE
from surveyapp.reporting.model import CityReport

#: Below this a difference is called larger than chance.
ALPHA = 0.05
LANGUAGES = ("vi", "en")


def N_(message: str) -> str:  # noqa: N802  # Babel's keyword for a message marked only
    return message


@cache
def _catalog(lang: str) -> NullTranslations:
    return Translations.load(str(PACKAGE_DIR / "translations"), [lang], "messages")


def tr(lang: str, message: str, **values: object) -> str:
    """Return ``message`` in ``lang`` (vi or en) with ``values`` filled in."""
    return _catalog(lang).gettext(message) % values if values else _catalog(lang).gettext(message)


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Make documents rendered inside the block speak ``lang`` (vi or en), numbers too."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: must be one of {', '.join(LANGUAGES)}")
    token = LANGUAGE.set(lang)
    try:
        yield
    finally:
        LANGUAGE.reset(token)


def language() -> str:
    """Return the language documents are being rendered in."""
    return LANGUAGE.get()


def t(message: str, **values: object) -> str:
    """Return ``message`` in the documents' language (see ``using``), always %-formatted.

    A literal percent sign is written ``%%`` in every msgid passed here.
    """
    return _catalog(LANGUAGE.get()).gettext(message) % values


def pick(vi: str, en: str) -> str:
    """Return a questionnaire's or agency's text in the documents' language."""
    return en if LANGUAGE.get() == "en" and en else vi


def both(message: str, **values: object) -> str:
    """Return ``message`` in the documents' language (formerly both languages).

    Unlike :func:`t`, a message without ``values`` is not %-formatted, so its
    percent signs are literal.
    """
    if values:
        return t(message, **values)
    return _catalog(LANGUAGE.get()).gettext(message)


def decimal(value: float, digits: int, lang: str) -> str:
    """Return ``value`` with ``digits`` decimals and the language's decimal mark."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "vi" else text


def p_text(p: float | None, lang: str) -> str:
    """Return ``p < 0,001`` / ``p = 0,042`` (vi) or ``p < 0.001`` / ``p = 0.042`` (en)."""
    if p is None:
        return f"p = {DASH}"
    if p < 0.001:
        return f"p < {decimal(0.001, 3, lang)}"
    return f"p = {decimal(p, 3, lang)}"


AGENCIES_DIFFER = N_("Differences between agencies are larger than chance (%(p)s).")
AGENCIES_ALIKE = N_(
    "Differences between agencies are no larger than chance alone would give (%(p)s)."
)
TREND_REAL = N_("The change across periods is larger than chance (%(p)s).")
TREND_CHANCE = N_("The change across periods is no larger than chance alone would give (%(p)s).")
CHANGE_REAL = N_("The change since the previous period is larger than chance (%(p)s).")
CHANGE_CHANCE = N_(
    "The change since the previous period is no larger than chance alone would give (%(p)s)."
)
NOT_TESTED = N_("Not enough data for a test.")

_SENTENCES = {
    "agencies": (AGENCIES_DIFFER, AGENCIES_ALIKE),
    "trend": (TREND_REAL, TREND_CHANCE),
    "change": (CHANGE_REAL, CHANGE_CHANCE),
}


def verdict(kind: str, p: float | None, lang: str) -> str:
    """Return a plain sentence saying whether ``p`` shows more than chance.

    ``kind`` is ``agencies`` (a test across agencies), ``trend`` (across periods)
    or ``change`` (since the previous period).
    """
    if p is None:
        return tr(lang, NOT_TESTED)
    real, chance = _SENTENCES[kind]
    return tr(lang, real if p < ALPHA else chance, p=p_text(p, lang))


#: Why a figure could not be computed (``analysis.Reason`` values), for people.
REASONS = {
    "no_data": N_("no data"),
    "single_respondent": N_("one respondent only"),
    "zero_variance": N_("every answer the same"),
    "all_identical": N_("every answer the same"),
    "single_group": N_("one group only"),
    "too_few_items": N_("too few questions"),
    "singular_matrix": N_("answers too closely related"),
    "empty_group": N_("a group without answers"),
}
#: The index methods a questionnaire may choose.
METHODS = {
    "sipas": N_("SIPAS: mean of the dimensions' share of satisfied answers"),
    "percent_agree": N_("share of satisfied answers over all scored questions"),
}


def city_tests(report: CityReport, lang: str) -> dict[str, str]:
    """Return the city page's tests across agencies in words and p-values, in ``lang``."""
    return {
        "kruskal": verdict("agencies", report.kruskal.p, lang),
        "kruskal_p": p_text(report.kruskal.p, lang),
        "chi2_p": p_text(report.chi2.p, lang),
    }


def reason(key: str | None) -> str:
    """Return why a figure is missing, in the documents' language (never the raw key)."""
    if key is None:
        return "n/a"
    return both(REASONS[key]) if key in REASONS else both(N_("not computed"))


def method(key: str) -> str:
    """Return an index method's name in the documents' language."""
    return both(METHODS[key]) if key in METHODS else key.replace("_", " ")
