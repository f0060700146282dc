"""The question sections of a blank form, rendered once per definition and language.

Rendering ~150 radio buttons through WTForms widgets costs tens of milliseconds,
and a blank form's sections are the same for every respondent: they depend only
on the definition (named by its content hash; stored versions never change) and
the language. Everything that differs between requests (the signed token, the
agency, the dossier code, the language switch link, the error summary) lies
outside the sections and is rendered on every request. A form shown again with
answers or errors is always rendered afresh.

The cache is per process and bounded; it holds derived HTML only, so several
workers or servers never need to share it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock

from flask import render_template
from markupsafe import Markup

from surveyapp.forms.builder import SectionView

#: Most (definition, language) pairs kept; the oldest is dropped first.
MAX_ENTRIES = 64

_rendered: OrderedDict[tuple[str, str], Markup] = OrderedDict()
_lock = Lock()


def render_sections(sections: list[SectionView]) -> Markup:
    """Render the question sections of a form (bound or blank)."""
    return Markup(render_template("public/sections.html", sections=sections))  # noqa: S704


def blank_sections(content_hash: str, lang: str, layout: Callable[[], list[SectionView]]) -> Markup:
    """Return the rendered sections of a blank form of ``content_hash`` in ``lang``.

    ``layout`` returns the sections of a blank form (no data, no errors); it is
    called only when they are not rendered yet.
    """
    key = (content_hash, lang)
    with _lock:
        found = _rendered.get(key)
        if found is not None:
            _rendered.move_to_end(key)
            return found
    html = render_sections(layout())
    with _lock:
        _rendered[key] = html
        while len(_rendered) > MAX_ENTRIES:
            _rendered.popitem(last=False)
    return html


#: Most prebuilt blank pages kept (each about 50 KB).
MAX_PAGES = 128
#: Stands for the signed token in a prebuilt page (unchanged by HTML escaping).
TOKEN_MARK = "TOKEN0PLACEHOLDER0MARK"  # noqa: S105 - a placeholder, not a secret

_pages: dict[tuple[object, ...], tuple[str, str, str]] = {}


def blank_page(
    key: tuple[object, ...], build: Callable[[], tuple[str, str]]
) -> tuple[str, str, str]:
    """Return (before, after, CSP) of a blank page whose only varying part is its token.

    ``key`` names everything the page depends on (settings generation, version,
    agency, language, path and query); ``build`` renders it with ``TOKEN_MARK`` as
    the token and returns (body, CSP). Reads take no lock; a page is built at most
    once per process and key (twice in a rare race, with the same result).
    """
    found = _pages.get(key)
    if found is not None:
        return found
    body, csp = build()
    before, mark, after = body.partition(TOKEN_MARK)
    if not mark or TOKEN_MARK in after:
        raise ValueError("a blank page must hold its token exactly once")
    with _lock:
        while len(_pages) >= MAX_PAGES:
            _pages.pop(next(iter(_pages)))
        _pages[key] = (before, after, csp)
    return before, after, csp


def cached_count() -> int:
    with _lock:
        return len(_rendered)


def clear() -> None:
    """Forget every rendered form (tests; a deployment restarts instead)."""
    with _lock:
        _rendered.clear()
        _pages.clear()
