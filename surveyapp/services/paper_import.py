"""Importing responses collected on paper at one-stop-shop counters, from CSV.

The header row names question keys, plus optional ``agency``, ``submitted_at``
(ISO 8601; without an offset it is local time in the platform's time zone)
and ``channel`` columns. Likert answers are numbers or ``na``; an empty cell is
no answer (even for a required question: a paper form cannot insist); choices
are option keys, several joined with ``;``. Every cell is checked; any error
rolls the whole import back.
"""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.definitions import Questionnaire
from surveyapp.errors import InputError
from surveyapp.models import CHANNELS, Agency, QuestionnaireVersion, utcnow
from surveyapp.reporting import folding
from surveyapp.services.questionnaires import definition_of
from surveyapp.services.responses import NewResponse, check_answers, store_responses

META_COLUMNS = ("agency", "submitted_at", "channel")
BATCH = 5000
MAX_REPORTED_ERRORS = 200


@dataclass(frozen=True)
class ImportSummary:
    imported: int
    ignored_hidden_answers: int


def _parse_time(raw: str, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    value = dt.datetime.fromisoformat(raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(dt.UTC)


def _raw_answer(definition: Questionnaire, key: str, cell: str) -> object:
    cell = cell.strip()
    if cell == "":
        return None
    if definition.item(key).type == "multiple_choice":
        return [part.strip() for part in cell.split(";") if part.strip()]
    return cell


def _check_header(definition: Questionnaire, header: list[str], fixed_agency: bool) -> list[str]:
    errors: list[str] = []
    keys = {item.key for item in definition.items()}
    seen: set[str] = set()
    for number, name in enumerate(header, start=1):
        if name in seen:
            errors.append(f"row 1, column {name}: appears twice")
        seen.add(name)
        if name not in keys and name not in META_COLUMNS:
            errors.append(
                f"row 1, column {name or number}: not a question of {definition.slug} "
                f"nor one of {', '.join(META_COLUMNS)}"
            )
    if fixed_agency and "agency" in seen:
        errors.append("row 1, column agency: give either --agency or an agency column, not both")
    if not fixed_agency and "agency" not in seen:
        errors.append("row 1: no agency column; add one or give --agency")
    return errors


def _rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines, strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise csv.Error(f"row {reader.line_num + 1}: {exc}") from None


def import_responses(
    session: Session,
    version: QuestionnaireVersion,
    lines: Iterable[str],
    *,
    agency_code: str | None = None,
    timezone: str = "Asia/Ho_Chi_Minh",
) -> ImportSummary:
    """Check and store every row of a CSV in the caller's transaction.

    Raises InputError listing ``row N, column X: message`` for every problem;
    the caller's transaction must then be rolled back (nothing is imported).
    """
    definition = definition_of(version)
    tz = zoneinfo.ZoneInfo(timezone)
    agencies = {
        code: agency_id
        for code, agency_id in session.execute(
            select(Agency.code, Agency.id).where(Agency.active)
        ).all()
    }
    fixed_agency_id: int | None = None
    if agency_code is not None:
        fixed_agency_id = agencies.get(agency_code.strip().upper())
        if fixed_agency_id is None:
            raise InputError(f"--agency: no active agency with code {agency_code!r}")
    rows = _rows(line.removeprefix("\ufeff") if i == 0 else line for i, line in enumerate(lines))
    errors: list[str] = []
    try:
        first = next(rows, None)
        if first is None:
            raise InputError("the file is empty; the first row must name the columns")
        header = [name.strip() for name in first[1]]
        errors.extend(_check_header(definition, header, fixed_agency_id is not None))
        if errors:
            raise InputError(errors)
        now = utcnow()
        batch: list[NewResponse] = []
        imported = ignored = 0
        for row_number, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                errors.append(
                    f"row {row_number}: {len(cells)} cells where the header has {len(header)}"
                )
                continue
            record = dict(zip(header, cells, strict=True))
            row_errors: list[str] = []
            agency_id = fixed_agency_id
            if agency_id is None:
                code = record["agency"].strip().upper()
                agency_id = agencies.get(code)
                if agency_id is None:
                    row_errors.append(f"row {row_number}, column agency: no agency {code!r}")
            submitted_at = now
            if record.get("submitted_at", "").strip():
                try:
                    submitted_at = _parse_time(record["submitted_at"].strip(), tz)
                except ValueError:
                    row_errors.append(
                        f"row {row_number}, column submitted_at: not an ISO 8601 date and time"
                    )
                else:
                    if submitted_at > now:
                        row_errors.append(
                            f"row {row_number}, column submitted_at: is in the future"
                        )
            channel = record.get("channel", "").strip() or "paper"
            if channel not in CHANNELS:
                row_errors.append(
                    f"row {row_number}, column channel: must be one of {', '.join(CHANNELS)}"
                )
            raw = {
                key: _raw_answer(definition, key, cell)
                for key, cell in record.items()
                if key not in META_COLUMNS
            }
            checked = check_answers(definition, raw, require=False)
            row_errors.extend(
                f"row {row_number}, column {e.item_key}: {e.message_en}" for e in checked.errors
            )
            if row_errors or agency_id is None:
                errors.extend(row_errors)
                if len(errors) >= MAX_REPORTED_ERRORS:
                    errors.append(f"stopped after {len(errors)} errors")
                    break
                continue
            if errors:
                continue  # keep checking, but store nothing more
            ignored += len(checked.ignored)
            batch.append(
                NewResponse(
                    questionnaire_version_id=version.id,
                    agency_id=agency_id,
                    channel=channel,
                    answers=checked.answers,
                    submitted_at=submitted_at,
                )
            )
            if len(batch) >= BATCH:
                imported += len(store_responses(session, batch))
                batch = []
    except csv.Error as exc:
        errors.append(str(exc))
    if errors:
        raise InputError(errors)
    imported += len(store_responses(session, batch))
    if imported == 0:
        raise InputError("the file has a header but no responses")
    # A large import goes into the report aggregates now, not one fold at a time.
    folding.fold_all(session, timezone)
    return ImportSummary(imported=imported, ignored_hidden_answers=ignored)
