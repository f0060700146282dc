"""The counter kiosk in Chromium: people in a row, offline queue, revocation, dossier codes,
idle reset, axe-core and enrolment from the admin console, against the real server of
tests/browser/conftest.py."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from surveyapp.db import Database
from surveyapp.models import Answer, Kiosk, Response
from surveyapp.services import kiosks
from tests.browser.conftest import BIN, REPO, Site, add_user, enrol_in_browser
from tests.browser.test_browser import AXE, axe_violations
from tests.conftest import needs_tool

pytestmark = pytest.mark.browser
TIMEOUT = 20_000  # ms, for every wait
KIOSK = "/k/counter?agency=Q1&counter=3"
#: The page state a next person must not inherit: checked inputs, typed text, storage.
LEFTOVERS = """() => ({
  checked: document.querySelectorAll('#kf input:checked').length,
  typed: Array.from(document.querySelectorAll('#kf input[type=text]')).map(i => i.value).join(''),
  html: document.documentElement.outerHTML,
  local: localStorage.length,
  session: sessionStorage.length,
  history: history.length,
  state: history.state,
})"""
QUEUED = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('surveyapp-kiosk', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('queue', {keyPath: 'nonce'});
  open.onsuccess = () => {
    const req = open.result.transaction('queue').objectStore('queue').count();
    req.onsuccess = () => { open.result.close(); resolve(req.result); };
    req.onerror = () => reject(req.error);
  };
  open.onerror = () => reject(open.error);
})"""


def surveyapp_cli(site: Any, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "surveyapp"), *args],
        cwd=REPO,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def counters(site: Site) -> Site:
    """Counter 3 of Q1 and counter 1 of SNV, added as an operator would."""
    surveyapp_cli(site, "counters", "add", "Q1", "3", "--name-vi", "Quầy số 3", "--name-en", "C3")
    surveyapp_cli(site, "counters", "add", "SNV", "1", "--name-vi", "Quầy số 1", "--name-en", "C1")
    return site


@dataclass
class Clean:
    """The site, and the last response id before the test: its ratings come after."""

    site: Site
    since: int

    def __getattr__(self, name: str) -> Any:
        return getattr(self.site, name)


@pytest.fixture
def clean(counters: Site) -> Clean:
    """The site with no kiosks; ratings counted from here on."""
    with Database(counters.engine).write() as session:
        session.execute(delete(Kiosk))
        since = session.scalar(select(func.max(Response.id))) or 0
    return Clean(counters, since)


def rows(clean: Clean) -> list[dict[str, Any]]:
    """Every counter rating stored since the test began, with its answers."""
    with clean.site.engine.connect() as conn:
        found = conn.execute(
            select(Response.id, Response.submission_nonce)
            .where(Response.channel == "counter", Response.id > clean.since)
            .order_by(Response.id)
        ).all()
        out = []
        for row in found:
            answers = {
                a.question_key: a.value_num if a.value_num is not None else a.value_text
                for a in conn.execute(select(Answer).where(Answer.response_id == row.id))
            }
            out.append({"nonce": row.submission_nonce, "answers": answers})
        return out


def enrol(site: Any, browser: Any, counter: str = "3", **options: Any) -> tuple[Any, Any, int]:
    """Enrol a kiosk, open its link in a new context; return context, page and kiosk id."""
    with Database(site.engine).write() as session:
        kiosk, secret = kiosks.enrol(session, "Q1", counter, "Máy tính bảng", actor=None)
        kiosk_id = kiosk.id
    context = browser.new_context(locale="vi-VN", **options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.app_url}/k/enrol#{secret}")
    page.wait_for_url(f"{site.app_url}{KIOSK}")
    page.wait_for_function("() => document.documentElement.dataset.kioskReady === '1'")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return context, page, kiosk_id


def rate(page: Any, faces: tuple[str, str, str], comment: str = "", late: bool = False) -> None:
    """Touch a face for each question (by its text label), as a person would."""
    for key, label in zip(("overall", "attitude", "time_taken"), faces, strict=True):
        page.locator(f"#b-{key}").get_by_text(label, exact=True).click()
    if late:
        page.locator("#b-result_late").get_by_text("Có", exact=True).click()
        page.locator("#b-apology_letter").get_by_text("Không", exact=True).click()
    if comment:
        page.get_by_label("Góp ý ngắn").fill(comment)
    page.get_by_role("button", name="Gửi đánh giá").click()


