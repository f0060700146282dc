"""The light city ranking an agency report is compared with equals the city report's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import itertools
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp.models import Agency
from surveyapp.renderers import pdf_agency
from surveyapp.renderers.document import AgencyDocument
from surveyapp.reporting import build
from surveyapp.reporting.extract import edge_of, utc_bounds
from surveyapp.reporting.ranking import CityRanking
from surveyapp.services.questionnaires import get_version
from tests.reporting.conftest import AGENCIES, Loaded

TZ = "Asia/Ho_Chi_Minh"
SPANS = [
    (None, None),
    (dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
    (dt.date(2017, 2, 14), dt.date(2017, 11, 3)),  # partial months read from raw rows
    (dt.date(2018, 3, 1), dt.date(2018, 3, 31)),  # only EEE and FFF answered
]


@pytest.mark.parametrize(("first", "last"), SPANS)
def test_ranking_has_the_city_reports_figures(
    loaded: Loaded, first: dt.date | None, last: dt.date | None
) -> None:
    with loaded.db.session() as session:
        city = build.city_report(session, slug="sipas", first=first, last=last, timezone=TZ)
        ranking = build.city_ranking(session, slug="sipas", first=first, last=last, timezone=TZ)
    assert ranking.questionnaire == city.questionnaire
    assert ranking.n_responses == city.n_responses
    assert ranking.index == city.index
    assert ranking.dimensions == city.dimensions
    fields = ("code", "n", "index", "index_ci", "rank", "rank_lower", "rank_upper", "reliable")
    assert [tuple(getattr(r, f) for f in fields) for r in ranking.agencies] == [
        tuple(getattr(r, f) for f in fields) for r in city.agencies
    ]
    assert [r.code for r in ranking.agencies] == sorted(AGENCIES)  # every agency listed


def test_ranking_ranks_and_leaves_out_what_it_should(loaded: Loaded) -> None:
    with loaded.db.session() as session:
        ranking = build.city_ranking(session, slug="sipas", timezone=TZ)
    rows = {r.code: r for r in ranking.agencies}
    assert rows["DDD"].rank is None and rows["DDD"].n == 0  # no responses: not ranked
    ranked = sorted((r for r in ranking.agencies if r.rank is not None), key=lambda r: r.rank or 0)
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert all((a.index or 0) >= (b.index or 0) for a, b in itertools.pairwise(ranked))
    assert all((r.rank_lower or 0) <= (r.rank or 0) <= (r.rank_upper or 0) for r in ranked)
    assert ranking.n_responses == sum(AGENCIES.values())


def test_agency_pdf_is_the_same_with_the_ranking(loaded: Loaded) -> None:
    """The agency PDF shows the same text whichever city context it is given."""
    with loaded.db.session() as session:
        report = build.agency_report(session, "AAA", slug="sipas", timezone=TZ)
        city = build.city_report(session, slug="sipas", timezone=TZ)
        ranking = build.city_ranking(session, slug="sipas", timezone=TZ)
    assert isinstance(ranking, CityRanking)
    with_report = AgencyDocument(report, "district", city, (("web", report.n_responses),), (), 0)
    with_ranking = dataclasses.replace(with_report, city=ranking)
    assert with_ranking.city_row is not None and with_ranking.city_row.rank is not None
    assert with_ranking.ranked == with_report.ranked
    texts = []
    for doc in (with_report, with_ranking):
        reader = PdfReader(io.BytesIO(pdf_agency.render(doc)))
        texts.append("\n".join(page.extract_text() for page in reader.pages))
    assert texts[0] == texts[1]
    row = with_report.city_row
    assert row is not None
    assert f"{row.rank} / {with_report.ranked}" in texts[1]


def test_edge_of_finds_the_first_and_last_submission(loaded: Loaded) -> None:
    utc = loaded.frame.local.dt.tz_localize(TZ).dt.tz_convert("UTC")
    with loaded.db.session() as session:
        version = get_version(session, "sipas")
        ids = dict(session.execute(select(Agency.code, Agency.id)).all())
        for codes, days in [
            (None, (dt.date(2017, 1, 1), dt.date(2017, 12, 31))),
            (["BBB"], (dt.date(2017, 6, 1), dt.date(2017, 7, 31))),
            (["AAA", "BBB"], (None, None)),
            (None, (None, None)),
        ]:
            inside = utc if codes is None else utc[loaded.frame.agency.isin(codes)]
            start, end = utc_bounds(*days, ZoneInfo(TZ))
            if start is not None:
                inside = inside[(inside >= start) & (inside < end)]
            agency_ids = None if codes is None else [ids[c] for c in codes]
            first = edge_of(session, version.id, agency_ids, start, end, last=False)
            last = edge_of(session, version.id, agency_ids, start, end, last=True)
            assert (first, last) == (inside.min().to_pydatetime(), inside.max().to_pydatetime())
        assert edge_of(session, version.id, [ids["DDD"]], last=False) is None
        assert edge_of(session, version.id, [ids["DDD"]], last=True) is None
