"""``surveyapp alerts run``: raise new alerts and deliver what is due, once."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli.common import ready_db
from surveyapp.services import alert_run
from surveyapp.services.alert_delivery import SmtpSettings


@click.group("alerts")
def group() -> None:
    """Alerts to agency heads and inspectors: serious reports, falls, weekly digests."""


@group.command("run")
@with_appcontext
def run() -> None:
    """Fold waiting responses, raise serious reports, control-chart falls and last
    week's digests, and send every due e-mail and webhook.

    Idempotent: what was sent is never sent again, so run it often (every few
    minutes, deploy/systemd/surveyapp-alerts.timer); failed deliveries are retried
    with backoff. E-mail needs SURVEYAPP_SMTP_URL and SURVEYAPP_SMTP_FROM.
    """
    config = current_app.config
    smtp = SmtpSettings(config["SMTP_URL"], config["SMTP_SECURITY"], config["SMTP_FROM"])
    result = alert_run.run(
        ready_db(), config["TIMEZONE"], smtp, str(config["PUBLIC_URL"]).rstrip("/")
    )
    raised = ", ".join(f"{kind} {count}" for kind, count in result.raised.items())
    click.echo(f"raised: {raised}; sent {result.sent}, failed {result.failed}")
    if result.failed:
        raise click.ClickException(
            f"deliveries failed: {result.failed}; see the delivery log in the console"
        )
