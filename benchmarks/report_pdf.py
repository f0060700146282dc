"""PDF report speed at scale: one agency's PDF and the city-wide PDF.

Usage (prints one JSON line per kind; see benchmarks/README.md):

    python benchmarks/report_scale.py load --url URL --responses 1000000   # the data
    python benchmarks/report_pdf.py --url URL [--kind agency|full-city|city|all] [--repeat 3]

Each run times what a download does: gathering the document (report, city
context, channels, comments; the agencies x dimensions matrix for the city)
and rendering the PDF (charts and pages). ``first_s`` is the cold run.

``agency`` gathers the document as a download does (``documents.agency_document``:
the city ranking and average from ``build.city_ranking``); ``full-city`` is the
baseline it replaced, the same document with the whole city-wide report (and its
significance tests) as context, recomputed every run unless ``--cached``. The
schema is brought up to date first (the data may have been loaded by older code).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from surveyapp import schema  # noqa: E402
from surveyapp.dashboard import documents  # noqa: E402
from surveyapp.dashboard.documents import Scope, agency_document, city_document  # noqa: E402
from surveyapp.db import Database, make_engine  # noqa: E402
from surveyapp.renderers import pdf_agency, pdf_city  # noqa: E402

TZ = "Asia/Ho_Chi_Minh"
AGENCY = "A07"


def measure(db: Database, kind: str, repeat: int, cached: bool) -> dict[str, Any]:
    builds, renders, totals, cpus = [], [], [], []
    size = pages = n = 0
    for _ in range(repeat):
        if not cached:
            documents._city_cache.clear()
        c0, t0 = time.process_time(), time.perf_counter()
        with db.session() as session:
            if kind == "agency":
                doc: Any = agency_document(session, AGENCY, Scope(), TZ)
            elif kind == "full-city":
                doc = agency_document(session, AGENCY, Scope(), TZ, with_city=False)
                q = doc.report.questionnaire
                city = documents.city_context(session, q.slug, q.version, None, None, TZ)
                doc = dataclasses.replace(doc, city=city)
            else:
                doc = city_document(session, Scope(), TZ)
        t1 = time.perf_counter()
        data = pdf_city.render(doc) if kind == "city" else pdf_agency.render(doc)
        t2, c2 = time.perf_counter(), time.process_time()
        cpus.append(c2 - c0)
        builds.append(t1 - t0)
        renders.append(t2 - t1)
        totals.append(t2 - t0)
        size, n = len(data), doc.report.n_responses
        pages = len(PdfReader(io.BytesIO(data)).pages)
    mid = len(totals) // 2
    return {
        "kind": kind,
        "city_cache": cached,
        "n_responses": n,
        "first_s": round(totals[0], 3),
        "median_s": round(sorted(totals)[mid], 3),
        "median_build_s": round(sorted(builds)[mid], 3),
        "median_render_s": round(sorted(renders)[mid], 3),
        "median_cpu_s": round(sorted(cpus)[mid], 3),
        "pdf_kb": round(size / 1024),
        "pages": pages,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument(
        "--kind", choices=["agency", "full-city", "city", "both", "all"], default="all"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cached", action="store_true", help="keep the per-process city report cache warm"
    )
    args = parser.parse_args()
    engine = make_engine(args.url)
    schema.upgrade(engine)
    db = Database(engine)
    kinds = {"both": ("agency", "city"), "all": ("full-city", "agency", "city")}
    for kind in kinds.get(args.kind, (args.kind,)):
        print(json.dumps(measure(db, kind, args.repeat, args.cached)), flush=True)


if __name__ == "__main__":
    main()
