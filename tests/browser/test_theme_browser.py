"""An agency's theme in Chromium: the logo loads, the colours apply, axe-core finds no problem."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from surveyapp.db import Database
from surveyapp.models import Agency
from surveyapp.services import agency_theme
from surveyapp.services.agencies import AgencyInput, add_agency
from tests.browser.conftest import Site
from tests.browser.test_browser import AXE, TIMEOUT, axe_violations
from tests.conftest import needs_tool

pytestmark = pytest.mark.browser
CODE = "THEME"


def test_a_light_theme_and_a_logo_show_and_stay_accessible(site: Site, browser: Any) -> None:
    if not AXE.exists():
        needs_tool("axe-core is not installed (run `npm ci`)")
    logo = io.BytesIO()
    Image.new("RGB", (300, 100), (0, 94, 162)).save(logo, format="PNG")
    # Gold: white text would fail WCAG contrast, so the theme must choose black.
    change = agency_theme.check_theme("#ffd700", logo.getvalue())
    with Database(site.engine).write() as session:
        add_agency(session, AgencyInput(CODE, "Cơ quan có màu", "Themed agency", "other"))
        agency = session.scalars(select(Agency).where(Agency.code == CODE)).one()
        agency_theme.apply_theme(session, agency, change)
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.app_url}/q/every-type?agency={CODE}")
    image = page.get_by_role("img", name="Cơ quan có màu")
    image.wait_for()
    assert image.evaluate("i => i.complete && i.naturalWidth") == 300
    button = page.get_by_role("button", name="Gửi phiếu")
    colors = button.evaluate(
        "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
    )
    assert colors == ["rgb(255, 215, 0)", "rgb(0, 0, 0)"]
    found = [(v["id"], v["impact"], len(v["nodes"])) for v in axe_violations(page)]
    context.close()
    assert found == []
