"""What a respondent sees on the public form in Chromium: language switch, errors, history.

Phone is 360x740 (CSS px), desktop 1280x900. Every test drives the real gunicorn
server of conftest.py, directly or through embed.js on a page of another site
(third-party cookies blocked).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Site
from tests.browser.test_browser import TIMEOUT, embed_snippet

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
CHECKED = "Array.from(document.querySelectorAll('form input:checked')).map(e => e.id).sort()"


def new_page(browser: Any, viewport: dict[str, int] = PHONE, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(locale="vi-VN", viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return context, page


def half_fill_sipas(frame: Any) -> list[str]:
    """Answer part of sipas.yaml, a conditional question included; return the ids checked."""
    frame.locator("label[for=q-respondent_type-0]").click()  # a business
    frame.locator("label[for=q-business_size-1]").click()  # shown by the answer above
    frame.locator("label[for=q-submission_channel-2]").click()
    frame.locator("label[for=q-access_seating-3]").click()
    frame.locator("label[for=q-recommend-9]").click()
    frame.locator("#q-procedure_name").fill("Đăng ký hộ kinh doanh")
    return sorted(
        [
            "q-respondent_type-0",
            "q-business_size-1",
            "q-submission_channel-2",
            "q-access_seating-3",
            "q-recommend-9",
        ]
    )


def embedding_page(site: Site, path: str) -> str:
    """Put the agency page of Q1 (a tall introduction, then the script snippet) at ``path``."""
    snippet = embed_snippet(site, "Q1").split("<!-- or, without JavaScript")[0]
    snippet = snippet.replace("/q/every-type?", "/q/sipas?")
    site.pages[path] = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Quận 1</title></head><body><h1>Cổng thông tin Quận 1</h1>"
        '<p style="height:900px">Giới thiệu</p>'
        f"{snippet}<p>Hết trang</p></body></html>"
    )
    return site.host_url + path


def test_the_language_switch_keeps_the_answers_directly_and_embedded(
    site: Site, browser: Any
) -> None:
    context, page = new_page(browser)
    page.goto(f"{site.app_url}/q/sipas?agency=Q1")
    checked = half_fill_sipas(page)
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Send answers").wait_for()
    assert page.evaluate(CHECKED) == checked
    assert page.locator("#q-procedure_name").input_value() == "Đăng ký hộ kinh doanh"
    assert page.locator("#b-business_size").is_visible()
    assert page.locator("#err-sum").count() == 0  # nothing was checked, nor stored
    page.get_by_role("button", name="Tiếng Việt").click()
    page.get_by_role("button", name="Gửi phiếu").wait_for()
    assert page.evaluate(CHECKED) == checked
    context.close()

    # In the agency's page, on another site, with third-party cookies blocked.
    context, page = new_page(browser)
    page.goto(embedding_page(site, "/switch.html"))
    frame = page.frame_locator("iframe")
    frame.get_by_role("button", name="Gửi phiếu").wait_for()
    checked = half_fill_sipas(frame)
    frame.get_by_role("button", name="English").click()
    frame.get_by_role("button", name="Send answers").wait_for()
    inner = next(f for f in page.frames if "/q/sipas" in f.url)
    assert "lang=en" in inner.url and "embed=1" in inner.url
    assert inner.evaluate(CHECKED) == checked
    context.close()


def test_without_javascript_the_switch_keeps_the_answers_and_enter_sends(
    site: Site, browser: Any
) -> None:
    context, page = new_page(browser, java_script_enabled=False)
    page.goto(f"{site.app_url}/q/sipas?agency=Q1")
    checked = half_fill_sipas(page)
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Send answers").wait_for()
    assert page.evaluate(CHECKED) == checked
    assert page.locator("#err-sum").count() == 0
    # Enter in a text field sends the form (the first submit button is not the switch)
    page.locator("#q-procedure_name").press("Enter")
    page.locator("#err-sum").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    context.close()


def test_error_links_show_the_question_with_its_message(site: Site, browser: Any) -> None:
    context, page = new_page(browser)
    page.goto(f"{site.app_url}/q/sipas?agency=Q1")
    page.get_by_role("button", name="Gửi phiếu").click()
    summary = page.locator("#err-sum")
    summary.wait_for()
    links = summary.get_by_role("link")
    assert links.count() > 3
    for i in (0, 2, links.count() - 1):
        link = links.nth(i)
        target = link.get_attribute("href")[1:]
        link.click()
        block = page.locator(f"[id='{target}']")
        question = block.locator("legend, label.ql").first
        message = block.locator(".err")
        for part in (question, message):
            box = part.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740, (
                target,
                box,
            )
        # the keyboard continues in that question
        assert page.evaluate("document.activeElement.closest('[id^=b-]').id") == target
    context.close()


TOP_IN_FRAME = "id => document.getElementById(id).getBoundingClientRect().top"
NEAR_TOP = (
    "t => { const y = document.querySelector('iframe').getBoundingClientRect().top + t;"
    " return y >= 0 && y < 60; }"
)


def test_embedded_on_a_phone_a_failed_submit_shows_the_summary_from_its_top(
    site: Site, browser: Any
) -> None:
    context, page = new_page(browser)
    page.goto(embedding_page(site, "/errors.html"))
    frame = page.frame_locator("iframe")
    frame.get_by_role("button", name="Gửi phiếu").click()
    frame.locator("#err-sum").wait_for()
    inner = next(f for f in page.frames if "/q/sipas" in f.url)
    # The page around scrolls (on the form's message) until the summary's top shows.
    page.wait_for_function(NEAR_TOP, arg=inner.evaluate(TOP_IN_FRAME, "err-sum"))
    # an error link brings its question, with its message, into the page's view
    link = frame.locator("#err-sum a").nth(2)
    target = link.get_attribute("href")[1:]
    link.click()
    page.wait_for_function(NEAR_TOP, arg=inner.evaluate(TOP_IN_FRAME, target))
    context.close()


@pytest.mark.parametrize("then", ["another page", "language switch"])
def test_back_over_a_failed_submit_shows_the_answers_without_resubmitting(
    site: Site, browser: Any, then: str
) -> None:
    context, page = new_page(browser)
    page.goto(f"{site.app_url}/q/sipas?agency=Q1")
    checked = half_fill_sipas(page)
    page.get_by_role("button", name="Gửi phiếu").click()
    page.locator("#err-sum").wait_for()
    if then == "another page":
        page.goto(f"{site.app_url}/q/every-type?agency=Q1")
    else:
        page.get_by_role("button", name="English").click()
        page.get_by_role("button", name="Send answers").wait_for()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.go_back()  # raises on net::ERR_CACHE_MISS ("Confirm Form Resubmission")
    page.get_by_role("button", name="Gửi phiếu").wait_for()
    assert posts == []
    assert page.evaluate(CHECKED) == checked
    assert page.locator("#b-business_size").is_visible()
    page.go_forward()
    page.wait_for_load_state()
    assert posts == []
    context.close()


def test_progress_by_section_and_no_heading_without_questions(site: Site, browser: Any) -> None:
    context, page = new_page(browser)
    page.goto(f"{site.app_url}/q/sipas?agency=Q1")
    headings = page.locator("section.sec:visible h2")
    # "Handling of comments" has only questions shown after a "yes": it is hidden, and
    # the parts are counted without it.
    assert headings.count() == 8
    assert page.get_by_role("heading", name=re.compile("Tiếp nhận, xử lý ý kiến")).count() == 0
    assert re.match(r"^Phần 1/8\b", headings.nth(0).inner_text())
    assert re.match(r"^Phần 8/8\b", headings.nth(7).inner_text())
    assert page.get_by_role("region", name=re.compile(r"^Phần 2\/8 Tiếp cận dịch vụ")).count()
    page.locator("label[for=q-gave_feedback-0]").click()  # "yes"
    page.get_by_role("heading", name=re.compile(r"^Phần 7\/9 Tiếp nhận, xử lý ý kiến")).wait_for()
    assert headings.count() == 9
    page.locator("label[for=q-gave_feedback-1]").click()  # "no"
    page.get_by_role("heading", name=re.compile("Tiếp nhận, xử lý ý kiến")).wait_for(state="hidden")
    assert re.match(r"^Phần 7/8\b", headings.nth(6).inner_text())
    context.close()

    # Without JavaScript every question shows, and so does every part.
    context, page = new_page(browser, java_script_enabled=False)
    page.goto(f"{site.app_url}/q/sipas?agency=Q1")
    assert page.locator("section.sec:visible h2").count() == 9
    assert page.get_by_role("heading", name=re.compile(r"^Phần 7\/9 Tiếp nhận, xử lý")).count()
    context.close()


def test_an_unknown_agency_leads_to_the_portal_form(site: Site, browser: Any) -> None:
    context, page = new_page(browser)
    response = page.goto(f"{site.app_url}/q/sipas?agency=NOPE")
    assert response is not None and response.status == 404
    page.get_by_role("link", name=re.compile("chọn cơ quan")).click()
    page.get_by_role("combobox", name=re.compile("Cơ quan")).wait_for()
    assert page.url == f"{site.app_url}/q/sipas"
    context.close()


def test_phone_layout_scale_in_one_row_and_receipt_in_one_piece(site: Site, browser: Any) -> None:
    context, page = new_page(browser)
    page.goto(f"{site.app_url}/q/every-type?agency=Q1")
    tops = page.locator("#b-recommend .opt").evaluate_all(
        "os => os.map(o => Math.round(o.getBoundingClientRect().top))"
    )
    assert len(tops) == 11 and len(set(tops)) == 1, tops
    widths = page.locator("#b-recommend .opt").evaluate_all(
        "os => os.map(o => o.getBoundingClientRect().width)"
    )
    assert min(widths) >= 24  # WCAG 2.2 target size (minimum)
    page.locator("label[for=q-access_overall-3]").click()
    page.locator("label[for=q-visited-1]").click()
    page.get_by_role("button", name="Gửi phiếu").click()
    receipt = page.locator("#receipt")
    receipt.wait_for()
    assert receipt.evaluate("r => r.getClientRects().length") == 1
    box = receipt.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    context.close()


def test_desktop_long_options_one_per_line_and_summary_punctuation(
    site: Site, browser: Any
) -> None:
    context, page = new_page(browser, DESKTOP)
    page.goto(f"{site.app_url}/q/sipas?agency=Q1")
    options = page.locator("#b-submission_channel .opt")
    boxes = options.evaluate_all("os => os.map(o => o.getBoundingClientRect().toJSON())")
    assert len({round(b["left"]) for b in boxes}) == 1  # one column, not four squeezed
    legend = page.locator("#b-submission_channel legend").bounding_box()
    assert legend is not None and min(b["width"] for b in boxes) >= legend["width"] * 0.9
    page.get_by_role("button", name="Gửi phiếu").click()
    summary = page.locator("#err-sum")
    summary.wait_for()
    text = summary.inner_text()
    assert "với tư cách là: " in text
    assert "::" not in text and "?:" not in text and ".:" not in text
    context.close()
