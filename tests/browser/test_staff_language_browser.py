"""Staff pages in Chromium: Vietnamese by default, English after one switch, kept on the account.

The browser asks for English (``locale="en-US"``): the staff side still starts in
Vietnamese, because the language is the account's choice, not the browser's.
"""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site, add_user
from tests.browser.test_browser import TIMEOUT

EMAIL = "ngon-ngu@hcmc.gov.vn"
PASSWORD = "language switch 1"

#: (Vietnamese, English) labels of the staff pages that must follow the switch.
LABELS = [("Bảng điều khiển", "Dashboard"), ("Đăng xuất", "Sign out")]


def _sign_in(browser: Any, site: Site) -> tuple[Any, Any]:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.app_url}/login")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_label(re.compile("Thư điện tử")).fill(EMAIL)
    page.get_by_label(re.compile("Mật khẩu")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Đăng nhập")).click()
    page.wait_for_url(re.compile(r"/staff$"))
    return context, page


def _shows(page: Any, lang: str) -> None:
    """The page is in ``lang`` only: its labels in that language, none in the other."""
    assert page.locator("html").get_attribute("lang") == lang
    text = page.locator("body").inner_text()
    for vi, en in LABELS:
        wanted, other = (vi, en) if lang == "vi" else (en, vi)
        assert wanted in text, (lang, wanted)
        assert other not in text, (lang, other)


def test_an_inspector_switches_to_english_once_and_stays_in_english(
    site: Site, browser: Any
) -> None:
    add_user(site, EMAIL, PASSWORD, role="inspector")
    context, page = _sign_in(browser, site)
    try:
        _shows(page, "vi")
        page.goto(f"{site.app_url}/dashboard")
        _shows(page, "vi")

        page.locator("#language-switch").click()
        page.wait_for_url(re.compile(r"/dashboard"))
        _shows(page, "en")
        page.goto(f"{site.app_url}/staff")
        _shows(page, "en")
        # ?lang= shows one page in the other language without changing the account.
        page.goto(f"{site.app_url}/staff?lang=vi")
        _shows(page, "vi")
        page.goto(f"{site.app_url}/staff")
        _shows(page, "en")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(re.compile(r"/login"))
    finally:
        context.close()

    # A new browser: the account remembers English from the moment of signing in.
    context, page = _sign_in(browser, site)
    try:
        _shows(page, "en")
        page.locator("#language-switch").click()
        page.wait_for_url(re.compile(r"/staff$"))
        _shows(page, "vi")
    finally:
        context.close()
