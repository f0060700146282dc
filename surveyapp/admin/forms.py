"""Forms of the admin console. Each is a Flask-WTF form, so each carries its own CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from surveyapp.forms.translations import TranslatedForm
from surveyapp.models import AGENCY_KINDS, ROLES
from surveyapp.models.accounts import MAX_EMAIL_LENGTH
from surveyapp.services.accounts import MAX_PASSWORD_LENGTH
from surveyapp.services.api_tokens import DEFAULT_DAYS, MAX_DAYS
from surveyapp.services.counters import MAX_NAME_LENGTH as MAX_COUNTER_NAME
from surveyapp.services.kiosks import MAX_LABEL_LENGTH as MAX_KIOSK_LABEL
from surveyapp.services.triage import MAX_REASON_LENGTH

KIND_CHOICES = [SelectChoice(k, k) for k in AGENCY_KINDS]


class AgencyForm(TranslatedForm):
    """An agency's code, names, kind and allowed embed origins (one a line)."""

    code = StringField(_("Code"), validators=[InputRequired(), Length(max=32)])
    name_vi = StringField(_("Vietnamese name"), validators=[InputRequired()])
    name_en = StringField(_("English name"), validators=[InputRequired()])
    kind = SelectField(_("Kind"), choices=KIND_CHOICES)
    origins = TextAreaField(_("Allowed embed origins (scheme://host[:port], one a line)"))


class AgencyEditForm(AgencyForm):
    """An agency's details and the theme of its public form: a colour and a logo."""

    theme_color = StringField(
        _("Theme colour (#rrggbb, empty: none)"),
        render_kw={"placeholder": "#005ea2", "autocomplete": "off", "spellcheck": "false"},
    )
    logo = FileField(
        _("Logo (PNG or JPEG, at most 512 KiB and 4 megapixels)"),
        render_kw={"accept": "image/png,image/jpeg"},
    )
    remove_logo = BooleanField(_("Remove the current logo"))


class CsvUploadForm(TranslatedForm):
    """A CSV file."""

    file = FileField(_("CSV file"), validators=[FileRequired()])


class ActionForm(TranslatedForm):
    """Nothing but the CSRF token: a button that changes something."""


class DefinitionUploadForm(TranslatedForm):
    """A questionnaire definition file (YAML); its name is the slug."""

    file = FileField(_("Definition file (.yaml)"), validators=[FileRequired()])


class PublishForm(TranslatedForm):
    """A checked definition carried to the publish (or preview) step."""

    filename = HiddenField(validators=[InputRequired(), Length(max=100)])
    source = HiddenField(validators=[InputRequired()])
    lang = HiddenField()


class AvailabilityForm(TranslatedForm):
    """Open or close a questionnaire for one agency or all, with an optional period."""

    agency = SelectField(_("Agency"), choices=[])
    state = RadioField(
        _("State"),
        choices=[SelectChoice("open", _("Open")), SelectChoice("closed", _("Closed"))],
        default="open",
    )
    opens_at = DateTimeLocalField(
        _("Open from (local time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        _("Close at (local time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )


class OriginCheckForm(TranslatedForm):
    """The address of the webmaster's page that should show the form."""

    page_url = StringField(
        _("Your page's address"),
        validators=[InputRequired(), Length(max=2000)],
    )


class DossierGenerateForm(TranslatedForm):
    """How many one-time dossier codes to generate."""

    count = IntegerField(_("Number of codes"), validators=[InputRequired(), NumberRange(1, 10000)])


class DossierRequireForm(TranslatedForm):
    """Require a dossier code for one questionnaire, or stop requiring it."""

    questionnaire = HiddenField(validators=[InputRequired()])
    required = BooleanField(_("Require a dossier code"))


class TriageForm(TranslatedForm):
    """Accept or delete one quarantined response, with the reason."""

    action = RadioField(
        _("Decision"),
        choices=[
            SelectChoice("accept", _("Accept")),
            SelectChoice("delete", _("Delete")),
        ],
        validators=[InputRequired()],
    )
    reason = StringField(_("Reason"), validators=[InputRequired(), Length(max=MAX_REASON_LENGTH)])


class UserForm(TranslatedForm):
    """A new staff user."""

    email = StringField(_("Email"), validators=[InputRequired(), Length(max=MAX_EMAIL_LENGTH)])
    role = SelectField(_("Role"), choices=[SelectChoice(r, r) for r in ROLES])
    agency = SelectField(_("Agency (agency users only)"), choices=[])
    password = PasswordField(
        _("Password"), validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )


class PasswordForm(TranslatedForm):
    """A new password for a user."""

    password = PasswordField(
        _("New password"),
        validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)],
    )


class TokenForm(TranslatedForm):
    """A new API token: what it is for, and its agency (none: city-wide)."""

    name = StringField(_("Used for"), validators=[InputRequired(), Length(max=100)])
    agency = SelectField(_("Agency"), choices=[])
    days = IntegerField(
        _("Valid for (days, at most %(max)d)", max=MAX_DAYS),
        default=DEFAULT_DAYS,
        validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)],
    )


class SecondFactorPolicyForm(TranslatedForm):
    """Which roles besides admin must sign in with a second factor."""

    inspector = BooleanField(_("Inspectors must use two-step sign-in"))
    agency = BooleanField(_("Agency users must use two-step sign-in"))


class WatchListForm(TranslatedForm):
    """An agency's watch list: words or phrases of comments that alert, one a line."""

    watch_list = TextAreaField(_("Watch list (one word or phrase a line)"))


class RecipientForm(TranslatedForm):
    """Who receives an agency's alerts: an account, an e-mail address or a webhook."""

    role = SelectField(
        _("Recipient"),
        choices=[
            SelectChoice("head", _("Agency head")),
            SelectChoice("inspector", _("Inspector")),
            SelectChoice("other", _("Other")),
        ],
    )
    account = SelectField(_("Account"), choices=[], validate_choice=False)
    email = StringField(_("or an e-mail address"), validators=[Optional(), Length(max=254)])
    webhook_url = StringField(_("or a webhook URL"), validators=[Optional(), Length(max=2000)])
    language = SelectField(
        _("Language"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]
    )
    wants_immediate = BooleanField(_("Serious reports and watch-list matches"), default=True)
    wants_signals = BooleanField(_("Falls in satisfaction (control charts)"), default=True)
    wants_digest = BooleanField(_("Weekly digest"), default=True)


class CounterNamesForm(TranslatedForm):
    """A counter's names, as shown on the kiosk page, posters and reports."""

    name_vi = StringField(
        _("Vietnamese name"), validators=[InputRequired(), Length(max=MAX_COUNTER_NAME)]
    )
    name_en = StringField(
        _("English name"), validators=[InputRequired(), Length(max=MAX_COUNTER_NAME)]
    )


class CounterForm(CounterNamesForm):
    """A new counter: its short code (printed at the counter, used in links) and names."""

    code = StringField(
        _("Counter code (e.g. 3 or A2)"), validators=[InputRequired(), Length(max=32)]
    )


class KioskEnrolForm(TranslatedForm):
    """Enrol a shared device at one of the agency's counters, under a name."""

    counter = SelectField(_("Counter"), choices=[])
    label = StringField(
        _("Device name (e.g. Tablet at counter 3)"),
        validators=[InputRequired(), Length(max=MAX_KIOSK_LABEL)],
    )
