"""Questionnaire definitions: safe YAML loading, validation, the model and answer coercion.

This package imports neither Flask nor the database; see docs/questionnaire-format.md.
"""

from __future__ import annotations

from surveyapp.definitions.answers import coerce_answer, is_empty, visible
from surveyapp.definitions.errors import AnswerError, AnswersError, DefinitionError, Problem
from surveyapp.definitions.loading import (
    MAX_BYTES,
    check_file,
    check_text,
    load_questionnaire,
    parse_text,
)
from surveyapp.definitions.model import (
    NA_LABEL,
    NA_VALUE,
    Dimension,
    GridRow,
    Item,
    Option,
    Question,
    Questionnaire,
    Scale,
    ScaleStep,
    Scoring,
    Section,
    ShowIf,
    StoredAnswer,
    Text,
    Weighting,
    WeightTarget,
)
from surveyapp.definitions.types import QUESTION_TYPES, QuestionType

__all__ = [
    "MAX_BYTES",
    "NA_LABEL",
    "NA_VALUE",
    "QUESTION_TYPES",
    "AnswerError",
    "AnswersError",
    "DefinitionError",
    "Dimension",
    "GridRow",
    "Item",
    "Option",
    "Problem",
    "Question",
    "QuestionType",
    "Questionnaire",
    "Scale",
    "ScaleStep",
    "Scoring",
    "Section",
    "ShowIf",
    "StoredAnswer",
    "Text",
    "WeightTarget",
    "Weighting",
    "check_file",
    "check_text",
    "coerce_answer",
    "is_empty",
    "load_questionnaire",
    "parse_text",
    "visible",
]
