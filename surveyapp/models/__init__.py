"""Database models. Each module owns one area; all share one metadata."""

from surveyapp.models import admin  # noqa: F401 - registers the admin console tables
from surveyapp.models.accounts import (
    ROLES,
    AuditEvent,
    LoginFailure,
    RecoveryCode,
    RolePolicy,
    User,
)
from surveyapp.models.aggregates import ReportAggregate, UnfoldedResponse
from surveyapp.models.alerts import AlertDelivery, AlertEvent, AlertRecipient, AlertSettings
from surveyapp.models.comments import CommentTopic
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
from surveyapp.models.counters import Counter, Kiosk
from surveyapp.models.feedback import (
    AgencyCaseSetting,
    CaseContact,
    FeedbackCase,
    PublishedPeriod,
)
from surveyapp.models.public import DossierCode, DossierRequirement
from surveyapp.models.registers import Register
from surveyapp.models.theme import AgencyLogo

__all__ = [
    "AGENCY_KINDS",
    "CHANNELS",
    "NAMING_CONVENTION",
    "ROLES",
    "STATUSES",
    "Agency",
    "AgencyCaseSetting",
    "AgencyLogo",
    "AgencyOrigin",
    "AlertDelivery",
    "AlertEvent",
    "AlertRecipient",
    "AlertSettings",
    "Answer",
    "AuditEvent",
    "Base",
    "CaseContact",
    "CommentTopic",
    "Counter",
    "DossierCode",
    "DossierRequirement",
    "FeedbackCase",
    "Kiosk",
    "LoginFailure",
    "PublishedPeriod",
    "Questionnaire",
    "QuestionnaireVersion",
    "RecoveryCode",
    "Register",
    "ReportAggregate",
    "Response",
    "RolePolicy",
    "UTCDateTime",
    "UnfoldedResponse",
    "User",
    "utcnow",
]
