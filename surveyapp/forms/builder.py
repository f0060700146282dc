"""The public form: a WTForms class built from a questionnaire, and the page it renders.

``build_form`` makes the form class (one field per answerable item, from
``questions.FIELD_TYPES``, plus the token, the honeypot and the optional agency
and dossier fields). ``answers_from_formdata`` reads the answers of a submission
straight from the form data, with the same result as binding the form class
and calling ``raw_answers``, but without building any WTForms field.
``page_of`` lays a bound form out in sections and blocks with every text
already chosen in the respondent's language, so templates only display.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask_babel import gettext as _
from wtforms import Field, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from surveyapp.definitions import Item, Questionnaire
from surveyapp.forms.questions import FIELD_TYPES, LikertField, field_name, input_name
from surveyapp.forms.translations import TranslatedForm

#: HTML names of the fields that are not answers (item keys never start with "_").
TOKEN_FIELD = "_token"  # noqa: S105 - a field name, not a secret
HONEYPOT_FIELD = "_website"
AGENCY_FIELD = "_agency"
DOSSIER_FIELD = "_dossier"
KIND_ORDER = ("department", "district", "other")
#: A question's own closing colon (ASCII or full-width), dropped before the summary's.
COLONS = ":\uff1a"
SENTENCE_ENDS = (".", "?", "!", "\u2026", "\uff1f")


class FormData(Protocol):
    """The part of a werkzeug ``MultiDict`` (such as ``request.form``) read here."""

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class AgencyChoice:
    code: str
    name: str
    kind: str


class PublicForm(TranslatedForm):
    """Base of every public form; the signed token replaces the session CSRF token."""

    class Meta:
        csrf = False

    token = HiddenField(name=TOKEN_FIELD)
    homepage = StringField(name=HONEYPOT_FIELD, id="hp-website")


def build_form(
    definition: Questionnaire,
    lang: str,
    *,
    agencies: Sequence[AgencyChoice] | None = None,
    dossier: bool = False,
    questions: bool = True,
) -> type[PublicForm]:
    """Return a form class for ``definition`` labelled in ``lang``.

    ``agencies`` (city portal) adds a required agency choice grouped by kind;
    ``dossier`` adds the dossier code field. With ``questions=False`` the class has
    no question fields, only the token, the honeypot and the optional agency and
    dossier fields (for a page whose question HTML is rendered elsewhere).
    """
    attrs: dict[str, Any] = {}
    if questions:
        for item in definition.items():
            attrs[field_name(item)] = FIELD_TYPES[item.type].build(item, lang)
    if agencies is not None:
        choices = [SelectChoice("", _("Choose an agency"))]
        for kind in KIND_ORDER:
            label = kind_label(kind)
            choices.extend(
                SelectChoice(a.code, a.name, optgroup=label) for a in agencies if a.kind == kind
            )
        attrs["agency"] = SelectField(
            name=AGENCY_FIELD, id="agency", choices=choices, validate_choice=False
        )
    if dossier:
        attrs["dossier"] = StringField(name=DOSSIER_FIELD, id="dossier")
    return type("QuestionnaireForm", (PublicForm,), attrs)


def kind_label(kind: str) -> str:
    labels = {
        "department": _("Departments and agencies"),
        "district": _("Districts"),
        "other": _("Other agencies"),
    }
    return labels[kind]


def raw_answers(form: PublicForm, definition: Questionnaire) -> dict[str, object]:
    """Return what the respondent sent for each item, keyed by item key."""
    return {
        item.key: FIELD_TYPES[item.type].raw(getattr(form, field_name(item)))
        for item in definition.items()
    }


def answers_from_formdata(definition: Questionnaire, formdata: FormData) -> dict[str, object]:
    """Return what the respondent sent for each item, keyed by item key, without WTForms.

    Gives the same dict as ``raw_answers(build_form(definition, lang)(formdata=formdata),
    definition)`` for any ``lang`` (labels do not change answers), at a fraction of the
    cost: each item's values are read with ``formdata.getlist`` under its HTML name.
    """
    return {
        item.key: FIELD_TYPES[item.type].raw_from(formdata.getlist(input_name(item)))
        for item in definition.items()
    }


@dataclass
class Row:
    """One answerable item on the page (a question, or one row of a grid)."""

    key: str
    field: Field
    label: str
    help: str | None
    required: bool
    control_id: str
    attrs: dict[str, Any]
    error: str | None = None
    low_label: str | None = None
    high_label: str | None = None
    #: Ids of the help, condition note and error texts that describe the control.
    describedby: str = ""

    def control_attrs(self) -> dict[str, Any]:
        """Return the HTML attributes of a single control (text, number, date)."""
        attrs = dict(self.attrs)
        if self.describedby:
            attrs["aria-describedby"] = self.describedby
        if self.error:
            attrs["aria-invalid"] = "true"
        if self.required:
            attrs["aria-required"] = "true"
        return attrs


@dataclass
class Condition:
    """A ``show_if``: the controlling item, its accepted values and the no-JS note."""

    question: str
    values_json: str
    note: str


@dataclass
class Block:
    """A question as shown: one row, or a grid of likert rows under one stem."""

    key: str
    macro: str
    title: str
    rows: list[Row]
    help: str | None = None
    required: bool = False
    condition: Condition | None = None
    columns: list[str] = field(default_factory=list)

    @property
    def has_error(self) -> bool:
        return any(r.error for r in self.rows)


@dataclass
class SectionView:
    key: str
    title: str
    description: str | None
    blocks: list[Block]


@dataclass
class ErrorLink:
    target: str
    text: str


def error_text(label: str, message: str) -> str:
    """Return an error summary line: the question, then the message.

    One colon between them, the question's own dropped; after a question mark or a
    full stop the message follows as a sentence of its own.
    """
    question = label.rstrip().rstrip(COLONS).rstrip()
    separator = " " if question.endswith(SENTENCE_ENDS) else ": "
    return f"{question}{separator}{message}"


def _condition(definition: Questionnaire, item: Item, lang: str) -> Condition | None:
    rule = item.show_if
    if rule is None:
        return None
    source = definition.item(rule.question)
    names: dict[str, str] = {}
    if source.scale is not None:
        names = {str(s.value): s.label.get(lang) for s in source.scale.steps}
    names.update({o.key: o.label.get(lang) for o in source.options})
    shown = [names.get(str(v), str(v)) for v in rule.values]
    question = source.text.get(lang)
    note = _(
        "Answer this question only if your answer to “%(question)s” was %(values)s.",
        question=question,
        values=_(" or ").join(f"“{v}”" for v in shown),
    )
    return Condition(
        question=rule.question, values_json=json.dumps([str(v) for v in rule.values]), note=note
    )


def page_of(
    form: PublicForm,
    definition: Questionnaire,
    lang: str,
    errors: Mapping[str, str] | None = None,
) -> tuple[list[SectionView], list[ErrorLink]]:
    """Lay ``form`` out by section and block; return it with the error summary links."""
    errors = errors or {}
    sections: list[SectionView] = []
    links: list[ErrorLink] = []
    by_section: dict[str, list[Block]] = {}
    for item in definition.items():
        kind = FIELD_TYPES[item.type]
        bound = getattr(form, field_name(item))
        row = Row(
            key=item.key,
            field=bound,
            label=item.text.get(lang),
            help=item.help.get(lang) if item.help else None,
            required=item.required,
            control_id=kind.first_control_id(bound),
            attrs=kind.attributes(item),
            error=errors.get(item.key),
            low_label=item.low_label.get(lang) if item.low_label else None,
            high_label=item.high_label.get(lang) if item.high_label else None,
        )
        condition = _condition(definition, item, lang)
        ids = [f"h-{item.key}" if row.help else "", f"e-{item.key}" if row.error else ""]
        if condition is not None and item.stem is None:
            ids.insert(1, f"n-{item.key}")
        row.describedby = " ".join(i for i in ids if i)
        if row.error:
            # The question's block (fieldset or labelled div, ``b-KEY``): its legend and
            # message show when the link is followed, not only its first radio button.
            links.append(ErrorLink(f"b-{item.key}", error_text(row.label, row.error)))
        blocks = by_section.setdefault(item.section, [])
        if item.stem is not None:
            if blocks and blocks[-1].key == item.question and blocks[-1].macro == "grid":
                blocks[-1].rows.append(row)
                continue
            columns = LikertField().labels(item, lang)
            blocks.append(
                Block(
                    key=item.question,
                    macro="grid",
                    title=item.stem.get(lang),
                    rows=[row],
                    required=item.required,
                    condition=condition,
                    columns=columns,
                )
            )
            continue
        blocks.append(
            Block(
                key=item.key,
                macro=kind.macro,
                title=row.label,
                rows=[row],
                help=row.help,
                required=item.required,
                condition=condition,
            )
        )
    for section in definition.sections:
        sections.append(
            SectionView(
                key=section.key,
                title=section.title.get(lang),
                description=section.description.get(lang) if section.description else None,
                blocks=by_section.get(section.key, []),
            )
        )
    return sections, links
