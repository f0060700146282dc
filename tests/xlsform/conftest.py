"""Build XLSForm workbooks in ``tmp_path`` with openpyxl."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

Rows = Sequence[Sequence[object]]
MakeForm = Callable[..., Path]


def write_form(
    path: Path, survey: Rows, choices: Rows | None = None, settings: Rows | None = None
) -> Path:
    """Write sheets (first row: headers) as an .xlsx workbook at ``path``."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows is not None:
            extra = workbook.create_sheet(title)
            for row in rows:
                extra.append(list(row))
    workbook.save(path)
    return path


@pytest.fixture
def make_form(tmp_path: Path) -> MakeForm:
    def make(
        survey: Rows,
        choices: Rows | None = None,
        settings: Rows | None = None,
        name: str = "form.xlsx",
    ) -> Path:
        return write_form(tmp_path / name, survey, choices, settings)

    return make
