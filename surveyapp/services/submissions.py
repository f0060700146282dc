"""Accepting a public submission: token, origin, idempotency, answers, quarantine, storage.

One entry point, ``submit``, serves the HTML form and the JSON API. In order:
the signed token is checked (signature, age, questionnaire, agency); the
request's origin must be the app's own or one the agency listed; a nonce seen
before returns the original receipt and stores nothing; answers are checked by
the definition's rules; a filled honeypot or a too quick submission is stored
as quarantined (held for review, never dropped); then the response and all its
answers (and the dossier code's use) are written in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from surveyapp.db import Database
from surveyapp.definitions import AnswerError, Questionnaire
from surveyapp.embedding import OriginRefusedError, check_request_origin
from surveyapp.errors import NotFoundError
from surveyapp.models import Agency, QuestionnaireVersion, Response, utcnow
from surveyapp.reporting.extract import current_timezone
from surveyapp.services import counter_channel, dossiers, public_config, report_folding
from surveyapp.services.counter_channel import CounterFields
from surveyapp.services.public_config import AgencyInfo, Snapshot, VersionInfo
from surveyapp.services.responses import NewResponse, check_answers, store_responses
from surveyapp.tokens import FormToken, TokenError, read_token

AGENCY_KEY = "_agency"
DOSSIER_KEY = "_dossier"
TOKEN_KEY = "_token"  # noqa: S105 - a field name, not a secret


#: Reason of a refusal because the questionnaire is closed (admin console, period).
CLOSED = "the questionnaire is closed for this agency"


class SubmissionRefusedError(Exception):
    """The request itself is refused (not the answers); ``status`` is the HTTP status."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Submission:
    """What one request submits."""

    slug: str
    token: str
    answers: Mapping[str, object]
    channel: str
    #: The agency code in the form's URL ("" on the city portal; None: no URL, the API).
    agency_code: str | None = None
    #: The agency the respondent chose on the city portal.
    chosen_agency: str | None = None
    honeypot: str = ""
    dossier_code: str | None = None
    #: Request headers Origin, Sec-Fetch-Site and Referer, when sent.
    headers: Mapping[str, str] = field(default_factory=dict)
    #: Refuse answers to keys the questionnaire does not have (the JSON API).
    reject_unknown: bool = False
    #: A counter rating's counter, officer, time given and device nonce (kiosk pages).
    counter: CounterFields | None = None


@dataclass(frozen=True)
class Policy:
    """Settings of the checks."""

    secret_key: str
    #: The app's own origins (its public URL's and the request's).
    app_origins: frozenset[str]
    token_max_age: int
    min_fill_seconds: float
    #: The JSON API accepts requests with no browser origin headers (kiosk programs).
    allow_headerless: bool = False


@dataclass(frozen=True)
class Stored:
    """The submission is stored (now, or earlier when ``replayed``)."""

    receipt: str
    replayed: bool
    quarantined: bool


@dataclass(frozen=True)
class Invalid:
    """Answers or choices were refused; nothing was stored."""

    errors: list[AnswerError]
    #: The questionnaire version answered (the form to show again).
    version_id: int | None = None


@dataclass(frozen=True)
class FormContext:
    """What a form needs once its token is read: the version, definition and agency."""

    version: VersionInfo
    definition: Questionnaire
    agency: AgencyInfo | None
    token: FormToken
    #: The settings the token was checked against.
    config: Snapshot


def read_form_token(
    session: Session | Connection, submission: Submission, policy: Policy
) -> FormContext:
    """Check the token against the questionnaire and agency of the request."""
    return _read_form_token(public_config.current(session), session, submission, policy)


def _read_form_token(
    config: Snapshot, session: Session | Connection, submission: Submission, policy: Policy
) -> FormContext:
    try:
        token = read_token(policy.secret_key, submission.token, max_age=policy.token_max_age)
    except TokenError as exc:
        if exc.reason == "expired":
            raise
        raise SubmissionRefusedError(
            400, "the form token is missing, malformed or tampered"
        ) from None
    version = config.versions.get(token.questionnaire_version_id)
    if version is None or version.slug != submission.slug:
        raise SubmissionRefusedError(400, "the form token belongs to another questionnaire")
    agency: AgencyInfo | None = None
    if token.agency_id is not None:
        agency = config.agencies_by_id.get(token.agency_id)
        named = [c for c in (submission.agency_code, submission.chosen_agency) if c is not None]
        if agency is None or any(agency.code != c.strip().upper() for c in named):
            raise SubmissionRefusedError(400, "the form token belongs to another agency")
        if not agency.active:
            raise SubmissionRefusedError(410, "the agency no longer takes part in surveys")
    elif submission.agency_code:
        raise SubmissionRefusedError(400, "the form token belongs to the city portal form")
    return FormContext(version, config.definition(session, version), agency, token, config)


