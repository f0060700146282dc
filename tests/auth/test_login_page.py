"""The sign-in page's error: inside the layout, visible and announced, tied to the fields."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from surveyapp.config import PACKAGE_DIR

from .conftest import Staff, login


def test_the_sign_in_error_is_styled_announced_and_described(
    client: FlaskClient, staff: Staff
) -> None:
    page = login(client, staff.own, "not the password at all").get_data(as_text=True)
    box = re.search(r'<div class="signin-error" role="alert" id="login-message">', page)
    assert box, "no error box"
    main = page.index('<main id="main">')
    assert main < box.start() < page.index("</main>")  # inside the page's layout
    assert page.index("<h1>") < box.start() < page.index("<form")
    for field in ("email", "password"):
        tag = re.search(rf'<input[^>]*id="{field}"[^>]*>', page)
        assert tag, field
        assert 'aria-describedby="login-message"' in tag.group(0), field
        assert 'aria-invalid="true"' in tag.group(0), field
    css = (PACKAGE_DIR / "static" / "app.css").read_text(encoding="utf-8")
    rule = re.search(r"\.signin-error\s*\{([^}]*)\}", css)
    assert rule and "border" in rule.group(1) and "background" in rule.group(1)


def test_without_an_error_the_fields_point_at_nothing(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert 'role="alert"' not in page and "aria-describedby" not in page