def wait_blank(page: Any) -> None:
    """Wait for the thank-you screen to give way to a blank form."""
    page.locator("#k-thanks").wait_for(state="visible")
    page.locator("#k-form-view").wait_for(state="visible")
    page.wait_for_function("() => document.querySelectorAll('#kf input:checked').length === 0")


def test_a_three_people_in_a_row_leave_nothing_to_the_next(clean: Clean, browser: Any) -> None:
    context, page, _kiosk = enrol(clean, browser)
    history = page.evaluate("history.length")
    people = [
        (("Rất hài lòng", "Hài lòng", "Bình thường"), "người thứ nhất", True),
        (("Không hài lòng", "Rất không hài lòng", "Hài lòng"), "người thứ hai", False),
        (("Bình thường", "Rất hài lòng", "Rất không hài lòng"), "", False),
    ]
    for faces, comment, late in people:
        rate(page, faces, comment, late)
        wait_blank(page)
        left = page.evaluate(LEFTOVERS)
        assert (left["checked"], left["typed"], left["local"], left["session"]) == (0, "", 0, 0)
        assert (left["history"], left["state"]) == (history, None)
        for _f, earlier, _l in people:
            assert not earlier or earlier not in left["html"]
    page.wait_for_function(f"() => ({QUEUED})().then(n => n === 0)")
    stored = rows(clean)
    assert [r["answers"] for r in stored] == [
        {
            "overall": 5.0,
            "attitude": 4.0,
            "time_taken": 3.0,
            "result_late": "yes",
            "apology_letter": "no",
            "comment": "người thứ nhất",
        },
        {"overall": 2.0, "attitude": 1.0, "time_taken": 4.0, "comment": "người thứ hai"},
        {"overall": 3.0, "attitude": 5.0, "time_taken": 1.0},
    ]
    context.close()


def test_b_offline_answers_arrive_once_even_when_the_sync_is_interrupted(
    clean: Clean, browser: Any
) -> None:
    context, page, _kiosk = enrol(clean, browser)
    context.set_offline(True)
    for faces in (
        ("Rất hài lòng", "Rất hài lòng", "Rất hài lòng"),
        ("Hài lòng", "Hài lòng", "Hài lòng"),
        ("Không hài lòng", "Không hài lòng", "Không hài lòng"),
    ):
        rate(page, faces)
        page.locator("#k-queued").wait_for(state="visible")
        wait_blank(page)
    assert page.evaluate(QUEUED) == 3
    assert rows(clean) == []
    calls: list[str] = []

    def interrupt_first(route: Any) -> None:
        calls.append(route.request.url)
        if len(calls) == 1:
            route.fetch()  # the server stores the rating; its answer never reaches the page
            route.abort()
        else:
            route.continue_()

    page.route("**/k/counter/answers*", interrupt_first)
    context.set_offline(False)
    # The first sync was cut off after the server stored a rating: the device retries.
    deadline_checks = 0
    while page.evaluate(QUEUED) and deadline_checks < 4:
        context.set_offline(True)
        context.set_offline(False)
        page.wait_for_timeout(1500)
        deadline_checks += 1
    assert page.evaluate(QUEUED) == 0
    stored = rows(clean)
    assert len(stored) == 3
    assert len({r["nonce"] for r in stored}) == 3
    assert sorted(r["answers"]["overall"] for r in stored) == [2.0, 4.0, 5.0]
    assert len(calls) >= 4  # three ratings, one of them sent twice
    context.close()


def test_c_a_revoked_kiosk_s_queue_is_refused_with_a_clear_message(
    clean: Clean, browser: Any
) -> None:
    context, page, kiosk_id = enrol(clean, browser)
    context.set_offline(True)
    rate(page, ("Hài lòng", "Hài lòng", "Hài lòng"))
    page.locator("#k-queued").wait_for(state="visible")
    with Database(clean.engine).write() as session:
        kiosks.revoke(session, kiosk_id)
    context.set_offline(False)
    message = page.locator("#k-error-msg")
    message.wait_for(state="visible")
    assert "không còn được đăng ký làm máy đánh giá" in message.inner_text()
    page.locator("#k-unsent").wait_for(state="visible")
    assert "1" in page.locator("#k-unsent").inner_text()
    assert rows(clean) == []
    assert page.evaluate(QUEUED) == 1  # kept on the device, not lost
    context.close()


