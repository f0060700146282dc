"""``surveyapp questionnaires import-xlsform``: convert an ODK/KoboToolbox XLSForm."""

from __future__ import annotations

from pathlib import Path

import click

from surveyapp.definitions import check_text
from surveyapp.xlsform import MAX_BYTES, XLSFormError, convert_file


@click.command("import-xlsform")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    help="Write the definition to OUT.yaml (its name is the slug) instead of standard output.",
)
def import_xlsform(file: Path, output: Path | None) -> None:
    """Convert the XLSForm workbook FILE.xlsx into a questionnaire definition (YAML).

    Reads the survey, choices and settings sheets with pyxform (label::Vietnamese (vi)
    and/or label::English (en) columns, or a plain label: a one-language form). Every
    error and note is printed as FILE:sheet!CELL: message (the cell names the row and
    the column); on any error nothing is written and the exit code is 1. Lines marked
    "note:" say what was left out or changed (calculations, metadata, repeats,
    geopoints, constraints that cannot be expressed, renamed keys).
    """
    try:
        conversion = convert_file(file, max_bytes=MAX_BYTES)
    except XLSFormError as exc:
        raise click.ClickException(str(exc)) from None
    for issue in conversion.issues:
        click.echo(str(issue), err=True)
    if conversion.errors:
        raise click.ClickException(
            f"{len(conversion.errors)} problem(s) could not be converted; nothing was written"
        )
    text = conversion.yaml_text()
    if output is None:
        click.echo(text, nl=False)
        click.echo(
            f"Save it as questionnaires/{conversion.slug}.yaml (the slug is the file name).",
            err=True,
        )
        return
    problems = check_text(text, output.name)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(
            f"{output.name} is not a valid definition file name; nothing was written"
        )
    output.write_text(text, encoding="utf-8")
    click.echo(
        f"Wrote {output}; check it with `surveyapp questionnaires check {output}`.", err=True
    )
