"""Agencies' themes on the public side: theme.css, the logo, the form page, colour safety."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select, text
from sqlalchemy.exc import DataError, IntegrityError

from surveyapp.db import Database
from surveyapp.errors import InputError
from surveyapp.models import Agency
from surveyapp.services import agency_theme
from surveyapp.services.agency_theme import contrast_ratio, palette, stylesheet
from tests.public.conftest import AGENCY, OTHER, SLUG

CSS_RE = re.compile(
    r"/\* surveyapp agency theme \*/\n:root\{"
    r"--agency-accent:#[0-9a-f]{6};--agency-on-accent:#(?:ffffff|000000);"
    r"--agency-accent-hover:#[0-9a-f]{6};--agency-accent-edge:#[0-9a-f]{6};"
    r"--agency-accent-text:#[0-9a-f]{6}\}\n"
)


def a_logo(size: tuple[int, int] = (600, 200)) -> bytes:
    """A flat two-colour logo, as agencies' logos usually are."""
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste((0, 94, 162), (10, 10, size[0] // 3, size[1] - 10))
    image.paste((218, 41, 28), (size[0] // 2, 40, size[0] - 10, size[1] - 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def set_theme(db: Database, code: str, color: str | None, logo: bytes | None = None) -> None:
    change = agency_theme.check_theme(color, logo)
    with db.write() as session:
        agency = session.scalars(select(Agency).where(Agency.code == code)).one()
        agency_theme.apply_theme(session, agency, change)


def stored_logo_sha(db: Database, code: str) -> str:
    with db.session() as session:
        found = agency_theme.get_theme(session, code)
    assert found is not None and found.logo_sha256 is not None
    return found.logo_sha256


# -- theme.css ------------------------------------------------------------------------


def test_theme_css_sets_custom_properties_from_the_stored_colour(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    set_theme(db, AGENCY, "#FFD700")
    response = client.get(f"/a/{AGENCY}/theme.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    css = response.text
    assert CSS_RE.fullmatch(css), css
    # Gold is light: black text on it, and darker gold where it is text on white.
    assert "--agency-accent:#ffd700;" in css and "--agency-on-accent:#000000;" in css
    accent_text = re.search(r"--agency-accent-text:(#[0-9a-f]{6})", css)
    assert accent_text and contrast_ratio(accent_text.group(1), "#ffffff") >= 4.5
    etag = response.headers["ETag"]
    again = client.get(f"/a/{AGENCY}/theme.css", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_a_dark_colour_gets_white_text(client: FlaskClient, survey: Any, db: Database) -> None:
    set_theme(db, AGENCY, "#003366")
    css = client.get(f"/a/{AGENCY}/theme.css").text
    assert "--agency-on-accent:#ffffff;" in css and "--agency-accent-text:#003366}" in css


def test_theme_css_is_404_without_a_colour_or_an_agency(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    assert client.get(f"/a/{AGENCY}/theme.css").status_code == 404
    assert client.get("/a/NOPE/theme.css").status_code == 404
    set_theme(db, AGENCY, None, a_logo())  # a logo alone makes no stylesheet
    assert client.get(f"/a/{AGENCY}/theme.css").status_code == 404


# -- the logo -------------------------------------------------------------------------


def test_the_logo_is_served_as_stored_with_safe_headers_and_an_etag(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    set_theme(db, AGENCY, None, a_logo())
    sha = stored_logo_sha(db, AGENCY)
    response = client.get(f"/a/{AGENCY}/logo")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == 'inline; filename="logo.png"'
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["ETag"] == f'"{sha}"'
    assert "Last-Modified" in response.headers
    assert hashlib.sha256(response.data).hexdigest() == sha
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.size == (512, 171)
    again = client.get(f"/a/{AGENCY}/logo", headers={"If-None-Match": f'"{sha}"'})
    assert again.status_code == 304 and again.data == b""
    changed = client.get(f"/a/{AGENCY}/logo", headers={"If-None-Match": '"0000"'})
    assert changed.status_code == 200


def test_the_logo_is_404_when_there_is_none(client: FlaskClient, survey: Any, db: Database) -> None:
    set_theme(db, AGENCY, None, a_logo())
    assert client.get(f"/a/{OTHER}/logo").status_code == 404
    assert client.get("/a/NOPE/logo").status_code == 404
    assert client.get(f"/a/{AGENCY.lower()}/logo").status_code == 200  # codes are upper case


# -- the form page --------------------------------------------------------------------


def test_the_form_links_the_theme_and_shows_the_logo_named_after_the_agency(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    set_theme(db, AGENCY, "#00703c", a_logo())
    sha = stored_logo_sha(db, AGENCY)
    page = client.get(f"/q/{SLUG}?agency={AGENCY}").text
    assert f'<link rel="stylesheet" href="/a/{AGENCY}/theme.css?v=00703c">' in page
    logo = (
        f'<p class="logo"><img src="/a/{AGENCY}/logo?v={sha[:16]}" '
        f'alt="Ủy ban nhân dân Quận 1" width="192" height="64"></p>'
    )
    assert logo in page
    english = client.get(f"/q/{SLUG}?agency={AGENCY}&lang=en").text
    assert 'alt="District 1 People&#39;s Committee"' in english
    # Sent back with errors (422), the page keeps its theme.
    token = re.search(r'name="_token"[^>]*value="([^"]+)"', page)
    assert token
    again = client.post(
        f"/q/{SLUG}?agency={AGENCY}",
        data={"_token": token.group(1)},
        headers={"Origin": "http://localhost"},
    )
    assert again.status_code == 422
    assert f"/a/{AGENCY}/theme.css?v=00703c" in again.text and 'class="logo"' in again.text


def test_forms_without_a_theme_link_nothing(client: FlaskClient, survey: Any, db: Database) -> None:
    set_theme(db, AGENCY, "#00703c", a_logo())
    for url in (f"/q/{SLUG}?agency={OTHER}", f"/q/{SLUG}"):
        page = client.get(url).text
        assert "/a/" not in page and 'class="logo"' not in page


def test_a_themed_page_with_its_logo_stays_under_60_kb(
    client: FlaskClient, survey: Any, db: Database
) -> None:
    from surveyapp.services.questionnaires import definition_files, load_files

    with db.write() as session:
        load_files(session, definition_files([client.application.config["QUESTIONNAIRES_DIR"]]))
    set_theme(db, AGENCY, "#c8102e", a_logo((1200, 400)))
    html = client.get(f"/q/sipas?agency={AGENCY}").text
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src|img src)="(/[^"]+)"', html)
    assert any("theme.css" in a for a in assets) and any("/logo" in a for a in assets)
    total = len(html.encode())
    for asset in assets:
        with client.get(asset) as response:
            assert response.status_code == 200, asset
            print(f"{asset}: {len(response.data)} bytes")
            total += len(response.data)
    print(f"themed sipas form with logo: {total} bytes")
    assert total < 60 * 1024


# -- a colour can never inject CSS ----------------------------------------------------

HOSTILE = [
    "red",
    "#fff",
    "#12345g",
    "#123456;",
    "#123456}body{display:none}",
    "#1234567",
    "</style><script>",
    "#12\\34 56",
    "#\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width digits
    "#123456\n",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_only_rrggbb_colours_are_accepted(value: str) -> None:
    if value.strip() != value:
        assert agency_theme.normalise_color(value) == value.strip()
        return
    with pytest.raises(InputError, match=r"^theme_color: .*#rrggbb"):
        agency_theme.normalise_color(value)
    with pytest.raises(ValueError, match="not a #rrggbb"):
        stylesheet(value)


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip() == v] + ["#ABCDEF"])
def test_the_database_refuses_any_other_colour(survey: Any, db: Database, value: str) -> None:
    # The check constraint refuses it, or on PostgreSQL already the column's length.
    with pytest.raises((IntegrityError, DataError)), db.write() as session:
        session.execute(
            text("UPDATE agencies SET theme_color = :value WHERE code = :code"),
            {"value": value, "code": AGENCY},
        )


@given(st.integers(0, 0xFFFFFF))
def test_every_colour_gives_readable_text(rgb: int) -> None:
    color = f"#{rgb:06x}"
    colors = palette(color)
    assert colors.accent == color
    on_accent = contrast_ratio(colors.on_accent, color)
    assert on_accent >= 4.5
    assert contrast_ratio(colors.on_accent, colors.accent_hover) >= on_accent - 1e-9
    assert contrast_ratio(colors.accent_text, "#ffffff") >= 4.5
    assert CSS_RE.fullmatch(stylesheet(color))


def test_contrast_ratios_match_published_values() -> None:
    # WebAIM's contrast checker (https://webaim.org/resources/contrastchecker/):
    # #767676 on white is 4.54:1, #777777 is 4.48:1; black on white is 21:1.
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.005)
    assert contrast_ratio("#ffffff", "#777777") == pytest.approx(4.48, abs=0.005)
