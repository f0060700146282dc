"""The README's ``surveyapp report`` examples, read from README.md, run against demo data.

Every command of a shell block that starts ``surveyapp report`` and names no placeholder
(``CODE``, ``SLUG``, ``...``, ``a|b``) runs as written; an optional part in brackets is
kept when it is concrete (``[--no-comments]``) and left out when it is a placeholder.
Then each file the command wrote is opened with a reader of its format.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from surveyapp.config import PACKAGE_DIR

README = PACKAGE_DIR.parent / "README.md"
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
PLACEHOLDER = re.compile(r"\b[A-Z]+\b|\.\.\.|\||--help")
#: Demo responses per questionnaire: enough for every section, small enough to be quick.
DEMO_RESPONSES = 300


def _concrete(command: str) -> str | None:
    """Return ``command`` with its optional parts resolved, or None for a synopsis line."""
    command = command.split(" #", 1)[0].strip()
    command = OPTIONAL.sub(lambda m: "" if PLACEHOLDER.search(m.group(1)) else m.group(1), command)
    return None if PLACEHOLDER.search(command) else " ".join(command.split())


def readme_report_commands() -> list[str]:
    """Return the README's runnable ``surveyapp report`` examples, in order."""
    found = []
    for block in BLOCK.findall(README.read_text(encoding="utf-8")):
        for line in block.splitlines():
            if line.startswith("surveyapp report "):
                command = _concrete(line)
                if command is not None and command not in found:
                    found.append(command)
    return found


def test_the_readme_has_the_examples_the_issue_names() -> None:
    commands = readme_report_commands()
    assert (
        "surveyapp report --agency Q1 --from 2017-01-01 --to 2017-06-30 --format pdf -o q1.pdf "
        "--no-comments" in commands
    )
    assert "surveyapp report --all --format xlsx -o city.xlsx" in commands
    assert not [c for c in commands if re.search(r"\bCODE\b|SLUG|\.\.\.", c)]


def _check_file(path: Path, fmt: str, slug: str) -> None:
    data = path.read_bytes()
    assert data, f"{path} is empty"
    if fmt == "pdf":
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        assert len(reader.pages) >= 2 and slug in text, path
    elif fmt == "xlsx":
        assert zipfile.is_zipfile(path)
        book = load_workbook(path, read_only=True)
        assert len(book.sheetnames) >= 2, book.sheetnames
    elif fmt == "csv":
        lines = data.decode("utf-8-sig").splitlines()
        assert len(lines) > 1 and lines[0].startswith("response_id"), lines[0]
    elif fmt == "sav":
        assert data[:4] == b"$FL2"
    elif fmt == "json":
        assert json.loads(data)["questionnaire"]["slug"] == slug
    else:
        raise AssertionError(f"no check for {fmt}")


def test_readme_report_examples_run_on_demo_data(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = cli("demo", "--responses", str(DEMO_RESPONSES))
    assert demo.exit_code == 0, demo.output
    monkeypatch.chdir(tmp_path)
    commands = readme_report_commands()
    assert len(commands) >= 5
    for command in commands:
        args = shlex.split(command)[1:]
        result = cli(*args)
        assert result.exit_code == 0, (command, result.output)
        if args[1] in ("rebuild-aggregates", "fold"):
            continue
        # Without --questionnaire, the command says which it chose, on one line.
        said = re.findall(r"^questionnaire: (\S+) \(", result.output, re.M)
        assert len(said) == 1, (command, result.output)
        slug = said[0]
        fmt = args[args.index("--format") + 1] if "--format" in args else "json"
        output = tmp_path / args[args.index("-o") + 1]
        if output.is_dir():
            written = sorted(output.iterdir())
            assert written and all(p.suffix == f".{fmt}" for p in written), written
            for path in written[:3]:
                _check_file(path, fmt, slug)
        else:
            _check_file(output, fmt, slug)
