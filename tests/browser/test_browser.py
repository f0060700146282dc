"""Browser tests on Debian's Chromium: direct form, cross-site embed, unlisted origin, axe-core."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.models import Answer, Response
from tests.browser.conftest import BIN, REPO, Site
from tests.conftest import needs_tool

pytestmark = pytest.mark.browser
TIMEOUT = 15_000  # ms, for every wait


def stored(site: Site, receipt: str) -> tuple[str, str, dict[str, Answer]]:
    with site.engine.connect() as conn:
        row = conn.execute(
            select(Response.id, Response.status, Response.channel).where(
                Response.receipt_code == receipt
            )
        ).one()
        answers = {
            a.question_key: a
            for a in conn.execute(select(Answer).where(Answer.response_id == row.id))
        }
        return row.status, row.channel, answers


def fill_every_type(frame: Any) -> None:
    """Answer every-type.yaml by clicking labels and typing, as a person would."""
    frame.get_by_role("group", name=re.compile("Mức độ hài lòng về việc tiếp cận")).get_by_label(
        "Hài lòng", exact=True
    ).check()
    frame.get_by_role("group", name=re.compile("^Lịch sự")).get_by_label("Rất hài lòng").check()
    frame.get_by_role("group", name=re.compile("^Nhiệt tình")).get_by_label("Không áp dụng").check()
    visits = frame.locator("#b-visits")
    assert visits.is_hidden()  # JS hides the conditional question until its condition holds
    frame.get_by_role("group", name=re.compile("đã đến trực tiếp")).get_by_label("Có").check()
    visits.wait_for(state="visible", timeout=TIMEOUT)
    frame.get_by_label(re.compile("^Số lần đến cơ quan")).fill("3")
    frame.get_by_label("Trang web").check()
    frame.get_by_label("Quầy tiếp nhận").check()
    frame.get_by_label("Ngày nộp hồ sơ").fill("2024-03-05")
    frame.locator("label[for=q-recommend-8]").click()
    frame.get_by_label("Nghề nghiệp").fill("Giáo viên")
    frame.get_by_label(re.compile("^Góp ý để cải thiện")).fill("Cần thêm chỗ ngồi.")


def check_stored(site: Site, receipt: str, channel: str) -> None:
    status, got_channel, answers = stored(site, receipt)
    assert (status, got_channel) == ("accepted", channel)
    assert answers["access_overall"].value_num == 4
    assert answers["staff_polite"].value_num == 5 and answers["staff_helpful"].is_na
    assert answers["visits"].value_num == 3
    assert answers["channels"].value_text == "web;desk"
    assert answers["visit_date"].value_text == "2024-03-05"
    assert answers["recommend"].value_num == 8
    assert answers["comment"].value_text == "Cần thêm chỗ ngồi."


def test_a_fill_and_submit_the_form_directly(site: Site, browser: Any) -> None:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(site.app_url) else external.append(r.url))
    page.goto(f"{site.app_url}/q/every-type?agency=Q1")
    fill_every_type(page)
    page.get_by_role("button", name="Gửi phiếu").click()
    page.locator("#receipt").wait_for()
    assert "/q/every-type/thanks/" in page.url
    receipt = page.locator("#receipt").inner_text()
    check_stored(site, receipt, "web")
    assert external == []
    context.close()


def embed_snippet(site: Site, agency: str) -> str:
    result = subprocess.run(
        [
            str(BIN / "surveyapp"),
            "embed-snippet",
            "--agency",
            agency,
            "--questionnaire",
            "every-type",
            "--base-url",
            site.app_url,
        ],
        cwd=REPO,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def host_page(snippet: str) -> str:
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Quận 1</title></head>'
        f"<body><h1>Cổng thông tin Quận 1</h1>{snippet}<p id='after'>Hết trang</p></body></html>"
    )


def test_b_embedded_on_another_site_without_third_party_cookies(site: Site, browser: Any) -> None:
    snippet = embed_snippet(site, "Q1")
    script_part = snippet  # one form: the script snippet (embed-snippet --kind script)
    assert f'<script src="{site.app_url}/embed.js" async></script>' in script_part
    site.pages["/embed.html"] = host_page(script_part)
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.host_url}/embed.html")
    iframe = page.locator("iframe")
    iframe.wait_for(state="attached")
    frame = page.frame_locator("iframe")
    frame.get_by_role("button", name="Gửi phiếu").wait_for()
    # the iframe grew from its initial 900 px to the form's height, as the form reported it
    inner = page.frames[1]
    page.wait_for_function(
        "h => Math.abs(document.querySelector('iframe').getBoundingClientRect().height - h) < 2",
        arg=inner.evaluate("document.body.getBoundingClientRect().height"),
    )
    form_height = iframe.bounding_box()["height"]
    assert form_height > 900
    fill_every_type(frame)
    frame.get_by_role("button", name="Gửi phiếu").click()
    frame.locator("#receipt").wait_for()
    receipt = frame.locator("#receipt").inner_text()
    check_stored(site, receipt, "embed")
    # the frame took the thank-you page's height (shorter than the form; it offers the
    # petition form too), as the page reported it
    page.wait_for_function(
        "h => Math.abs(document.querySelector('iframe').getBoundingClientRect().height - h) < 2",
        arg=inner.evaluate("document.body.getBoundingClientRect().height"),
    )
    assert iframe.bounding_box()["height"] < form_height
    # no cookie was needed, and none was set for the app's site
    assert [c for c in context.cookies() if "127.0.0.1" in c["domain"]] == []
    context.close()


def test_c_a_page_on_an_unlisted_origin_cannot_show_the_form(site: Site, browser: Any) -> None:
    snippet = embed_snippet(site, "Q1")
    site.pages["/unlisted.html"] = host_page(snippet)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "frame-ancestors" in m.text else None)
    page.goto(f"{site.unlisted_url}/unlisted.html")
    page.locator("iframe").wait_for(state="attached")
    page.wait_for_function("() => true")
    page.wait_for_timeout(500)  # let the refused navigation settle (not a timing assertion)
    frames = [f for f in page.frames if f != page.main_frame]
    assert frames and all(f.locator("form").count() == 0 for f in frames)
    assert blocked, "Chromium reports the frame-ancestors refusal"
    context.close()


AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_d_axe_core_finds_no_serious_violations(site: Site, browser: Any) -> None:
    if not AXE.exists():
        needs_tool("axe-core is not installed (run `npm ci`)")
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    report: dict[str, Any] = {}
    for url in ("/q/sipas?agency=Q1", "/q/sipas", "/q/every-type?agency=Q1&lang=en"):
        page.goto(site.app_url + url)
        report[url] = axe_violations(page)
    page.goto(f"{site.app_url}/q/every-type?agency=Q1")
    page.get_by_role("button", name="Gửi phiếu").click()
    page.locator("#err-sum").wait_for()
    report["error state"] = axe_violations(page)
    assert page.evaluate("document.activeElement.id") == "err-sum"
    fill_every_type(page)
    page.get_by_role("button", name="Gửi phiếu").click()
    page.locator("#receipt").wait_for()
    report["thank-you"] = axe_violations(page)
    context.close()
    found = {
        k: [(v["id"], v["impact"], len(v["nodes"])) for v in vs] for k, vs in report.items() if vs
    }
    assert found == {}, json.dumps(found, indent=1)
