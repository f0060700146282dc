"""Every staff page a Vietnamese-speaking user opens is in Vietnamese only, and vice versa.

The HTML pages are read from ``app.url_map`` (so a page added later is checked
without being listed) and opened by an admin, an inspector and an agency user whose
account language is Vietnamese, then English. A page fails when its visible text
holds a sentence of the other language: an English message id whose Vietnamese
translation differs (on a Vietnamese page), or such a Vietnamese translation (on an
English page). Data (agency names, questionnaire texts, codes) is not checked: it
has its own language; nor are the previews of the respondent's form, which show the
form in the language asked for.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from surveyapp.config import PACKAGE_DIR
from surveyapp.db import Database
from tests.admin.conftest import signed_in, sipas, staff, store
from tests.auth.conftest import Staff
from tests.hostile.test_no_500_any_route import _base_values, _path, _routes, ids

__all__ = ["ids", "sipas", "staff", "store"]

#: Blueprints of the respondent's side and machine interfaces: not staff pages.
NOT_STAFF = {"public", "api", "theme", "kiosk", "results", "static", "embed"}
#: The respondent's form as respondents see it, in the form's language (``?lang=``).
FORM_PREVIEWS = re.compile(r"/webmaster/[^/]+/frame$|/v\d+/preview$")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]")


def _sentences() -> list[tuple[str, str]]:
    """(English, Vietnamese) of every message of two words or more that is translated."""
    with (PACKAGE_DIR / "translations" / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    pairs = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not message.string:
            continue
        english, vietnamese = message.id, str(message.string)
        # The constant part of a message with values, as it shows on the page.
        english = max(PLACEHOLDER.split(english), key=len).strip(" :.,()")
        vietnamese = max(PLACEHOLDER.split(vietnamese), key=len).strip(" :.,()")
        if len(english.split()) >= 3 and english.casefold() != vietnamese.casefold():
            pairs.append((english, vietnamese))
    return pairs


SENTENCES = _sentences()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "code", "pre", "textarea"}:
            self.skip += 1
        for name, value in attrs:
            if name in {"title", "aria-label", "placeholder", "alt"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "code", "pre", "textarea"} and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def _staff_pages(app: Flask, ids: dict[str, int]) -> list[str]:
    urls = []
    for method, rule in _routes(app):
        blueprint = rule.endpoint.rpartition(".")[0] or rule.endpoint
        if method != "GET" or blueprint in NOT_STAFF or rule.endpoint.endswith("download"):
            continue
        if "<" in rule.rule and not rule.arguments <= set(_base_values(rule, ids)):
            continue
        url = _path(rule, _base_values(rule, ids))
        if not FORM_PREVIEWS.search(url):
            urls.append(url)
    return sorted(set(urls))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_staff_page_speaks_the_accounts_language_only(
    app: Flask, db: Database, staff: Staff, ids: dict[str, int], lang: str
) -> None:
    wrong = []
    seen = 0
    for email in (staff.admin, staff.inspector, staff.own):
        client = signed_in(app, email, language=lang)
        for url in _staff_pages(app, ids):
            response = client.get(url)
            body = response.get_data()
            response.close()
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            page = body.decode("utf-8")
            seen += 1
            text = visible_text(page)
            for english, vietnamese in SENTENCES:
                other = english if lang == "vi" else vietnamese
                if other in text:
                    wrong.append(f"{email} {url}: {other!r}")
    assert seen >= 20, seen
    assert sorted(set(wrong)) == [], "\n".join(sorted(set(wrong)))
