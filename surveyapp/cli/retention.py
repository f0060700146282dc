"""``surveyapp retention apply [--dry-run]``: erase free text and dossier codes past their time."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.services import retention


@click.group("retention")
def group() -> None:
    """Keep free-text answers and dossier codes only as long as each questionnaire says."""


@group.command("apply")
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
@with_appcontext
def apply(dry_run: bool) -> None:
    """Erase free text and dossier codes of responses older than their questionnaire's period.

    The period is `retention: {days: N}` in the newest version of each questionnaire
    (docs/questionnaire-format.md) and covers every version of it. Numeric and choice
    answers, and so every report figure, stay. Each questionnaire's run is recorded in
    the audit log (not with --dry-run). Run it daily (deploy/systemd/surveyapp-retention.timer).
    """
    database = ready_db()
    with database.session() if dry_run else database.write() as session:
        outcomes = retention.apply(session, dry_run=dry_run)
    verb = "would erase" if dry_run else "erased"
    for outcome in outcomes:
        if outcome.days is None or outcome.cutoff is None:
            click.echo(
                f"{outcome.slug}: no retention period; everything is kept but the "
                f"contacts of closed feedback cases ({verb} {outcome.case_contacts})"
            )
            continue
        click.echo(
            f"{outcome.slug}: {verb} {outcome.texts} free-text answer(s) and "
            f"{outcome.dossier_codes} dossier code(s) of responses submitted before "
            f"{outcome.cutoff:%Y-%m-%d %H:%M} UTC ({outcome.days} days), and the contacts "
            f"of {outcome.case_contacts} feedback case(s) closed before then"
        )
