"""How each question type becomes a form field: one class per type, in ``FIELD_TYPES``.

A class builds the WTForms field of an item, names the template macro that
renders it, and reads the raw answer back out of the bound field (``raw``) or,
without WTForms, straight out of the values the form data holds for the field
(``raw_from``, the fast path of a submission). The answer
rules themselves (ranges, options, required) live in ``surveyapp.definitions``:
the form only carries what the respondent sent to ``check_answers``.
Adding a question type means adding a class here and registering it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from surveyapp.definitions import NA_LABEL, NA_VALUE, Item


def field_name(item: Item) -> str:
    """Return the form attribute of ``item`` (prefixed: keys may shadow Form methods)."""
    return f"q_{item.key}"


def input_name(item: Item) -> str:
    """Return the HTML name of ``item``'s control: the form data key of its answer."""
    return item.key


def field_id(item: Item) -> str:
    """Return the HTML id of ``item``'s control (prefixed: keys may equal page ids)."""
    return f"q-{item.key}"


class FieldType:
    """Base class: how one question type is shown and read back."""

    type: ClassVar[str]
    #: Name of the macro in templates/public/fields.html that renders the field.
    macro: ClassVar[str]
    #: Whether the control is a group of radio buttons or checkboxes (a fieldset).
    grouped: ClassVar[bool] = True

    def build(self, item: Item, lang: str) -> Any:
        """Return the unbound WTForms field for ``item`` labelled in ``lang``."""
        raise NotImplementedError

    def raw(self, field: Field) -> object:
        """Return what the respondent sent, as ``coerce_answer`` expects it.

        Several values for a one-answer question come back as a list, which
        ``coerce_answer`` refuses, instead of silently keeping the first.
        """
        sent = field.raw_data or []
        if len(sent) > 1:
            return list(sent)
        return field.data

    def raw_from(self, values: list[str]) -> object:
        """Return what ``raw`` returns for the field bound to form data holding ``values``.

        ``values`` is the form data's ``getlist`` of the field's name (empty when the
        name is absent). The base mirrors a WTForms ``StringField``: the first value
        as sent, or None when the name is absent (a name sent empty gives ``""``).
        """
        if len(values) > 1:
            return list(values)
        return values[0] if values else None

    def first_control_id(self, field: Field) -> str:
        """Return the id the error summary links to (the first radio of a group)."""
        return f"{field.id}-0" if self.grouped else str(field.id)

    def attributes(self, item: Item) -> dict[str, Any]:
        """Return extra HTML attributes of the control."""
        return {}


def _kwargs(item: Item) -> dict[str, Any]:
    return {"name": input_name(item), "id": field_id(item)}


class RadioFieldType(FieldType):
    """Base of the types shown as a WTForms ``RadioField`` (``coerce=str``)."""

    def raw_from(self, values: list[str]) -> object:
        """Mirror ``RadioField``: the first value through ``str``, None when none was sent."""
        if len(values) > 1:
            return list(values)
        return str(values[0]) if values else None


class LikertField(RadioFieldType):
    """Radio buttons, one per scale step, plus "not applicable" when allowed."""

    type = "likert"
    macro = "likert"

    def build(self, item: Item, lang: str) -> Any:
        steps = item.scale.steps if item.scale else ()
        choices = [SelectChoice(str(s.value), s.label.get(lang)) for s in steps]
        if item.allow_na:
            choices.append(SelectChoice(NA_VALUE, NA_LABEL.get(lang)))
        return RadioField(choices=choices, validate_choice=False, **_kwargs(item))

    def labels(self, item: Item, lang: str) -> list[str]:
        """Return the labels of the answers, in order (a grid's column headers)."""
        labels = [s.label.get(lang) for s in item.scale.steps] if item.scale else []
        return labels + ([NA_LABEL.get(lang)] if item.allow_na else [])


class SingleChoiceField(RadioFieldType):
    """Radio buttons, one per option."""

    type = "single_choice"
    macro = "choices"

    def build(self, item: Item, lang: str) -> Any:
        choices = [SelectChoice(o.key, o.label.get(lang)) for o in item.options]
        return RadioField(choices=choices, validate_choice=False, **_kwargs(item))


class MultipleChoiceField(FieldType):
    """Checkboxes, one per option; the answer is the list of checked keys."""

    type = "multiple_choice"
    macro = "choices"

    def build(self, item: Item, lang: str) -> Any:
        choices = [SelectChoice(o.key, o.label.get(lang)) for o in item.options]
        return SelectMultipleField(
            choices=choices,
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
            **_kwargs(item),
        )

    def raw(self, field: Field) -> object:
        return list(field.data or [])

    def raw_from(self, values: list[str]) -> object:
        """Mirror ``SelectMultipleField``: every value through ``str``; none gives ``[]``."""
        return [str(v) for v in values]


class RatingField(RadioFieldType):
    """Eleven radio buttons 0-10 between the item's end labels."""

    type = "rating"
    macro = "rating"

    def build(self, item: Item, lang: str) -> Any:
        choices = [SelectChoice(str(v)) for v in range(11)]
        return RadioField(choices=choices, validate_choice=False, **_kwargs(item))


class TextInputField(FieldType):
    """One line of text; subclasses set the input type and keyboard."""

    type = "short_text"
    macro = "text"
    grouped = False

    def build(self, item: Item, lang: str) -> Any:
        return StringField(**_kwargs(item))

    def attributes(self, item: Item) -> dict[str, Any]:
        return {"maxlength": item.max_length} if item.max_length else {}


class NumberField(TextInputField):
    """A number typed as text with a numeric keyboard (type=number loses input)."""

    type = "number"

    def attributes(self, item: Item) -> dict[str, Any]:
        return {"inputmode": "numeric" if item.integer else "decimal", "autocomplete": "off"}


class DateField(TextInputField):
    """A date picker; without one the browser shows a text box for YYYY-MM-DD."""

    type = "date"

    def attributes(self, item: Item) -> dict[str, Any]:
        return {"type": "date", "pattern": r"\d{4}-\d{2}-\d{2}"}


class LongTextField(TextInputField):
    """Several lines of text."""

    type = "long_text"
    macro = "textarea"

    def build(self, item: Item, lang: str) -> Any:
        return TextAreaField(**_kwargs(item))

    def attributes(self, item: Item) -> dict[str, Any]:
        return {"maxlength": item.max_length, "rows": 5} if item.max_length else {"rows": 5}


FIELD_TYPES: dict[str, FieldType] = {
    t.type: t
    for t in (
        LikertField(),
        SingleChoiceField(),
        MultipleChoiceField(),
        RatingField(),
        TextInputField(),
        NumberField(),
        DateField(),
        LongTextField(),
    )
}
