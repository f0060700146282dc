"""A small generated data set loaded through the real CLI, and its raw answers in pandas.

The data frame is what the test wrote to the CSV, so expected values computed from it
with pandas/scipy/pingouin are independent of everything in ``surveyapp.reporting``.
"""

from __future__ import annotations

import csv as _csv
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from surveyapp.config import PACKAGE_DIR
from surveyapp.db import Database
from surveyapp.definitions import load_questionnaire
from surveyapp.models import Agency
from surveyapp.services.questionnaires import get_version
from surveyapp.services.responses import NewResponse, check_answers, store_responses

QUESTIONNAIRES = PACKAGE_DIR.parent / "questionnaires"
SIPAS = load_questionnaire(QUESTIONNAIRES / "sipas.yaml")
SCORED = [i.key for i in SIPAS.scored_items()]
DIMENSIONS = {d.key: list(d.items) for d in SIPAS.dimensions() if d.items}
ALLOW_NA = {i.key for i in SIPAS.items() if i.allow_na}
FEEDBACK = set(DIMENSIONS["feedback"])
SATISFIED = {4, 5}
AGENCIES = {
    "AAA": 70,  # large
    "BBB": 35,
    "CCC": 1,  # a single respondent
    "DDD": 0,  # no responses at all
    "EEE": 6,  # every answer is 4, in March 2018 only (with FFF)
    "FFF": 5,
}


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


@dataclass
class Loaded:
    frame: pd.DataFrame  # one row per accepted response; NaN = no answer; "na" kept apart
    na: pd.DataFrame  # True where the answer was "not applicable"
    run: Callable[..., dict[str, Any]]
    db: Database


def _draw(rng: np.random.Generator) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    rows: list[dict[str, Any]] = []
    shift = {"AAA": 0.4, "BBB": -0.3, "CCC": 0.0}
    for code in ("AAA", "BBB", "CCC"):
        for _ in range(AGENCIES[code]):
            day = dt.date(2017, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
            minute = int(rng.integers(7 * 60, 17 * 60))
            row: dict[str, Any] = {
                "agency": code,
                "submitted_at": f"{day}T{minute // 60:02d}:{minute % 60:02d}:00",
                "respondent_type": rng.choice(["business", "citizen"]),
                "timeliness": rng.choice(["early", "on_time", "late"]),
                "gave_feedback": rng.choice(["yes", "no", "no"]),
            }
            person = rng.normal(3.4 + shift[code], 0.7)
            for key in SCORED:
                if key in FEEDBACK and row["gave_feedback"] != "yes":
                    continue
                u = rng.random()
                if u < 0.05:
                    continue  # missing
                if key in ALLOW_NA and u < 0.13:
                    row[key] = "na"
                    continue
                row[key] = int(np.clip(np.rint(person + rng.normal(0, 0.8)), 1, 5))
            if rng.random() > 0.05:
                row["overall_satisfaction"] = int(np.clip(np.rint(person), 1, 5))
            if rng.random() > 0.1:
                row["recommend"] = int(np.clip(np.rint(2.2 * person - 1 + rng.normal()), 0, 10))
            rows.append(row)
    # Date bounds are local days: 23:30 on 30 June is June; 00:10 on 1 July is July
    # (but still 30 June in UTC).
    rows[3]["agency"] = rows[4]["agency"] = "BBB"
    rows[3]["submitted_at"] = "2017-06-30T23:30:00"
    rows[4]["submitted_at"] = "2017-07-01T00:10:00"
    for code in ("EEE", "FFF"):
        for i in range(AGENCIES[code]):
            row = {"agency": code, "submitted_at": f"2018-03-{10 + i:02d}T09:00:00"}
            row.update({k: 4 for k in SCORED if k not in FEEDBACK})
            row.update(overall_satisfaction=4, recommend=8, respondent_type="citizen")
            rows.append(row)
    return rows, []


@pytest.fixture
def loaded(cli: Any, db: Database, tmp_path: Path) -> Loaded:
    assert cli("questionnaires", "load", str(QUESTIONNAIRES)).exit_code == 0
    for code in AGENCIES:
        result = cli(
            "agencies", "add", code, "--name-vi", f"Cơ quan {code}", "--name-en",
            f"Agency {code}", "--kind", "department",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    rows, _ = _draw(np.random.default_rng(20240611))
    columns = ["agency", "submitted_at", "respondent_type", "timeliness", "gave_feedback",
               *SCORED, "overall_satisfaction", "recommend"]  # fmt: skip
    raw = pd.DataFrame(rows, columns=columns)
    csv = tmp_path / "responses.csv"
    with csv.open("w", encoding="utf-8", newline="") as handle:
        writer = _csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([["" if row.get(c) is None else str(row[c]) for c in columns]
                          for row in rows])  # fmt: skip
    result = cli("responses", "import", str(csv), "--questionnaire", "sipas")
    assert result.exit_code == 0, result.output
    numeric = [*SCORED, "overall_satisfaction", "recommend"]
    na = raw[numeric] == "na"
    frame = raw.copy()
    frame[numeric] = raw[numeric].replace("na", np.nan).astype(float)
    frame["local"] = pd.to_datetime(raw["submitted_at"])
    # Responses that must never count: quarantined and deleted, all answers 1.
    with db.write() as session:
        version = get_version(session, "sipas")
        agency_id = session.scalar(select(Agency.id).where(Agency.code == "AAA"))
        answers = check_answers(
            SIPAS, {k: "1" for k in [*SCORED, "overall_satisfaction"]}, require=False
        )
        when = dt.datetime(2017, 5, 5, 3, tzinfo=dt.UTC)
        store_responses(
            session,
            [
                NewResponse(
                    questionnaire_version_id=version.id,
                    agency_id=agency_id,
                    channel="web",
                    answers=answers.answers,
                    submitted_at=when,
                    status=status,
                    quarantine_reason="honeypot" if status == "quarantined" else None,
                )
                for status in ("quarantined", "deleted")
            ],
        )

    def run(*args: str) -> dict[str, Any]:
        out = tmp_path / "report.json"
        result = cli("report", *args, "--format", "json", "-o", str(out))
        assert result.exit_code == 0, result.output
        return _strict_json(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    return Loaded(frame, na, run, db)
