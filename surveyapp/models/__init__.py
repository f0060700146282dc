"""Database models. Each module owns one area; all share one metadata."""

from surveyapp.models.core import (
    AGENCY_KINDS,
    CHANNELS,
    NAMING_CONVENTION,
    STATUSES,
    Agency,
    AgencyOrigin,
    Answer,
    Base,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    UTCDateTime,
    utcnow,
)

__all__ = [
    "AGENCY_KINDS",
    "CHANNELS",
    "NAMING_CONVENTION",
    "STATUSES",
    "Agency",
    "AgencyOrigin",
    "Answer",
    "Base",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "UTCDateTime",
    "utcnow",
]
