"""Agencies' themes: an accent colour and a logo for their public forms.

The colour is stored only as a checked ``#rrggbb`` (lower case; a database
check constraint holds it too), and the stylesheet is written from the parsed
red, green and blue numbers, so nothing a person typed ever reaches CSS. Text
drawn on the accent is white or black, whichever WCAG 2 finds readable (at
least 4.5:1); the accent used as text on the white page is darkened until it
reaches 4.5:1.

A logo upload must be a PNG or JPEG by its first bytes *and* decode completely
with Pillow (only those two decoders are allowed) within limits of file size and
pixel count; it is then re-encoded (no metadata, at most 512 pixels a side)
before it is stored, so what is served is an image Pillow wrote, never the
upload.

References
----------
.. [1] W3C, "Web Content Accessibility Guidelines (WCAG) 2.1", definitions of
   *relative luminance* and *contrast ratio*, https://www.w3.org/TR/WCAG21/
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.errors import InputError, NotFoundError, Problem
from surveyapp.models import Agency, AgencyLogo, utcnow
from surveyapp.models.theme import LOGO_MAX_SIDE

COLOR_RE = re.compile(r"#[0-9a-f]{6}")
#: Largest logo file accepted, in bytes.
LOGO_MAX_BYTES = 512 * 1024
#: Largest logo accepted, in pixels (width x height), checked before decoding.
LOGO_MAX_PIXELS = 4_000_000
#: The box the form page shows the logo in (CSS pixels); the stored image is larger.
LOGO_BOX = (240, 64)
#: Contrast WCAG 2 level AA asks of normal-size text.
TEXT_CONTRAST = 4.5
WHITE = "#ffffff"
BLACK = "#000000"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
JPEG_QUALITY = 88
#: What Pillow raises on a damaged, truncated or lying image file.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, zlib.error)


# -- colour ---------------------------------------------------------------------------


def parse_color(text: str | None) -> str | None:
    """Return ``text`` as ``#rrggbb`` in lower case, or None when it is blank.

    Raises ValueError (a message for a person, without the field's name) otherwise.
    """
    value = (text or "").strip().lower()
    if not value:
        return None
    if not COLOR_RE.fullmatch(value):
        shown = (text or "").strip()[:20]
        raise ValueError(
            Problem("%(value)r is not a colour written #rrggbb (for example #005ea2)", value=shown)
        )
    return value


def normalise_color(text: str | None) -> str | None:
    """Return ``text`` as ``#rrggbb`` or None; raise InputError naming ``theme_color``."""
    try:
        return parse_color(text)
    except ValueError as exc:
        raise InputError(Problem("theme_color: %(problem)s", problem=exc.args[0])) from None


def _rgb(color: str) -> tuple[int, int, int]:
    if not COLOR_RE.fullmatch(color):
        raise ValueError(f"not a #rrggbb colour: {color[:20]!r}")
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    red, green, blue = (max(0, min(255, round(c))) for c in rgb)
    return f"#{red:02x}{green:02x}{blue:02x}"


def _mix(color: str, other: str, weight: float) -> str:
    """Return ``color`` moved ``weight`` (0..1) of the way towards ``other``."""
    start, end = _rgb(color), _rgb(other)
    red, green, blue = (s + (e - s) * weight for s, e in zip(start, end, strict=True))
    return _hex((red, green, blue))


def relative_luminance(color: str) -> float:
    """Return the WCAG 2 relative luminance of a ``#rrggbb`` colour (0 black, 1 white)."""

    def linear(channel: int) -> float:
        s = channel / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _rgb(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG 2 contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Palette:
    """The colours of a themed form, all ``#rrggbb``."""

    #: The agency's colour: button background, heading rule.
    accent: str
    #: Text on the accent: white, or black where white is not readable.
    on_accent: str
    #: The button under the pointer: further from the text colour than ``accent``.
    accent_hover: str
    #: The button's lower edge.
    accent_edge: str
    #: The accent as text, links and focus ring on the white page (at least 4.5:1).
    accent_text: str


def palette(accent: str) -> Palette:
    """Derive readable colours from an agency's accent colour."""
    # White text when it is readable; otherwise black, which then always is (> 4.58:1).
    if contrast_ratio(accent, WHITE) >= TEXT_CONTRAST:
        on_accent, hover = WHITE, _mix(accent, BLACK, 0.15)
    else:
        on_accent, hover = BLACK, _mix(accent, WHITE, 0.2)
    text = accent
    step = 0
    while contrast_ratio(text, WHITE) < TEXT_CONTRAST:
        step += 1
        text = _mix(accent, BLACK, step / 20)
    return Palette(accent, on_accent, hover, _mix(accent, BLACK, 0.45), text)


def stylesheet(color: str) -> str:
    """Return the CSS that themes a form with ``color`` (custom properties only)."""
    colors = palette(_hex(_rgb(color)))  # written from numbers: only #rrggbb reaches the CSS
    return (
        "/* surveyapp agency theme */\n"
        f":root{{--agency-accent:{colors.accent};--agency-on-accent:{colors.on_accent};"
        f"--agency-accent-hover:{colors.accent_hover};--agency-accent-edge:{colors.accent_edge};"
        f"--agency-accent-text:{colors.accent_text}}}\n"
    )


# -- logo -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedLogo:
    """A checked and re-encoded logo, ready to store."""

    content_type: str
    data: bytes
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _logo_error(message: str) -> InputError:
    return InputError(Problem("logo: %(problem)s", problem=message))


def _sniff(raw: bytes) -> str | None:
    if raw.startswith(PNG_SIGNATURE):
        return "PNG"
    if raw.startswith(JPEG_SIGNATURE):
        return "JPEG"
    return None


def prepare_logo(raw: bytes) -> PreparedLogo:
    """Check an uploaded logo and re-encode it; raise InputError naming the ``logo`` field."""
    if not raw:
        raise _logo_error(Problem("the file is empty"))
    if len(raw) > LOGO_MAX_BYTES:
        raise _logo_error(Problem("the file is larger than %(n)s KiB", n=LOGO_MAX_BYTES // 1024))
    kind = _sniff(raw)
    if kind is None:
        raise _logo_error(
            Problem("only PNG or JPEG images are accepted (not SVG, GIF or other files)")
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own (much higher) limit; stop there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[kind]) as image:
                width, height = image.size
                if width * height > LOGO_MAX_PIXELS:
                    raise _logo_error(_too_many_pixels(width, height))
                image.load()  # decodes everything: a truncated or damaged file fails here
                return _reencode(image, kind)
    except InputError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _logo_error(_too_many_pixels(None, None)) from None
    except DECODE_ERRORS:
        raise _logo_error(
            Problem(
                "the file is not a complete, valid %(kind)s image (damaged or cut short?)",
                kind=kind,
            )
        ) from None


def _too_many_pixels(width: int | None, height: int | None) -> str:
    mega = LOGO_MAX_PIXELS // 1_000_000
    if width and height:
        return Problem(
            "the image has %(width)sx%(height)s pixels; at most %(mega)s megapixels are accepted",
            width=width,
            height=height,
            mega=mega,
        )
    return Problem(
        "the image has too many pixels; at most %(mega)s megapixels are accepted", mega=mega
    )


def _reencode(image: Image.Image, kind: str) -> PreparedLogo:
    """Write a new image from the decoded pixels: upright, at most 512 px, no metadata."""
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        "transparency" in upright.info
    )
    if upright.mode in ("1", "L") and not has_alpha:
        mode = "L"
    elif upright.mode in ("LA", "La"):
        mode = "LA"
    else:
        mode = "RGBA" if has_alpha else "RGB"
    clean = upright.convert(mode)
    clean.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE), Image.Resampling.LANCZOS)
    clean.info = {}  # no EXIF, ICC profile, text chunks or comments are carried over
    out = io.BytesIO()
    if kind == "JPEG" and mode in ("L", "RGB"):
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        content_type = "image/jpeg"
    else:
        clean.save(out, format="PNG", optimize=True)
        content_type = "image/png"
    data = out.getvalue()
    if len(data) > LOGO_MAX_BYTES:
        raise _logo_error(
            Problem(
                "the image is still larger than %(n)s KiB once stored; use a simpler image",
                n=LOGO_MAX_BYTES // 1024,
            )
        )
    return PreparedLogo(content_type, data, clean.width, clean.height)


# -- storing --------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeChange:
    """A checked change of an agency's theme."""

    #: The new colour (``#rrggbb``) or None for none.
    color: str | None
    #: A new logo, or None to keep (or remove) the current one.
    logo: PreparedLogo | None = None
    remove_logo: bool = False


def check_theme(color: str | None, logo: bytes | None, *, remove_logo: bool = False) -> ThemeChange:
    """Check a colour and an uploaded logo (None: no upload); raise InputError for each problem."""
    problems: list[str] = []
    clean_color = None
    prepared = None
    try:
        clean_color = normalise_color(color)
    except InputError as exc:
        problems.extend(exc.messages)
    if logo is not None and remove_logo:
        problems.append(Problem("logo: choose a new logo or remove the current one, not both"))
    elif logo is not None:
        try:
            prepared = prepare_logo(logo)
        except InputError as exc:
            problems.extend(exc.messages)
    if problems:
        raise InputError(problems)
    return ThemeChange(clean_color, prepared, remove_logo)


def apply_theme(session: Session, agency: Agency, change: ThemeChange) -> dict[str, str | None]:
    """Store a checked theme change; return what changed (for the audit log)."""
    changed: dict[str, str | None] = {}
    if agency.theme_color != change.color:
        agency.theme_color = change.color
        changed["theme_color"] = change.color
    current = session.get(AgencyLogo, agency.id)
    if change.logo is not None:
        if current is None:
            current = AgencyLogo(agency_id=agency.id)
            session.add(current)
        current.content_type = change.logo.content_type
        current.data = change.logo.data
        current.sha256 = change.logo.sha256
        current.width = change.logo.width
        current.height = change.logo.height
        current.updated_at = utcnow()
        changed["logo"] = change.logo.sha256
    elif change.remove_logo and current is not None:
        session.delete(current)
        changed["logo"] = None
    session.flush()
    return changed


# -- reading --------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeSummary:
    """What a page needs to show an agency's theme, without the logo's bytes."""

    code: str
    color: str | None
    #: SHA-256 of the logo, or None when the agency has none.
    logo_sha256: str | None
    #: Size to show the logo at, in CSS pixels, when there is one.
    logo_size: tuple[int, int] | None

    @property
    def is_empty(self) -> bool:
        return self.color is None and self.logo_sha256 is None


def display_size(width: int, height: int, box: tuple[int, int] = LOGO_BOX) -> tuple[int, int]:
    """Return the size that fits ``width`` x ``height`` in ``box`` without enlarging it."""
    scale = min(1.0, box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def get_theme(session: Session, code: str) -> ThemeSummary | None:
    """Return an agency's theme (None for an unknown agency); one query, no image bytes."""
    row = session.execute(
        select(
            Agency.code, Agency.theme_color, AgencyLogo.sha256, AgencyLogo.width, AgencyLogo.height
        )
        .outerjoin(AgencyLogo, AgencyLogo.agency_id == Agency.id)
        .where(Agency.code == code.strip().upper())
    ).first()
    if row is None:
        return None
    return theme_summary(row.code, row.theme_color, row.sha256, row.width, row.height)


def theme_summary(
    code: str,
    theme_color: str | None,
    logo_sha256: str | None,
    logo_width: int | None,
    logo_height: int | None,
) -> ThemeSummary:
    """Return the theme of an agency from its stored colour and logo columns."""
    color = theme_color if theme_color and COLOR_RE.fullmatch(theme_color) else None
    size = None
    if logo_sha256 is not None and logo_width is not None and logo_height is not None:
        size = display_size(logo_width, logo_height)
    return ThemeSummary(code, color, logo_sha256, size)


@dataclass(frozen=True)
class StoredLogo:
    content_type: str
    data: bytes
    sha256: str
    updated_at: dt.datetime


def get_logo(session: Session, code: str) -> StoredLogo:
    """Return an agency's logo; NotFoundError when the agency or its logo does not exist."""
    row = session.execute(
        select(AgencyLogo.content_type, AgencyLogo.data, AgencyLogo.sha256, AgencyLogo.updated_at)
        .join(Agency, Agency.id == AgencyLogo.agency_id)
        .where(Agency.code == code.strip().upper())
    ).first()
    if row is None:
        raise NotFoundError(f"no logo for agency {code!r}")
    return StoredLogo(row.content_type, row.data, row.sha256, row.updated_at)
