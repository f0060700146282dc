"""Why a webmaster's page cannot show an agency's form: a diagnosis from the page's URL.

Plain functions, no Flask: the page's address and the agency's listed origins in,
findings out. The browser refuses the iframe unless the page's exact origin
(``scheme://host[:port]``) is listed (``frame-ancestors``), and refuses an
``http://`` form inside an ``https://`` page (mixed content).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from surveyapp.embedding import origin_of_url


@dataclass(frozen=True)
class Finding:
    """One conclusion: ``ok`` findings say what works, the others what to change."""

    ok: bool
    message: str


@dataclass(frozen=True)
class Diagnosis:
    page_origin: str | None
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)


def _host(origin: str) -> str:
    return urlsplit(origin).hostname or ""


def _bare(host: str) -> str:
    return host.removeprefix("www.")


def diagnose(page_url: str, allowed: Sequence[str], platform_url: str) -> Diagnosis:
    """Explain whether a page at ``page_url`` can frame a form served at ``platform_url``."""
    raw = page_url.strip()
    if "://" not in raw:
        return Diagnosis(
            None,
            (
                Finding(
                    False,
                    "Nhập địa chỉ đầy đủ, bắt đầu bằng https:// · "
                    "Type the full address, starting with https:// "
                    f"(for example https://{raw or 'example.gov.vn'}/)",
                ),
            ),
        )
    origin = origin_of_url(raw)
    if origin is None:
        return Diagnosis(
            None,
            (
                Finding(
                    False,
                    "Không phải địa chỉ http(s) hợp lệ · Not a valid http(s) address",
                ),
            ),
        )
    findings: list[Finding] = []
    if origin in allowed:
        findings.append(
            Finding(True, f"{origin} được phép nhúng biểu mẫu · is allowed to embed the form")
        )
    elif not allowed:
        findings.append(
            Finding(
                False,
                "Cơ quan chưa khai báo trang nào được nhúng; đề nghị quản trị thêm "
                f"{origin} · The agency lists no origin yet; ask an administrator to add {origin}",
            )
        )
    else:
        scheme, host = urlsplit(origin).scheme, _host(origin)
        same_host = [o for o in allowed if _host(o) == host]
        other_scheme = [o for o in same_host if urlsplit(o).scheme != scheme]
        if other_scheme:
            findings.append(
                Finding(
                    False,
                    f"Sai giao thức: trang của bạn là {scheme}://, danh sách có {other_scheme[0]} "
                    f"· http/https mismatch: your page is {origin} but the listed origin is "
                    f"{other_scheme[0]}. Open the page over {urlsplit(other_scheme[0]).scheme}:// "
                    f"or ask an administrator to list {origin}",
                )
            )
        elif same_host:
            findings.append(
                Finding(
                    False,
                    f"Sai cổng · Port mismatch: your page is {origin}, the listed origin is "
                    f"{same_host[0]}; the port must match exactly",
                )
            )
        else:
            near = [o for o in allowed if _bare(_host(o)) == _bare(host)]
            hint = (
                f" (listed: {near[0]}; www and the bare name are different origins)" if near else ""
            )
            findings.append(
                Finding(
                    False,
                    f"{origin} chưa được khai báo · is not listed{hint}. "
                    f"Ask an administrator to add {origin}",
                )
            )
    platform = origin_of_url(platform_url) or ""
    if origin.startswith("https://") and platform.startswith("http://"):
        findings.append(
            Finding(
                False,
                f"Nội dung hỗn hợp · Mixed content: the platform is served at {platform} "
                "(http), which browsers refuse to show inside an https page; the platform "
                "must be served over https",
            )
        )
    return Diagnosis(origin, tuple(findings))
