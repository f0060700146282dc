"""In Chromium: a complaint left in the embedded receipt page without JavaScript, answered
in the console by the agency, read back by receipt; axe-core on /results and the lookup."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import subprocess
from typing import Any

from surveyapp.db import Database
from surveyapp.models import Agency
from surveyapp.reporting import folding
from surveyapp.services import public_results
from surveyapp.services.questionnaires import definition_of, get_version
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from tests.browser.conftest import BIN, REPO, Site, add_user
from tests.browser.test_browser import AXE, TIMEOUT, axe_violations
from tests.conftest import needs_tool

AGENCY_USER = "canbo.q1@hcmc.gov.vn"
INSPECTOR = "thanhtra.cases@hcmc.gov.vn"
PASSWORD = "correct horse battery staple"
LIKERT = ("access_seating", "proc_posted", "staff_polite", "result_lawful", "feedback_easy")


def _responses(site: Site, count: int) -> list[str]:
    """Store ``count`` sipas responses for Q1 and SNV in 2021, folded; return the receipts."""
    from sqlalchemy import select

    draw = random.Random(5)
    with Database(site.engine).write() as session:
        version = get_version(session, "sipas")
        definition = definition_of(version)
        batch = []
        for code in ("Q1", "SNV"):
            agency_id = session.scalar(select(Agency.id).where(Agency.code == code))
            assert agency_id is not None
            for k in range(count):
                answers = {key: str(draw.randint(2, 5)) for key in LIKERT}
                answers["overall_satisfaction"] = str(draw.randint(2, 5))
                checked = check_answers(definition, answers, require=False)
                when = dt.datetime(2021, 1 + k % 12, 5, 3, tzinfo=dt.UTC)
                batch.append(NewResponse(version.id, agency_id, "web", checked.answers, when))
        receipts = store_responses(session, batch)
        folding.fold_all(session, "Asia/Ho_Chi_Minh")
    return receipts


def _agency_user(site: Site) -> None:
    result = subprocess.run(
        [
            str(BIN / "surveyapp"),
            "users",
            "add",
            AGENCY_USER,
            "--role",
            "agency",
            "--agency",
            "Q1",
            "--password-stdin",
        ],
        cwd=REPO,
        env=site.env,
        input=f"{PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_complaint_is_answered_by_the_agency_and_read_by_its_receipt(
    site: Site, browser: Any
) -> None:
    from playwright.sync_api import expect

    if not AXE.exists():
        needs_tool("axe-core is not installed (run `npm ci`)")
    receipts = _responses(site, 40)
    receipt = receipts[0]
    _agency_user(site)
    add_user(site, INSPECTOR, PASSWORD, role="inspector")
    with Database(site.engine).write() as session:
        from sqlalchemy import select

        from surveyapp.models import User

        inspector = session.scalar(select(User).where(User.email == INSPECTOR))
        assert inspector is not None
        public_results.publish(
            session, inspector, "sipas", dt.date(2021, 1, 1), dt.date(2021, 12, 31)
        )

    # The respondent, on the agency's own site (cross-site frame, no third-party
    # cookies), without JavaScript, leaves a complaint on the receipt page.
    site.pages["/cases-host"] = (
        "<!doctype html><html lang='vi'><title>Quận 1</title><body>"
        f"<iframe title='Phiếu' src='{site.app_url}/q/sipas/thanks/{receipt}?embed=1' "
        "style='width:100%;height:1400px'></iframe></body></html>"
    )
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(site.host_url + "/cases-host")
    frame = page.frame_locator("iframe")
    frame.get_by_role("radio", name="Phản ánh").check()
    frame.get_by_role("textbox", name="Kiến nghị, phản ánh của ông/bà").fill(
        "Bộ phận một cửa đóng cửa sớm hơn giờ niêm yết."
    )
    frame.get_by_label("Thư điện tử (không bắt buộc)").fill("nguoidan@example.com")
    frame.get_by_role("button", name="Gửi đến cơ quan").click()
    expect(frame.locator("#case-status")).to_have_text("Đang chờ trả lời")
    context.close()

    # The agency's staff answer and close it in the console.
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(site.app_url + "/login")
    page.get_by_label(re.compile("Thư điện tử|Email")).fill(AGENCY_USER)
    page.get_by_label(re.compile("Mật khẩu|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Đăng nhập")).click()
    page.wait_for_url(re.compile(r"/staff$"))
    page.get_by_role("link", name="Kiến nghị, phản ánh").first.click()
    page.wait_for_url(re.compile(r"/cases$"))
    page.locator("table a").first.click()
    expect(page.locator("#case-email")).to_have_text("nguoidan@example.com")
    page.get_by_label("Trả lời người dân").fill("Từ tuần sau bộ phận một cửa mở đến 17 giờ.")
    page.get_by_role("button", name="Lưu nội dung trả lời").click()
    page.get_by_role("button", name="Kết thúc xử lý").click()
    expect(page.locator("#case-state")).to_have_text("Đã đóng")
    context.close()

    # The respondent reads the answer by receipt; axe-core finds nothing serious.
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.app_url}/r/{receipt}")
    expect(page.locator("#case-answer")).to_contain_text("mở đến 17 giờ")
    expect(page.locator("#case-status")).to_have_text("Đã trả lời và kết thúc")
    report = {"lookup": axe_violations(page)}
    page.goto(f"{site.app_url}/r/0000-0000-0000")
    report["lookup 404"] = axe_violations(page)
    for url in ("/results", "/results?lang=en", "/results/Q1", "/results/dictionary"):
        page.goto(site.app_url + url)
        report[url] = axe_violations(page)
    page.goto(site.app_url + "/results")
    expect(page.locator("table.ranking tbody tr")).to_have_count(2)
    context.close()
    found = {
        k: [(v["id"], v["impact"], len(v["nodes"])) for v in vs] for k, vs in report.items() if vs
    }
    assert found == {}, json.dumps(found, indent=1)