def _receipt_of_nonce(session: Session | Connection, nonce: str) -> Stored | None:
    row = session.execute(
        select(Response.receipt_code, Response.status).where(Response.submission_nonce == nonce)
    ).first()
    if row is None:
        return None
    return Stored(receipt=row[0], replayed=True, quarantined=row[1] == "quarantined")


def _check_origin(submission: Submission, policy: Policy, extra: Iterable[str]) -> None:
    try:
        check_request_origin(
            submission.headers,
            policy.app_origins | set(extra),
            allow_headerless=policy.allow_headerless,
        )
    except OriginRefusedError as exc:
        raise SubmissionRefusedError(403, exc.reason) from None


def submit(
    db: Database,
    submission: Submission,
    policy: Policy,
    *,
    read_answers: Callable[[Questionnaire], Mapping[str, object]] | None = None,
) -> Stored | Invalid:
    """Check and store one submission; see the module docstring for the order of checks.

    ``read_answers``, when given, reads the submission's answers once the token has
    named the questionnaire version (the HTML form's fields depend on it); it
    replaces ``submission.answers``. Raises SubmissionRefusedError for a bad token,
    origin or agency (nothing stored) and TokenError("expired") for a form left
    open longer than the token's lifetime.
    """
    # Core connections, no ORM session: this path runs for every submission.
    with db.connect() as session:
        context = counter_channel.adopt(
            read_form_token(session, submission, policy), submission.counter
        )
        config = context.config
        if read_answers is not None:
            submission = replace(submission, answers=read_answers(context.definition))
        errors: list[AnswerError] = []
        agency = context.agency
        if agency is None and submission.chosen_agency:
            agency = config.agency_by_code(submission.chosen_agency)
            if agency is not None and not agency.active:
                agency = None
        _check_origin(submission, policy, agency.origins if agency else ())
        if agency is not None and not config.takes_answers(
            agency.id, context.version.questionnaire_id, utcnow()
        ):
            # A form acknowledged before the questionnaire closed keeps its receipt.
            earlier = _receipt_of_nonce(session, context.token.nonce)
            if earlier is not None:
                return earlier
            raise SubmissionRefusedError(410, CLOSED)
        if agency is None:
            errors.append(
                AnswerError(
                    AGENCY_KEY,
                    "Choose the agency you dealt with.",
                    "Hãy chọn cơ quan mà ông/bà đã liên hệ giải quyết công việc.",
                )
            )
        checked = check_answers(context.definition, submission.answers)
        errors.extend(checked.errors)
        if submission.reject_unknown:
            known = {item.key for item in context.definition.items()}
            errors.extend(
                AnswerError(
                    str(key),
                    "This questionnaire has no such question.",
                    "Phiếu khảo sát không có câu hỏi này.",
                )
                for key in submission.answers
                if key not in known
            )
        code_id: int | None = None
        if agency is not None and config.needs_dossier(agency.id, context.version.questionnaire_id):
            code_id = _dossier_code_id(session, agency.id, submission.dossier_code, errors)
        if errors or agency is None:
            # A replay of an acknowledged form answers with its receipt, whatever it
            # sends now (its dossier code, for one, is used by then).
            earlier = _receipt_of_nonce(session, context.token.nonce)
            if earlier is not None:
                return earlier
    if errors or agency is None:
        return Invalid(errors, context.version.id)
    reason = _quarantine_reason(submission, context.token, policy)
    new = NewResponse(
        questionnaire_version_id=context.version.id,
        agency_id=agency.id,
        channel=submission.channel,
        answers=checked.answers,
        status="quarantined" if reason else "accepted",
        quarantine_reason=reason,
        submission_nonce=context.token.nonce,
    )
    try:
        # The replay check and the insert are one statement: a nonce stored already
        # (a replay, or one racing this one) writes nothing and gets its receipt.
        with db.write_connection() as session:
            stored = store_responses(session, [new], with_ids=True, new_nonce_only=True)
            if not stored:
                earlier = _receipt_of_nonce(session, context.token.nonce)
                if earlier is None:
                    raise SubmissionRefusedError(400, "the form token could not be used")
                return earlier
            ((receipt, response_id),) = stored
            counter_channel.record(session, response_id, submission.counter)
            if code_id is not None and not dossiers.claim(session, code_id, response_id):
                raise _CodeTakenError
    except _CodeTakenError:
        return Invalid([_code_used_error()], context.version.id)
    except IntegrityError:
        # A concurrent request with the same nonce committed first: answer as it did.
        with db.connect() as session:
            earlier = _receipt_of_nonce(session, context.token.nonce)
        if earlier is None:
            raise
        return earlier
    report_folding.after_submission(db, current_timezone())
    return Stored(receipt=receipt, replayed=False, quarantined=reason is not None)


