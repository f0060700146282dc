"""``surveyapp demo``: questionnaires, Ho Chi Minh City's agencies and synthetic responses."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from surveyapp import db_app, schema
from surveyapp.definitions import DefinitionError
from surveyapp.models import Agency
from surveyapp.services import demo as service
from surveyapp.services import demo_cases, demo_counters, questionnaires

#: Responses generated per shipped questionnaire (the first is the city's main survey).
DEFAULT_COUNTS = {"sipas": 12000, "a11-cx": 2000}


@click.command("demo")
@click.option("--seed", default=2017, show_default=True, help="Seed for reproducible data.")
@click.option(
    "--responses",
    type=click.IntRange(0, 2_000_000),
    default=None,
    help="Responses per questionnaire (default: 12000 for sipas, 2000 for the others).",
)
@click.option(
    "--force", is_flag=True, help="Generate responses even if the questionnaire already has some."
)
@with_appcontext
def demo(seed: int, responses: int | None, force: bool) -> None:
    """Load the shipped questionnaires, HCMC's 2017 agencies and synthetic 2017 responses.

    Migrates the database first. Safe to run again (``make run`` does, at every
    start): a changed questionnaire file becomes a new version, agencies already
    stored are left as they are (origins, names and themes an administrator set
    are kept), and responses are only added where there are none (unless --force).
    """
    database = db_app.get_db(current_app)
    schema.upgrade(database.engine)
    files = questionnaires.definition_files([current_app.config["QUESTIONNAIRES_DIR"]])
    try:
        with database.write() as session:
            loaded = questionnaires.load_files(session, files)
            agencies_result = service.load_agencies(session)
            demo_counters.add_demo_counters(session)
            service.load_registers(session)
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the shipped questionnaires are invalid") from None
    click.echo(
        f"Agencies: {agencies_result.added} added, {agencies_result.kept} kept as they are; "
        f"questionnaires: {', '.join(f'{r.slug} v{r.version}' for r in loaded)}"
    )
    for offset, result in enumerate(loaded):
        count = responses if responses is not None else DEFAULT_COUNTS.get(result.slug, 2000)
        with database.write() as session:
            version = questionnaires.get_version(session, result.slug, result.version)
            existing = service.existing_responses(session, version.id)
            if existing and not force:
                click.echo(f"{result.slug} v{result.version}: {existing} responses already there")
                continue
            if result.slug == demo_counters.SLUG:  # rated at the demo districts' counters
                stored = demo_counters.generate_counter_ratings(
                    session,
                    version,
                    count=count,
                    seed=seed + offset,
                    timezone=current_app.config["TIMEZONE"],
                )
                click.echo(
                    f"{result.slug} v{result.version}: {stored} counter ratings generated "
                    f"(seed {seed})"
                )
                continue
            agencies = list(
                session.scalars(select(Agency).where(Agency.active).order_by(Agency.code))
            )
            stored = service.generate_responses(
                session,
                version,
                agencies,
                count=count,
                seed=seed + offset,
                timezone=current_app.config["TIMEZONE"],
            )
        click.echo(f"{result.slug} v{result.version}: {stored} responses generated (seed {seed})")
    with database.write() as session:  # petitions and complaints, a published period
        click.echo(demo_cases.add_demo_cases(session, current_app.config["TIMEZONE"]))
    database.refresh_statistics()
