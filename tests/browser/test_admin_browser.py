"""The admin console in Chromium: sign in, agencies, questionnaires, embedding, triage."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from surveyapp.definitions import check_text, load_questionnaire
from surveyapp.embedding import make_snippet
from tests.browser.conftest import REPO, Site, add_user, enrol_in_browser

pytestmark = pytest.mark.browser
TIMEOUT = 15_000  # ms, for every wait
ADMIN = "admin-browser@hcmc.gov.vn"
PASSWORD = "browser admin password 1"
SLUG = "browser-admin"
BROKEN = """\
format: 1
title: {vi: "Phiếu thử quản trị", en: "Admin test survey"}
sections:
  - key: main
    title: {vi: "Chung", en: "General"}
    questions:
      - key: comment
        type: long_txt
        text: {vi: "Góp ý", en: "Comments"}
"""
FIXED = BROKEN.replace("long_txt", "long_text")


@pytest.fixture(scope="module")
def admin_email(site: Site) -> str:
    """An admin in the live server's database, added with the CLI as an operator would."""
    return add_user(site, ADMIN, PASSWORD)


@pytest.fixture(scope="module")
def admin(site: Site, browser: Any, admin_email: str) -> Iterator[Any]:
    """A page signed in as the admin through the real /login form."""
    context = browser.new_context(locale="vi-VN", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.app_url}/admin/")
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label(re.compile("Thư điện tử|Email")).fill(admin_email)
    page.get_by_label(re.compile("Mật khẩu|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Đăng nhập")).click()
    # An admin's first sign-in sets up the second factor, then goes on to the console.
    page.wait_for_url(re.compile(r"/account/two-factor"))
    enrol_in_browser(page)
    page.locator("main a").last.click()
    page.wait_for_url(f"{site.app_url}/admin/")
    yield page
    context.close()


def test_sign_in_and_add_an_agency_with_an_origin(site: Site, admin: Any) -> None:
    from playwright.sync_api import expect

    expect(admin.locator(".staff-nav .who")).to_have_text(f"{ADMIN} · Quản trị viên")
    admin.get_by_role("link", name="Cơ quan", exact=True).click()
    admin.get_by_label("Mã", exact=True).fill("BTA")
    admin.get_by_label("Tên tiếng Việt").fill("Phường Bến Thành")
    admin.get_by_label("Tên tiếng Anh").fill("Ben Thanh Ward")
    admin.get_by_label("Nguồn được phép nhúng", exact=False).fill("https://www.benthanh.example")
    admin.get_by_role("button", name="Thêm", exact=True).click()
    row = admin.locator("#agency-BTA")
    expect(row).to_contain_text("Phường Bến Thành")
    expect(row.locator("code").last).to_have_text("https://www.benthanh.example")


def upload(admin: Any, site: Site, source: str) -> None:
    admin.goto(f"{site.app_url}/admin/questionnaires")
    admin.get_by_label(re.compile("Tệp định nghĩa")).set_input_files(
        files=[{"name": f"{SLUG}.yaml", "mimeType": "text/yaml", "buffer": source.encode()}]
    )
    admin.get_by_role("button", name="Kiểm tra", exact=True).click()


def test_upload_a_broken_questionnaire_then_fix_and_publish_it(site: Site, admin: Any) -> None:
    from playwright.sync_api import expect

    [problem] = check_text(BROKEN, f"{SLUG}.yaml")
    upload(admin, site, BROKEN)
    problems = admin.locator("#problems")
    expect(problems).to_contain_text(
        f"dòng {problem.line}, cột {problem.column}: {problem.message}"
    )
    expect(admin.locator(f"#line-{problem.line}")).to_have_class("bad")
    expect(admin.locator(f"#line-{problem.line}")).to_contain_text("long_txt")
    upload(admin, site, FIXED)
    expect(admin.locator("#valid")).to_contain_text(SLUG)
    admin.locator("#publish").click()
    admin.wait_for_url(f"{site.app_url}/admin/questionnaires/{SLUG}")
    expect(admin.locator(".flash")).to_contain_text(f"Đã xuất bản {SLUG}, phiên bản 1")


def test_copy_the_embed_snippet_from_the_webmaster_page(site: Site, admin: Any) -> None:
    from playwright.sync_api import expect

    admin.goto(f"{site.app_url}/admin/agencies/Q1/webmaster/every-type")
    snippet = admin.locator("#snippet")
    admin.locator("button.copy[data-copy=snippet]").click()
    expect(admin.locator("#snippet-copied")).to_have_text("Đã sao chép")
    copied = admin.evaluate("() => navigator.clipboard.readText()")
    assert copied == snippet.input_value()
    assert f'<script src="{site.app_url}/embed.js" async></script>' in copied
    title = load_questionnaire(REPO / "tests/public/data/every-type.yaml").title.vi
    expected = make_snippet(site.app_url, "every-type", "Q1", "vi", title)
    assert copied == expected.script_html  # what `surveyapp embed-snippet` prints first


def test_triage_a_response_that_filled_the_honeypot(site: Site, browser: Any, admin: Any) -> None:
    from playwright.sync_api import expect

    bot = browser.new_context(locale="vi-VN")
    form = bot.new_page()
    form.set_default_timeout(TIMEOUT)
    form.goto(f"{site.app_url}/q/every-type?agency=Q1")
    form.get_by_role("group", name=re.compile("Mức độ hài lòng về việc tiếp cận")).get_by_label(
        "Hài lòng", exact=True
    ).check()
    form.get_by_role("group", name=re.compile("đã đến trực tiếp")).get_by_label("Không").check()
    # A bot fills every input it finds, the hidden one included.
    form.locator("#hp-website").evaluate("field => { field.value = 'http://spam.example'; }")
    form.get_by_role("button", name="Gửi phiếu").click()
    receipt = form.locator("#receipt")
    expect(receipt).to_be_visible()  # the bot is not told it was caught
    code = receipt.inner_text()
    bot.close()

    admin.goto(f"{site.app_url}/admin/triage")
    row = admin.locator("tr", has=admin.locator("code", has_text=code))
    expect(row).to_contain_text("Trường bẫy bị điền")
    row.get_by_label("Xóa", exact=True).check()
    row.get_by_label("Lý do").fill("bot: honeypot filled")
    row.get_by_role("button", name="Lưu", exact=True).click()
    expect(admin.locator(".flash")).to_contain_text(f"Đã xoá phản hồi {code}.")
    expect(admin.locator("tr", has=admin.locator("code", has_text=code))).to_have_count(0)