def test_d_a_dossier_code_rates_once_on_the_kiosk_and_on_the_api(
    clean: Clean, browser: Any, tmp_path: Any
) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text("SNV-0001\nSNV-0002\n", encoding="utf-8")
    surveyapp_cli(clean, "dossiers", "load", str(codes), "--agency", "SNV")
    surveyapp_cli(clean, "dossiers", "require", "--agency", "SNV", "--questionnaire", "counter")
    try:
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        link = f"{clean.app_url}/k/counter?agency=SNV&counter=1&code=SNV-0001"
        page.goto(link)
        assert page.get_by_label("Mã hồ sơ").input_value() == "SNV-0001"
        rate(page, ("Hài lòng", "Hài lòng", "Hài lòng"))
        wait_blank(page)
        assert page.get_by_label("Mã hồ sơ").input_value() == ""
        # The same receipt's QR code opened again: refused before any answer is given.
        page.goto(link)
        assert "đã được đánh giá" in page.locator("#k-error-msg").inner_text()
        # The code typed on a blank kiosk page: refused on sending.
        page.goto(f"{clean.app_url}/k/counter?agency=SNV&counter=1")
        page.get_by_label("Mã hồ sơ").fill("snv-0001")
        rate(page, ("Bình thường", "Bình thường", "Bình thường"))
        page.locator("#k-error").wait_for(state="visible")
        assert "đã được đánh giá" in page.locator("#k-error-msg").inner_text()
        context.close()
        with urllib.request.urlopen(  # noqa: S310 - the test's own server
            f"{clean.app_url}/api/v1/questionnaires/counter?agency=SNV", timeout=10
        ) as answer:
            token = json.load(answer)["token"]
        body = {
            "questionnaire": "counter",
            "token": token,
            "agency": "SNV",
            "dossier_code": "SNV-0001",
            "answers": {"overall": "4", "attitude": "4", "time_taken": "4"},
        }
        request = urllib.request.Request(  # noqa: S310 - the test's own server
            f"{clean.app_url}/api/v1/responses",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310
        assert refused.value.code == 422
        assert json.load(refused.value)["errors"][0]["field"] == "_dossier"
        assert len(rows(clean)) == 1
    finally:
        surveyapp_cli(
            clean, "dossiers", "require", "--agency", "SNV", "--questionnaire", "counter", "--off"
        )


def test_e_an_idle_half_filled_form_is_reset(clean: Clean, browser: Any) -> None:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.clock.install()
    page.goto(clean.app_url + KIOSK)
    history = page.evaluate("history.length")
    page.locator("#b-overall").get_by_text("Rất hài lòng", exact=True).click()
    page.get_by_label("Góp ý ngắn").fill("bỏ dở")
    page.clock.fast_forward(30_000)
    assert page.evaluate(LEFTOVERS)["checked"] == 1  # not yet idle long enough
    page.clock.fast_forward(31_000)
    page.wait_for_function("() => document.querySelectorAll('#kf input:checked').length === 0")
    left = page.evaluate(LEFTOVERS)
    assert (left["typed"], left["history"], left["local"], left["session"]) == ("", history, 0, 0)
    assert "bỏ dở" not in left["html"]
    assert rows(clean) == []
    context.close()


def test_f_axe_core_finds_no_serious_violations(clean: Clean, browser: Any) -> None:
    if not AXE.exists():
        needs_tool("axe-core is not installed (run `npm ci`)")
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    report: dict[str, Any] = {}
    page.goto(clean.app_url + KIOSK)
    report["kiosk page"] = axe_violations(page)
    page.goto(clean.app_url + KIOSK + "&lang=en")
    report["kiosk page, English"] = axe_violations(page)
    page.goto(clean.app_url + KIOSK)
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.locator("#k-missing").wait_for(state="visible")
    report["missing answers"] = axe_violations(page)
    rate(page, ("Hài lòng", "Hài lòng", "Hài lòng"))
    page.locator("#k-thanks").wait_for(state="visible")
    report["thank-you"] = axe_violations(page)
    page.goto(clean.app_url + KIOSK)
    context.set_offline(True)
    rate(page, ("Hài lòng", "Hài lòng", "Hài lòng"))
    page.locator("#k-error").wait_for(state="visible")
    report["error state"] = axe_violations(page)
    context.set_offline(False)
    page.goto(clean.app_url + "/k/counter?agency=Q1&counter=99")
    report["error page"] = axe_violations(page)
    context.close()
    found = {
        k: [(v["id"], v["impact"], len(v["nodes"])) for v in vs] for k, vs in report.items() if vs
    }
    assert found == {}, json.dumps(found, indent=1)


ADMIN = "admin-kiosk@hcmc.gov.vn"
ADMIN_PASSWORD = "kiosk console password 1"


def test_g_an_admin_enrols_a_kiosk_from_the_console(clean: Clean, browser: Any) -> None:
    """The console shows the link once; a fresh browser opening it is an enrolled kiosk."""
    add_user(clean.site, ADMIN, ADMIN_PASSWORD)
    console = browser.new_context(locale="vi-VN")
    admin = console.new_page()
    admin.set_default_timeout(TIMEOUT)
    admin.goto(f"{clean.app_url}/admin/")
    admin.wait_for_url(re.compile(r"/login"))
    admin.get_by_label(re.compile("Thư điện tử|Email")).fill(ADMIN)
    admin.get_by_label(re.compile("Mật khẩu|Password")).fill(ADMIN_PASSWORD)
    admin.get_by_role("button", name=re.compile("Đăng nhập")).click()
    admin.wait_for_url(re.compile(r"/account/two-factor"))
    enrol_in_browser(admin)
    admin.locator("main a").last.click()
    admin.wait_for_url(f"{clean.app_url}/admin/")
    admin.get_by_role("link", name="Quầy và máy đánh giá").first.click()
    admin.wait_for_url(re.compile(r"/admin/agencies/[A-Z0-9]+/counters$"))
    admin.goto(f"{clean.app_url}/admin/agencies/Q1/counters")
    admin.locator("#counter-3").wait_for()
    enrol_form = admin.locator("form[action$='/admin/agencies/Q1/kiosks']")
    enrol_form.get_by_label("Quầy", exact=True).select_option("3")
    enrol_form.get_by_label(re.compile("Tên thiết bị")).fill("Máy tính bảng quầy 3")
    enrol_form.get_by_role("button", name="Đăng ký").click()
    link = admin.locator("#enrol-link").input_value()
    assert re.fullmatch(rf"{re.escape(clean.app_url)}/k/enrol#kio_[A-Za-z0-9_-]{{43}}", link)
    assert admin.locator("#enrol-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    # Shown once: the console's lists never show the secret again.
    secret = link.split("#", 1)[1]
    admin.goto(f"{clean.app_url}/admin/kiosks")
    assert "Máy tính bảng quầy 3" in admin.content() and secret not in admin.content()

    device = browser.new_context(locale="vi-VN")
    page = device.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(link)
    page.wait_for_url(f"{clean.app_url}{KIOSK}")
    page.wait_for_function("() => document.documentElement.dataset.kioskReady === '1'")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    device.set_offline(True)  # enrolled: a rating given offline is queued, then sent once
    rate(page, ("Rất hài lòng", "Hài lòng", "Hài lòng"))
    page.locator("#k-queued").wait_for(state="visible")
    wait_blank(page)
    assert page.evaluate(QUEUED) == 1
    assert rows(clean) == []
    device.set_offline(False)
    for _ in range(40):  # the device sends its queue when the connection returns
        if rows(clean):
            break
        page.wait_for_timeout(500)
    assert [r["answers"] for r in rows(clean)] == [
        {"overall": 5.0, "attitude": 4.0, "time_taken": 4.0}
    ]
    admin.goto(f"{clean.app_url}/admin/kiosks")
    with Database(clean.engine).session() as session:
        (kiosk,) = session.scalars(select(Kiosk))
        assert kiosk.last_seen_at is not None and kiosk.revoked_at is None
    assert admin.locator(f"#kiosk-{kiosk.id}").get_by_text("chưa có").count() == 0
    device.close()
    console.close()
