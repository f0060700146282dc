"""Every PDF the suite makes is parsed by pypdf and poppler; any syntax error fails its test.

``tests/conftest.py`` records each PDF a renderer returns (``Document.output_bytes``)
while a test runs and checks them all when it ends: a drawing operator with
``nan`` in it, which poppler reports as "Unknown operator 'nan'", or any other
syntax error fails that test, whichever renderer or route made the PDF.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile

from pypdf import PdfReader

#: A number that is not one, as Python's float formatting writes it.
NOT_A_NUMBER = re.compile(rb"(?<![A-Za-z/])-?(?:nan|inf)(?![A-Za-z])", re.IGNORECASE)


def problems(data: bytes) -> list[str]:
    """Return what pypdf and poppler find wrong in ``data`` (empty when it is sound)."""
    found: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        for number, page in enumerate(reader.pages, start=1):
            contents = page.get_contents()
            stream = contents.get_data() if contents is not None else b""
            match = NOT_A_NUMBER.search(stream)
            if match:
                found.append(f"page {number}: {match.group().decode()!r} in a drawing")
    except Exception as exc:  # any parse failure is the finding
        found.append(f"pypdf: {exc}")
    tool = shutil.which("pdftotext")
    if tool is not None:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(data)
            handle.flush()
            run = subprocess.run([tool, handle.name, "-"], capture_output=True, check=False)
        errors = run.stderr.decode("utf-8", "replace").strip()
        if run.returncode or errors:
            found.append(f"poppler: {errors[:500] or run.returncode}")
    return found
