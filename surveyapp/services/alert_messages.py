"""What an alert says: an e-mail in the recipient's language, or a webhook's JSON."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from surveyapp.models import AlertEvent, AlertRecipient
from surveyapp.services import alert_digest
from surveyapp.services.alert_delivery import Mail


def _agency_name(event: AlertEvent, language: str) -> str:
    agency = event.agency
    return f"{agency.name_en if language == 'en' else agency.name_vi} ({agency.code})"


def _body(event: AlertEvent, language: str, console_url: str) -> tuple[str, list[str]]:
    data = event.payload
    name = _agency_name(event, language)
    if event.kind == "serious":
        subject = _("Serious report about %(agency)s", agency=name)
        lines = [
            _(
                "A respondent reported being harassed or asked for payments beyond the "
                "official fees (response %(response)s, %(questionnaire)s, submitted %(when)s).",
                response=data["response_id"],
                questionnaire=data["questionnaire"],
                when=data["submitted_at"][:16].replace("T", " "),
            ),
            _("The questionnaire is anonymous; the answers are in the console."),
        ]
    elif event.kind == "watch":
        subject = _("A comment about %(agency)s matches the watch list", agency=name)
        lines = [
            _(
                "Response %(response)s has a comment containing: %(terms)s.",
                response=data["response_id"],
                terms=", ".join(data["terms"]),
            )
        ]
    elif event.kind == "signal":
        if data.get("unit") == "week":
            subject = _(
                "Satisfaction with %(agency)s fell in week %(period)s",
                agency=name,
                period=data["period"],
            )
        else:
            subject = _(
                "Satisfaction with %(agency)s fell in %(period)s",
                agency=name,
                period=data["period"],
            )
        lines = [
            _(
                "%(dimension)s: %(pct)s%% satisfied of %(n)s respondents, below the "
                "control limit %(lower)s%% (baseline %(baseline)s%%).",
                dimension=d["title_en"] if language == "en" else d["title_vi"],
                pct=d["pct"],
                n=d["n"],
                lower=d["lower_pct"],
                baseline=d["baseline_pct"],
            )
            for d in data["dimensions"]
        ]
    else:
        subject = _("Weekly digest for %(agency)s, week %(week)s", agency=name, week=data["week"])
        lines = alert_digest.render(data["sections"])
    lines += ["", _("Alert settings and the delivery log: %(url)s", url=console_url)]
    return subject, lines


def mail_for(event: AlertEvent, recipient: AlertRecipient, console_url: str) -> Mail:
    """The e-mail of ``event`` for ``recipient``, in the recipient's language."""
    language = recipient.language if recipient.language in ("vi", "en") else "vi"
    with force_locale(language):
        subject, lines = _body(event, language, console_url)
    return Mail(to=recipient.email or "", subject=subject, body="\n".join(lines), language=language)


def webhook_payload(event: AlertEvent) -> dict[str, Any]:
    """The JSON a webhook receives: kind, key, agency, when raised and the event's data."""
    return {
        "event": event.kind,
        "key": event.key,
        "agency": event.agency.code,
        "raised_at": event.created_at.isoformat(),
        "data": event.payload,
    }
