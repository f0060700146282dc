"""An agency's theme in the admin console: colour, logo upload (checked, re-encoded), removal."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, PngImagePlugin
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from surveyapp.db import Database
from surveyapp.models import Agency, AgencyLogo, AuditEvent
from surveyapp.services import agency_theme
from tests.admin.conftest import OTHER, OWN, Staff, csrf, flashes, signed_in

EDIT = f"/admin/agencies/{OWN}"
NAMES = {
    "code": OWN,
    "name_vi": "Ủy ban nhân dân Quận 1",
    "name_en": "District 1 People's Committee",
    "kind": "district",
    "origins": "",
}


def image_bytes(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def logo_png() -> bytes:
    """A 1000x400 PNG with transparency and a text chunk that must not survive."""
    image = Image.new("RGBA", (1000, 400), (0, 0, 0, 0))
    image.paste((0, 94, 162, 255), (50, 50, 950, 350))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "secret-author-name")
    return image_bytes(image, "PNG", pnginfo=info)


def logo_jpeg() -> bytes:
    """A 600x300 JPEG photographed sideways (EXIF orientation 6) with a GPS position."""
    image = Image.new("RGB", (600, 300), (200, 30, 30))
    image.paste((255, 255, 255), (0, 0, 100, 300))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010E] = "secret-description"  # ImageDescription
    return image_bytes(image, "JPEG", exif=exif.tobytes(), quality=90)


def noise_png(side: int) -> bytes:
    """An incompressible PNG of about 3 x side² bytes."""
    pixels = random.Random(side).randbytes(side * side * 3)
    return image_bytes(Image.frombytes("RGB", (side, side), pixels), "PNG")


def post_edit(client: FlaskClient, token: str, *, logo: bytes | None = None, **fields: Any) -> Any:
    data: dict[str, Any] = {"csrf_token": token, **NAMES, **fields}
    if logo is not None:
        data["logo"] = FileStorage(io.BytesIO(logo), "logo.png", content_type="image/png")
    # Encoded in memory: the test client spools bodies over 500 KB to a file it never closes.
    stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(
        EDIT,
        input_stream=stream,
        content_length=length,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def stored_theme(db: Database, code: str = OWN) -> tuple[str | None, AgencyLogo | None]:
    with db.session() as session:
        agency = session.scalars(select(Agency).where(Agency.code == code)).one()
        return agency.theme_color, session.get(AgencyLogo, agency.id)


@pytest.fixture
def admin(app: Flask, staff: Staff) -> tuple[FlaskClient, str]:
    client = signed_in(app, staff.admin)
    return client, csrf(client, EDIT)


def test_a_png_logo_and_a_colour_are_stored_re_encoded_without_metadata(
    admin: tuple[FlaskClient, str], db: Database, staff: Staff
) -> None:
    client, token = admin
    saved = post_edit(client, token, logo=logo_png(), theme_color="  #1A73E8 ")
    assert saved.status_code == 303, flashes(client, EDIT)
    color, logo = stored_theme(db)
    assert color == "#1a73e8"
    assert logo is not None
    assert (logo.content_type, logo.width, logo.height) == ("image/png", 512, 205)
    assert logo.sha256 == hashlib.sha256(logo.data).hexdigest()
    assert b"secret-author-name" not in logo.data
    with Image.open(io.BytesIO(logo.data)) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (512, 205))
        assert "Author" not in image.info
        assert image.getpixel((0, 0))[3] == 0  # transparency kept
    with db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "agency.edit")).one()
    assert event.detail["theme_color"] == "#1a73e8" and event.detail["logo"] == logo.sha256
    page = flashes(client, EDIT)
    assert 'value="#1a73e8"' in page
    assert f'src="/a/{OWN}/logo?v={logo.sha256[:16]}"' in page and 'name="remove_logo"' in page


def test_a_jpeg_logo_is_turned_upright_and_loses_its_exif(
    admin: tuple[FlaskClient, str], db: Database
) -> None:
    client, token = admin
    assert post_edit(client, token, logo=logo_jpeg()).status_code == 303
    color, logo = stored_theme(db)
    assert color is None and logo is not None
    assert logo.content_type == "image/jpeg"
    assert b"secret-description" not in logo.data and b"Exif" not in logo.data
    with Image.open(io.BytesIO(logo.data)) as image:
        assert image.format == "JPEG" and image.size == (256, 512) == (logo.width, logo.height)
        assert not image.getexif()
        # The white band was on the left; upright it runs along the top.
        assert image.convert("RGB").getpixel((128, 10)) == pytest.approx((255, 255, 255), abs=8)


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height one-bit pixels, with almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _truncated_png() -> bytes:
    whole = noise_png(200)
    return whole[: len(whole) // 2]


REFUSED = {
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "only PNG or JPEG",
    ),
    "gif": (image_bytes(Image.new("P", (20, 20)), "GIF"), "only PNG or JPEG"),
    "png header, garbage after": (
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "not a complete, valid PNG",
    ),
    "jpeg header, garbage after": (b"\xff\xd8\xff\xe0" + b"\x00garbage" * 64, "valid JPEG"),
    "truncated png": (_truncated_png(), "not a complete, valid PNG"),
    "pixel bomb": (
        image_bytes(Image.new("1", (6000, 6000)), "PNG"),
        "6000x6000 pixels; at most 4 megapixels",
    ),
    "header of 20000x20000 pixels": (png_header(20000, 20000), "at most 4 megapixels"),
    "larger than 512 KiB": (noise_png(425), "larger than 512 KiB"),
    "empty": (b"", "the file is empty"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_logo_is_refused_naming_the_field_and_nothing_changes(
    admin: tuple[FlaskClient, str], db: Database, case: str
) -> None:
    raw, expected = REFUSED[case]
    if case == "larger than 512 KiB":
        assert agency_theme.LOGO_MAX_BYTES < len(raw) < agency_theme.LOGO_MAX_BYTES + 64 * 1024
    client, token = admin
    refused = post_edit(client, token, logo=raw, theme_color="#123456", name_en="Changed name")
    assert refused.status_code == 422
    assert "logo: " in refused.text and expected in refused.text
    assert stored_theme(db) == (None, None)
    with db.session() as session:
        assert (
            session.scalars(select(Agency.name_en).where(Agency.code == OWN)).one()
            == (NAMES["name_en"])
        )


def test_a_body_over_the_upload_limit_is_413_with_a_message_naming_the_logo(
    admin: tuple[FlaskClient, str], db: Database
) -> None:
    client, token = admin
    refused = post_edit(client, token, logo=b"\x89PNG\r\n\x1a\n" + b"\x00" * (700 * 1024))
    assert refused.status_code == 413
    assert "logo: the file is larger than 512 KiB" in refused.text
    assert stored_theme(db) == (None, None)


@pytest.mark.parametrize(
    "color",
    ["red", "#12345", "#1234567", "#12345g", "1a73e8", "#fff;}body{display:none}", "#abc"],
)
def test_a_colour_that_is_not_rrggbb_is_refused(
    admin: tuple[FlaskClient, str], db: Database, color: str
) -> None:
    client, token = admin
    refused = post_edit(client, token, theme_color=color)
    assert refused.status_code == 422
    assert "theme_color: " in refused.text and "#rrggbb" in refused.text
    assert stored_theme(db) == (None, None)


def test_remove_the_logo_and_the_colour(admin: tuple[FlaskClient, str], db: Database) -> None:
    client, token = admin
    assert post_edit(client, token, logo=logo_png(), theme_color="#00703c").status_code == 303
    assert client.get(f"/a/{OWN}/logo").status_code == 200
    # Saving other fields keeps the logo.
    assert post_edit(client, token, theme_color="#00703c", name_vi="Quận 1").status_code == 303
    assert stored_theme(db)[1] is not None
    both = post_edit(client, token, logo=logo_png(), remove_logo="y", theme_color="#00703c")
    assert both.status_code == 422 and "not both" in both.text
    assert post_edit(client, token, remove_logo="y", theme_color="").status_code == 303
    assert stored_theme(db) == (None, None)
    assert client.get(f"/a/{OWN}/logo").status_code == 404
    assert 'name="remove_logo"' not in flashes(client, EDIT)


@pytest.mark.parametrize("who", ["own", "other", "inspector"])
def test_only_admins_change_an_agency_s_theme(
    app: Flask, db: Database, staff: Staff, who: str
) -> None:
    # Editing an agency is an admin page (see test_permissions): its own staff included.
    client = signed_in(app, getattr(staff, who))
    # A valid CSRF token from a page these users may use, so only the role is refused.
    pages = {"own": f"/admin/agencies/{OWN}/dossiers", "other": f"/admin/agencies/{OTHER}/dossiers"}
    token = csrf(client, pages[who]) if who in pages else "none"
    refused = post_edit(client, token, logo=logo_png(), theme_color="#123456")
    assert refused.status_code == 404
    assert stored_theme(db) == (None, None) == stored_theme(db, OTHER)


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, db: Database, staff: Staff) -> None:
    refused = post_edit(app.test_client(), "none", logo=logo_png(), theme_color="#123456")
    assert refused.status_code in (302, 303) and "/login" in refused.headers["Location"]
    assert stored_theme(db) == (None, None)


def test_csv_import_sets_keeps_and_clears_theme_colours(
    admin: tuple[FlaskClient, str], db: Database
) -> None:
    client, _token = admin
    token = csrf(client, "/admin/agencies")

    def send(text: str) -> str:
        data = {"csrf_token": token, "file": (io.BytesIO(text.encode()), "agencies.csv")}
        assert client.post("/admin/agencies/import", data=data).status_code == 303
        return flashes(client, "/admin/agencies")

    header = "code,name_vi,name_en,kind,origins"
    row = f"{OWN},Quận 1,District 1,district,"
    assert "1 updated" in send(f"{header},theme_color\n{row},#00FF7F\n")
    assert stored_theme(db)[0] == "#00ff7f"
    assert "1 updated" in send(f"{header}\n{row}\n")  # no column: the colour stays
    assert stored_theme(db)[0] == "#00ff7f"
    bad = send(f"{header},theme_color\n{row},#00ff7f;x\n")
    assert "row 2, column theme_color:" in bad and "#rrggbb" in bad
    assert stored_theme(db)[0] == "#00ff7f"
    assert "1 updated" in send(f"{header},theme_color\n{row},\n")  # empty cell: no colour
    assert stored_theme(db)[0] is None