class _CodeTakenError(Exception):
    """Raised inside the write transaction to roll it back."""


def _code_used_error() -> AnswerError:
    return AnswerError(
        DOSSIER_KEY,
        "This dossier code has already been used to answer, or is not known.",
        "Mã hồ sơ này đã được dùng để trả lời, hoặc không có trong danh sách.",
    )


def _dossier_code_id(
    session: Session | Connection, agency_id: int, raw: str | None, errors: list[AnswerError]
) -> int | None:
    if not raw or not raw.strip():
        errors.append(
            AnswerError(
                DOSSIER_KEY,
                "Enter the dossier code printed on your receipt.",
                "Hãy nhập mã hồ sơ in trên giấy tiếp nhận hồ sơ.",
            )
        )
        return None
    code_id = dossiers.unused_code_id(session, agency_id, raw)
    if code_id is None:
        errors.append(_code_used_error())
    return code_id


def _quarantine_reason(submission: Submission, token: FormToken, policy: Policy) -> str | None:
    if submission.honeypot.strip():
        return "honeypot"
    if time.time() - token.issued_at < policy.min_fill_seconds:
        return "too_fast"
    return None


@dataclass(frozen=True)
class OpenForm:
    """What rendering a form needs: the newest version, its agency or the agency choices."""

    version: VersionInfo
    definition: Questionnaire
    #: The agency the form is fixed to (None on the city portal).
    agency: AgencyInfo | None
    #: Active agencies to choose from on the city portal (empty otherwise).
    choices: Sequence[AgencyInfo]
    dossier_required: bool
    #: The stored definition (``Questionnaire.to_dict()``), as the JSON API returns it.
    document: Mapping[str, Any]
    #: The settings generation read (a prebuilt page is valid for this one only).
    generation: int = 0


def open_form(
    session: Session | Connection, slug: str, agency_code: str | None, version_id: int | None = None
) -> OpenForm:
    """Return the form of ``slug`` for an agency (or the portal when ``agency_code`` is None).

    ``version_id`` (from a token) picks the version answered; else the newest.
    Raises NotFoundError for an unknown questionnaire or agency and SubmissionRefusedError
    (410) for an inactive agency.
    """
    config = public_config.current(session)
    if version_id is not None:
        version = config.versions.get(version_id)
        if version is None or version.slug != slug:
            raise NotFoundError(f"no questionnaire {slug}")
    else:
        version = config.newest.get(slug)
        if version is None:
            raise NotFoundError(f"no questionnaire {slug}")
    agency: AgencyInfo | None = None
    choices: Sequence[AgencyInfo] = ()
    if agency_code is not None:
        agency = config.agency_by_code(agency_code)
        if agency is None:
            raise NotFoundError(f"no agency with code {agency_code!r}")
        if not agency.active:
            raise SubmissionRefusedError(410, "the agency no longer takes part in surveys")
        if not config.takes_answers(agency.id, version.questionnaire_id, utcnow()):
            raise SubmissionRefusedError(410, CLOSED)
    else:
        choices = config.portal_agencies
    required = agency is not None and config.needs_dossier(agency.id, version.questionnaire_id)
    return OpenForm(
        version,
        config.definition(session, version),
        agency,
        choices,
        required,
        config.document(session, version),
        config.generation,
    )


@dataclass(frozen=True)
class Receipt:
    receipt: str
    agency: Agency
    version: QuestionnaireVersion


def find_receipt(session: Session, slug: str, receipt: str) -> Receipt:
    """Return a stored response's receipt page data; NotFoundError when there is none."""
    response = session.scalar(
        select(Response)
        .where(Response.receipt_code == receipt)
        .options(
            selectinload(Response.agency).selectinload(Agency.origins),
            selectinload(Response.questionnaire_version).selectinload(
                QuestionnaireVersion.questionnaire
            ),
        )
    )
    if response is None or response.questionnaire_version.questionnaire.slug != slug:
        raise NotFoundError("no such receipt")
    return Receipt(response.receipt_code, response.agency, response.questionnaire_version)
