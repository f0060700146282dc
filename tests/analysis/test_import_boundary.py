"""analysis/ must stay free of the web application (STYLE.md, "The shape of the house")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_analysis_does_not_import_flask_or_surveyapp() -> None:
    code = (
        "import sys, analysis\n"
        "web = ('flask', 'surveyapp', 'sqlalchemy')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in web]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_public_api_is_listed() -> None:
    import analysis

    assert sorted(analysis.__all__) == sorted(set(analysis.__all__))
    assert all(hasattr(analysis, name) for name in analysis.__all__)
