"""``surveyapp comments analyse``: find and keep the topics of new comments."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.reporting import comment_topics


@click.group("comments")
def group() -> None:
    """Respondents' comments: their topics (SIPAS criteria and problems reported)."""


@group.command("analyse")
@click.option(
    "--batch",
    type=click.IntRange(1, 100_000),
    default=comment_topics.BATCH,
    show_default=True,
    help="Comments analysed and stored per transaction.",
)
@with_appcontext
def analyse(batch: int) -> None:
    """Segment the comments not analysed yet with the current lexicon and keep their topics.

    The lexicon is SURVEYAPP_COMMENT_LEXICON (default: the packaged one). After the
    lexicon changes, every comment is analysed again. Reports analyse what is still
    missing themselves; running this from a timer (deploy/systemd/surveyapp-comments.timer)
    keeps large reports fast. Running it twice analyses nothing the second time.
    """
    database = ready_db()
    lexicon = comment_topics.current_lexicon()
    total = 0
    while True:
        with database.write() as session:
            done = comment_topics.analyse_waiting(session, lexicon, batch)
        total += done
        if done < batch:
            break
    click.echo(f"analysed {total} comment(s) with lexicon {lexicon.version}")
