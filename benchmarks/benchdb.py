"""Database set-up shared by the benchmark scripts that drive a live server."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def prepare(url: str, definition: Path, agency_code: str) -> None:
    """Migrate ``url``, load one questionnaire file and one agency without origins."""
    sys.path.insert(0, str(REPO))
    from surveyapp import schema
    from surveyapp.db import Database, make_engine
    from surveyapp.services.agencies import AgencyInput, add_agency
    from surveyapp.services.questionnaires import load_files

    engine = make_engine(url)
    schema.upgrade(engine)
    with Database(engine).write() as session:
        load_files(session, [definition])
        add_agency(session, AgencyInput(agency_code, "Quận 1", "District 1", "district", []))
    engine.dispose()
