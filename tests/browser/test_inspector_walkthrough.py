"""A new inspector's first visit in Chromium, on a real server with demo data.

As after ``make run``: open the front page, sign in through its link, find the dashboard
by clicking, open District 1 (Q1), download its PDF and XLSX, then the city-wide PDF and
XLSX. No page, resource or download may answer 4xx/5xx, and no raw key of the
questionnaires (``respondent_type``, ``overall_satisfaction``, an agency kind such as
``department``...) may show on a page or in a PDF.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from surveyapp.definitions import load_questionnaire
from tests.browser.conftest import BIN, REPO, SECRET, free_port, wait_for

pytestmark = pytest.mark.browser
TIMEOUT = 30_000  # ms, for every wait (the PDFs are drawn on demand)
INSPECTOR = "thanhtra@hcmc.gov.vn"
PASSWORD = "inspector walk-through 1"
#: Demo responses per questionnaire: enough for every section of a report, and quick.
DEMO_RESPONSES = "200"
PAPER = 40


def raw_keys() -> list[str]:
    """Keys a person must never read: questions, options and dimensions named like code,
    and the agency kinds."""
    keys = {"department", "district", "civil_servants", "respondent_type"}
    for path in sorted((REPO / "questionnaires").glob("*.yaml")):
        definition = load_questionnaire(path)
        for item in definition.items():
            keys.add(item.key)
            keys.update(option.key for option in getattr(item, "options", ()) or ())
        keys.update(d.key for d in definition.dimensions())
    # A key that is a plain word ("business", "other") can be part of a sentence;
    # one written like an identifier (with "_") cannot.
    return sorted(k for k in keys if "_" in k or k in ("department", "district"))


RAW = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, raw_keys())) + r")(?![\w-])")


@dataclass
class DemoServer:
    url: str
    downloads: Path


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[DemoServer]:
    """gunicorn over a fresh SQLite file loaded by ``surveyapp demo``, and an inspector."""
    folder = tmp_path_factory.mktemp("walkthrough")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SURVEYAPP_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite'}",
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_PUBLIC_URL": url,
        "SURVEYAPP_INSTANCE_PATH": str(folder / "instance"),
    }

    def surveyapp(*args: str, stdin: str | None = None) -> None:
        done = subprocess.run(
            [str(BIN / "surveyapp"), *args],
            cwd=REPO,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, (args, done.stderr)

    surveyapp("demo", "--responses", DEMO_RESPONSES)
    # As in ``make run`` (12,000 sipas and 2,000 a11-cx responses), the city's main
    # survey has the most responses, so it is the one the pages show by default:
    # here by paper forms of District 1 added to the demo's equal numbers.
    paper = folder / "paper.csv"
    rows = [f"2017-0{1 + i % 6}-1{i % 10}T09:00:00,{1 + i % 5},citizen" for i in range(PAPER)]
    paper.write_text("submitted_at,overall_satisfaction,respondent_type\n" + "\n".join(rows))
    surveyapp("responses", "import", str(paper), "--questionnaire", "sipas", "--agency", "Q1")
    surveyapp("users", "add", INSPECTOR, "--role", "inspector", "--password-stdin", stdin=PASSWORD)
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
            "surveyapp:create_app()",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{url}/healthz", seconds=60)
        yield DemoServer(url, folder / "downloads")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


class Visit:
    """One browser tab that records every failed response and every raw key it shows."""

    def __init__(self, page: Any, server: DemoServer) -> None:
        self.page = page
        self.server = server
        self.failed: list[tuple[int, str]] = []
        self.keys: dict[str, set[str]] = {}
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append((response.status, response.url))

    def look(self) -> None:
        """Read the page as a person sees it (visible text, including alt texts)."""
        self.page.wait_for_load_state("load")
        text = self.page.locator("body").inner_text()
        alts = self.page.eval_on_selector_all(
            "img[alt], [aria-label]", "els => els.map(e => e.alt || e.ariaLabel).join(' ')"
        )
        found = set(RAW.findall(f"{text}\n{alts}"))
        if found:
            self.keys[self.page.url] = found

    def download(self, link: Any) -> Path:
        """Click ``link``, save what it downloads, and check the same URL's status."""
        with self.page.expect_download() as event:
            link.click()
        download = event.value
        assert download.failure() is None, download.failure()
        self.server.downloads.mkdir(exist_ok=True)
        path = self.server.downloads / download.suggested_filename
        download.save_as(path)
        again = self.page.request.get(download.url)
        if again.status >= 400:
            self.failed.append((again.status, download.url))
        return path

    def pdf(self, path: Path) -> None:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        assert (len(reader.pages) >= 2 and "Q1" in text) or "Toàn thành phố" in path.name
        found = set(RAW.findall(text))
        if found:
            self.keys[path.name] = found


def test_a_new_inspector_finds_and_downloads_the_reports(browser: Any, demo_server: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    visit = Visit(page, demo_server)
    try:
        page.goto(f"{demo_server.url}/")
        visit.look()
        page.get_by_role("link", name=re.compile("Đăng nhập")).first.click()
        page.wait_for_url(re.compile(r"/login"))
        visit.look()
        page.get_by_label(re.compile("Thư điện tử|Email")).fill(INSPECTOR)
        page.get_by_label(re.compile("Mật khẩu|Password")).fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Đăng nhập")).click()
        page.wait_for_url(re.compile(r"/staff$"))
        visit.look()
        page.locator("ul.tasks").get_by_role("link", name="Bảng điều khiển").click()
        page.wait_for_url(re.compile(r"/dashboard(\?|$)"))
        visit.look()
        q1 = page.locator(
            "table.agencies tr", has=page.locator("code", has_text=re.compile("^Q1$"))
        )
        expect(q1).to_have_count(1)
        q1.get_by_role("link").click()
        page.wait_for_url(re.compile(r"/dashboard/agency/Q1\?"))
        expect(page.locator("h1")).to_contain_text("Quận 1")
        visit.look()
        downloads = page.locator("p.downloads")
        visit.pdf(visit.download(downloads.get_by_role("link", name="PDF", exact=True)))
        workbook = visit.download(downloads.get_by_role("link", name="XLSX", exact=True))
        assert "responses" in load_workbook(workbook, read_only=True).sheetnames
        page.locator("nav.staff-nav").get_by_role("link", name="Bảng điều khiển").click()
        page.wait_for_url(re.compile(r"/dashboard(\?|$)"))
        city_pdf = visit.download(page.get_by_role("link", name=re.compile("PDF toàn thành phố")))
        visit.pdf(city_pdf)
        city_xlsx = visit.download(page.get_by_role("link", name="XLSX", exact=True))
        assert "agencies" in load_workbook(city_xlsx, read_only=True).sheetnames
        page.locator("nav.staff-nav").get_by_role("link", name="Báo cáo toàn thành phố").click()
        page.wait_for_url(re.compile(r"/dashboard/city(\?|$)"))
        visit.look()
    finally:
        context.close()
    assert visit.failed == [], visit.failed
    assert visit.keys == {}, f"raw keys shown: {visit.keys}"
