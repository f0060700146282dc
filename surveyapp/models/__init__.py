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
from surveyapp.models.public import DossierCode, DossierRequirement

__all__ = [
    "AGENCY_KINDS",
    "CHANNELS",
    "NAMING_CONVENTION",
    "STATUSES",
    "Agency",
    "AgencyOrigin",
    "Answer",
    "Base",
    "DossierCode",
    "DossierRequirement",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "UTCDateTime",
    "utcnow",
]
