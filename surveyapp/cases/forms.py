"""Forms of the cases console; each Flask-WTF form carries its own CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from surveyapp.forms.translations import TranslatedForm
from surveyapp.models.feedback import MAX_ANSWER_TEXT, MAX_DEADLINE_DAYS


class AnswerForm(TranslatedForm):
    """The agency's answer to a case, shown to the respondent by receipt code."""

    answer = TextAreaField(
        _("Answer to the respondent"), validators=[InputRequired(), Length(max=MAX_ANSWER_TEXT)]
    )


class CloseForm(TranslatedForm):
    """Close an answered case."""


class DeadlineForm(TranslatedForm):
    """An agency's deadline for answering new cases."""

    days = IntegerField(
        _("Working days to answer (Monday to Friday)"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_DEADLINE_DAYS)],
    )
