"""embed.js on a listed and an unlisted origin (issue 18.8), and stored origins on gunicorn.

On an origin the agency does not list, the browser refuses the frame
(``frame-ancestors``) and showed a 900 px "refused to connect" box; the form in
a frame the page may show reports its height. A frame that never reports gives
way to the link, which opens the form in a new page.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from sqlalchemy.orm import Session

from surveyapp.models import Agency, AgencyOrigin
from tests.browser.conftest import Site
from tests.browser.test_browser import embed_snippet, host_page

pytestmark = pytest.mark.browser
TIMEOUT = 15_000  # ms, for every wait
#: Longer than embed.js waits for a frame to report (4 s after it loaded).
PAST_THE_WAIT = 6_000


def test_the_snippet_is_one_form(site: Site) -> None:
    snippet = embed_snippet(site, "Q1")
    assert snippet.count("data-surveyapp-form") == 1
    assert "<iframe" not in snippet


def test_a_listed_origin_keeps_the_frame(site: Site, browser: Any) -> None:
    site.pages["/listed-fallback.html"] = host_page(embed_snippet(site, "Q1"))
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.host_url}/listed-fallback.html")
    page.frame_locator("iframe").get_by_role("button", name="Gửi phiếu").wait_for()
    page.wait_for_function("document.querySelector('iframe').style.height !== '900px'")
    page.wait_for_timeout(PAST_THE_WAIT)
    assert page.locator("iframe").count() == 1
    assert page.locator("[data-surveyapp-fallback]").count() == 0
    context.close()


def test_an_unlisted_origin_shows_a_link_to_the_form(site: Site, browser: Any) -> None:
    site.pages["/unlisted-fallback.html"] = host_page(embed_snippet(site, "Q1"))
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.unlisted_url}/unlisted-fallback.html")
    link = page.locator("a[data-surveyapp-fallback]")
    link.wait_for(state="visible")
    assert page.locator("iframe").count() == 0
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("href") == f"{site.app_url}/q/every-type?agency=Q1&lang=vi"
    assert "Trả lời phiếu khảo sát" in link.inner_text()
    assert page.locator("#after").is_visible()
    with context.expect_page() as opened:
        link.click()
    form = opened.value
    form.get_by_role("button", name="Gửi phiếu").wait_for()
    context.close()


def test_origins_stored_badly_never_make_gunicorn_fail(site: Site) -> None:
    """``https://cơquan.vn`` stored as typed made every public page of its agency a 500."""
    with Session(site.engine) as session, session.begin():
        agency = Agency(code="IDN", name_vi="Cơ quan", name_en="Agency", kind="other")
        agency.origins.extend(
            AgencyOrigin(origin=o)
            for o in ("https://cơquan.vn", "https://a.example;script-src 'unsafe-inline'")
        )
        session.add(agency)
    url = f"{site.app_url}/q/every-type?agency=IDN"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        assert response.status == 200
        csp = response.headers["Content-Security-Policy"]
    assert csp.endswith("; frame-ancestors https://xn--cquan-uob.vn"), csp
