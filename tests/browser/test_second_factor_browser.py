"""The second factor in Chromium: enrol, sign out, sign in with a code, reuse and recovery."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import Site, add_user, enrol_in_browser

pytestmark = pytest.mark.browser
TIMEOUT = 15_000  # ms, for every wait
ADMIN = "admin-2fa@hcmc.gov.vn"
PASSWORD = "browser second factor 1"


@pytest.fixture(scope="module")
def admin_email(site: Site) -> str:
    return add_user(site, ADMIN, PASSWORD)


def _password(page: Any, site: Site) -> None:
    page.goto(f"{site.app_url}/admin/")
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label(re.compile("Thư điện tử|Email")).fill(ADMIN)
    page.get_by_label(re.compile("Mật khẩu|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Đăng nhập")).click()


def _code(page: Any, code: str) -> None:
    page.wait_for_url(re.compile(r"/login/code$"))
    page.locator("#code").fill(code)
    page.get_by_role("button", name=re.compile("Đăng nhập")).click()


def _sign_out(page: Any, site: Site) -> None:
    page.goto(f"{site.app_url}/staff")
    page.get_by_role("button", name=re.compile("Đăng xuất|Sign out")).click()
    page.wait_for_url(re.compile(r"/login"))


def test_enrol_sign_out_and_sign_in_with_codes(site: Site, browser: Any, admin_email: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        _password(page, site)
        # The console is out of reach until the second factor is set up.
        page.wait_for_url(re.compile(r"/account/two-factor\?next=/admin/"))
        expect(page.locator("img.qr")).to_be_visible()
        page.goto(f"{site.app_url}/admin/users")
        page.wait_for_url(re.compile(r"/account/two-factor\?next=/admin/users"))
        page.goto(f"{site.app_url}/admin/")
        page.wait_for_url(re.compile(r"/account/two-factor\?next=/admin/"))
        secret, codes = enrol_in_browser(page)
        assert len(codes) == 10
        page.locator("main a").last.click()
        page.wait_for_url(f"{site.app_url}/admin/")
        _sign_out(page, site)

        # A code computed from the key, as the phone would: the next step (the current
        # one was used to enrol, and a step is accepted once).
        code = pyotp.TOTP(secret).at(time.time() + 30)
        _password(page, site)
        _code(page, code)
        page.wait_for_url(f"{site.app_url}/admin/")
        _sign_out(page, site)

        # The same code again: refused, with the error announced on the page.
        _password(page, site)
        _code(page, code)
        error = page.get_by_role("alert")
        expect(error).to_be_visible()
        expect(error).to_contain_text("đã được sử dụng")
        expect(page.locator("#code")).to_have_attribute("aria-describedby", "login-message")
        page.goto(f"{site.app_url}/admin/")
        page.wait_for_url(re.compile(r"/login"))

        # A recovery code works once.
        _password(page, site)
        _code(page, codes[0])
        page.wait_for_url(f"{site.app_url}/admin/")
        _sign_out(page, site)
        _password(page, site)
        _code(page, codes[0])
        expect(page.get_by_role("alert")).to_be_visible()
        assert page.url.endswith("/login/code")
    finally:
        context.close()
