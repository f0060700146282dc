"""Report speed and memory at scale: aggregates versus loading every answer (naive).

Usage (each step prints one JSON line; see benchmarks/README.md for results):

    python benchmarks/report_scale.py load   --url URL --responses N
    python benchmarks/report_scale.py report --url URL --kind city|agency|agency-edge
    python benchmarks/report_scale.py naive  --url URL --kind city|agency
    python benchmarks/report_scale.py submit --url URL --count 200
    python benchmarks/report_scale.py all    --url URL --responses N [--naive-timeout S]

``load`` makes a fresh database, writes N synthetic responses (~27 answers each,
50 agencies, 24 months) with a bulk path (plain multi-row inserts on SQLite, COPY
on PostgreSQL) and then rebuilds the aggregates from the raw rows; both steps are
timed. ``report`` and ``naive`` run in a fresh process each (``all`` spawns them),
so ``peak_rss_mb`` is that process's own peak (Python, numpy, scipy, SQLAlchemy and
the work; ``import_rss_mb`` is the part taken by imports alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import resource
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from surveyapp import schema  # noqa: E402
from surveyapp.db import Database, make_engine  # noqa: E402

TZ = "Asia/Ho_Chi_Minh"
AGENCIES = 50
MONTHS = 24
FIRST_MONTH = dt.date(2023, 1, 1)
AGENCY = "A07"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_engine(url: str) -> Any:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return make_engine(url)
    admin = make_engine(str(parsed.set(database="postgres")), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return make_engine(url)


# -- synthetic data -------------------------------------------------------------------
def generate(n: int, seed: int, definition: Any) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """Vectorised draws: response columns and, per item, (key, values or None=skip)."""
    rng = np.random.default_rng(seed)
    agency_effect = rng.normal(0, 0.4, AGENCIES)
    weights = rng.lognormal(0, 0.5, AGENCIES)
    agency = rng.choice(AGENCIES, size=n, p=weights / weights.sum())
    month = rng.integers(0, MONTHS, size=n)
    day = rng.integers(0, 28, size=n)
    minute = rng.integers(7 * 60, 17 * 60, size=n)
    tz = zoneinfo.ZoneInfo(TZ)
    starts = []
    for m in range(MONTHS):
        y, mo = divmod(FIRST_MONTH.month - 1 + m, 12)
        local = dt.datetime(FIRST_MONTH.year + y, mo + 1, 1, tzinfo=tz)
        starts.append(local.astimezone(dt.UTC).replace(tzinfo=None))
    base = np.array(starts, dtype="datetime64[s]")[month]
    submitted = base + (day * 86400 + minute * 60).astype("timedelta64[s]")
    person = 3.5 + agency_effect[agency] + rng.normal(0, 0.6, n)
    gave = rng.random(n) < 0.3
    items: list[tuple[str, Any]] = []
    for item in definition.items():
        if item.type == "likert":
            latent = person + (0.1 if item.dimension is None else rng.normal(0, 0.2))
            values = np.clip(np.rint(latent + rng.normal(0, 0.65, n)), 1, 5)
            na = (rng.random(n) < 0.04) if item.allow_na else np.zeros(n, bool)
            shown = gave if item.show_if is not None else np.ones(n, bool)
            items.append((item.key, ("num", values, na, shown)))
        elif item.type == "rating":
            values = np.clip(np.rint(2.3 * (person - 1) + rng.normal(0.3, 1.3, n)), 0, 10)
            items.append((item.key, ("num", values, np.zeros(n, bool), rng.random(n) > 0.1)))
        elif item.type == "single_choice" and item.show_if is None:
            if item.key == "gave_feedback":
                values = np.where(gave, "yes", "no")
            else:
                values = np.array(item.option_keys)[rng.integers(0, len(item.options), n)]
            items.append((item.key, ("text", values, np.zeros(n, bool), np.ones(n, bool))))
    return {"agency": agency, "submitted": submitted}, items


def load(url: str, n: int, seed: int = 1) -> dict[str, Any]:
    from surveyapp.definitions import load_questionnaire
    from surveyapp.models import ReportAggregate  # noqa: F401  (metadata)
    from surveyapp.reporting import aggregates
    from surveyapp.services.questionnaires import get_version, load_files

    engine = fresh_engine(url)
    schema.upgrade(engine)
    db = Database(engine)
    path = ROOT / "questionnaires" / "sipas.yaml"
    definition = load_questionnaire(path)
    with db.write() as session:
        load_files(session, [path])
        version_id = get_version(session, "sipas").id
        session.execute(
            text(
                "INSERT INTO agencies (code, name_vi, name_en, kind, active, created_at) "
                "VALUES (:c, :v, :e, 'department', true, CURRENT_TIMESTAMP)"
            ),
            [{"c": f"A{i:02d}", "v": f"Cơ quan {i}", "e": f"Agency {i}"} for i in range(AGENCIES)],
        )
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT code, id FROM agencies")).all())
    agency_ids = np.array([ids[f"A{i:02d}"] for i in range(AGENCIES)])
    t0 = time.perf_counter()
    cols, items = generate(n, seed, definition)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    answers = bulk_insert(engine, version_id, agency_ids[cols["agency"]], cols["submitted"], items)
    t_insert = time.perf_counter() - t0
    t0 = time.perf_counter()
    with db.write() as session:
        version = get_version(session, "sipas")
        months = aggregates.rebuild(session, version, TZ)
    t_rebuild = time.perf_counter() - t0
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return {
        "step": "load", "backend": engine.dialect.name, "responses": n, "answers": answers,
        "generate_s": round(t_gen, 2), "insert_s": round(t_insert, 1),
        "rebuild_s": round(t_rebuild, 1), "aggregate_rows": months, "peak_rss_mb": round(rss_mb()),
    }  # fmt: skip


def bulk_insert(engine: Any, version_id: int, agency: Any, submitted: Any, items: Any) -> int:
    n = len(agency)
    stamps = [str(s).replace("T", " ") for s in submitted.astype("datetime64[s]")]
    pg = engine.dialect.name == "postgresql"
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if not pg:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("BEGIN IMMEDIATE")
        response_rows = (
            (i + 1, version_id, int(agency[i]), stamps[i] + ("+00" if pg else ""), "paper",
             "accepted", f"B{i + 1:012d}")
            for i in range(n)
        )  # fmt: skip
        answer_rows = (
            (i + 1, key, *_value(kind, values[i]), bool(na[i]))
            for i in range(n)
            for key, (kind, values, na, shown) in items
            if shown[i]
        )
        count = 0
        if pg:
            with cur.copy(
                "COPY responses (id, questionnaire_version_id, agency_id, submitted_at, channel,"
                " status, receipt_code) FROM STDIN"
            ) as copy:
                for row in response_rows:
                    copy.write_row(row)
            with cur.copy(
                "COPY answers (response_id, question_key, value_num, value_text, is_na) FROM STDIN"
            ) as copy:
                for row in answer_rows:
                    copy.write_row(_na_row(row))
                    count += 1
            cur.execute("SELECT setval('responses_id_seq', %s)", (n,))
        else:
            cur.executemany(
                "INSERT INTO responses (id, questionnaire_version_id, agency_id, submitted_at,"
                " channel, status, receipt_code) VALUES (?, ?, ?, ?, ?, ?, ?)",
                response_rows,
            )
            counter = itertools.count()
            # Streamed, never listed: zip stops at the last answer, so the counter counts them.
            rows = (_na_row(r) for r, _ in zip(answer_rows, counter, strict=False))
            cur.executemany(
                "INSERT INTO answers (response_id, question_key, value_num, value_text, is_na)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            count = next(counter)
        raw.commit()
    finally:
        raw.close()
    return count


def _value(kind: str, value: Any) -> tuple[Any, Any]:
    return (float(value), None) if kind == "num" else (None, str(value))


def _na_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return (row[0], row[1], None, None, True) if row[4] else row


# -- measurements ---------------------------------------------------------------------
def report(url: str, kind: str, repeat: int = 3) -> dict[str, Any]:
    from surveyapp.reporting import build, serialise

    base = rss_mb()
    db = Database(make_engine(url))
    times = []
    size = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        with db.session() as session:
            if kind == "city":
                result = build.city_report(session, timezone=TZ, grain="quarter")
            elif kind == "agency":
                result = build.agency_report(session, AGENCY, timezone=TZ)
            else:  # partial months at both ends: raw rows for two edge months
                result = build.agency_report(
                    session, AGENCY, first=dt.date(2023, 3, 17), last=dt.date(2024, 9, 12),
                    timezone=TZ,
                )  # fmt: skip
            size = len(serialise.dumps(result))
        times.append(time.perf_counter() - t0)
    return {
        "step": "report", "kind": kind, "backend": db.engine.dialect.name,
        "n_responses": result.n_responses, "first_s": round(times[0], 3),
        "median_s": round(sorted(times)[len(times) // 2], 3), "json_bytes": size,
        "import_rss_mb": round(base), "peak_rss_mb": round(rss_mb()),
    }  # fmt: skip


def naive(url: str, kind: str) -> dict[str, Any]:
    """Load every accepted answer into pandas and compute the report's core statistics."""
    import pandas as pd
    import pingouin
    from scipy import stats

    from surveyapp.definitions import load_questionnaire

    base = rss_mb()
    definition = load_questionnaire(ROOT / "questionnaires" / "sipas.yaml")
    dims = {d.key: list(d.items) for d in definition.dimensions() if d.items}
    scored = [i.key for i in definition.scored_items()]
    engine = make_engine(url)
    t0 = time.perf_counter()
    where = "r.status = 'accepted'"
    if kind == "agency":
        where += f" AND r.agency_id = (SELECT id FROM agencies WHERE code = '{AGENCY}')"  # noqa: S608
    columns = "r.agency_id, a.response_id, a.question_key, a.value_num, a.is_na"
    join = "answers a JOIN responses r ON r.id = a.response_id"
    query = f"SELECT {columns} FROM {join} WHERE {where}"  # noqa: S608  (constants only)
    with engine.connect() as conn:
        long = pd.read_sql_query(
            text(query),
            conn,
        )
    t_load = time.perf_counter() - t0
    valid = long[(~long.is_na.astype(bool)) & long.value_num.notna()]
    wide = valid.pivot(index="response_id", columns="question_key", values="value_num")
    agency = long.groupby("response_id").agency_id.first().reindex(wide.index)
    sat = wide[scored].isin([4, 5]).where(wide[scored].notna())
    per_item = wide[scored].groupby(agency).agg(["count", "mean", "std"])
    pct = sat.groupby(agency).mean() * 100
    index = pd.DataFrame({d: pct[items].mean(axis=1) for d, items in dims.items()}).mean(axis=1)
    alphas = {
        (a, d): pingouin.cronbach_alpha(group[items].dropna())
        for a, group in wide.groupby(agency)
        for d, items in dims.items()
        if len(items) > 1 and len(group[items].dropna()) > 2
    }
    means = wide[scored].mean(axis=1)
    result: dict[str, Any] = {}
    if kind == "city":
        groups = [g.dropna().to_numpy() for _, g in means.groupby(agency)]
        result["kruskal"] = stats.kruskal(*groups)
        overall = wide["overall_satisfaction"].dropna()
        table = pd.crosstab(agency.reindex(overall.index), overall.isin([4, 5]))
        result["chi2"] = stats.chi2_contingency(table.to_numpy(), correction=False)
    elapsed = time.perf_counter() - t0
    return {
        "step": "naive", "kind": kind, "backend": engine.dialect.name,
        "answers_loaded": len(long), "load_s": round(t_load, 2), "total_s": round(elapsed, 2),
        "agencies": int(index.size), "alphas": len(alphas), "items": int(per_item.shape[1] / 3),
        "import_rss_mb": round(base), "peak_rss_mb": round(rss_mb()),
    }  # fmt: skip


def submit(url: str, count: int) -> dict[str, Any]:
    """Per-submission cost of the web path, aggregates included (one transaction each)."""
    from sqlalchemy import select

    from surveyapp.models import Agency
    from surveyapp.services.questionnaires import definition_of, get_version
    from surveyapp.services.responses import NewResponse, check_answers, store_responses

    db = Database(make_engine(url))
    rng = np.random.default_rng(7)
    with db.session() as session:
        version = get_version(session, "sipas")
        definition = definition_of(version)
        agency_id = session.scalar(select(Agency.id).where(Agency.code == AGENCY))
    times = []
    for _ in range(count):
        raw = {i.key: str(int(rng.integers(1, 6))) for i in definition.scored_items()}
        raw.update(respondent_type="citizen", channel="one_stop", timeliness="on_time",
                   gave_feedback="no", overall_satisfaction="4")  # fmt: skip
        checked = check_answers(definition, raw)
        t0 = time.perf_counter()
        with db.write() as session:
            store_responses(session, [NewResponse(version.id, agency_id, "web", checked.answers)])
        times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "step": "submit", "backend": db.engine.dialect.name, "count": count,
        "median_ms": round(1000 * times[len(times) // 2], 1),
        "p95_ms": round(1000 * times[int(len(times) * 0.95)], 1),
    }  # fmt: skip


def spawn(args: list[str], timeout: float | None = None) -> dict[str, Any]:
    try:
        out = subprocess.run(
            [sys.executable, __file__, *args], capture_output=True, text=True, check=True,
            timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"step": args[0], "kind": args[-1], "timed_out_after_s": timeout}
    except subprocess.CalledProcessError as exc:
        lines = [ln for ln in exc.stderr.strip().splitlines() if not ln.startswith("(Background")]
        return {"step": args[0], "error": lines[-1] if lines else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["load", "report", "naive", "submit", "all"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--responses", type=int, default=10000)
    parser.add_argument("--kind", default="city")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--naive-timeout", type=float, default=900)
    args = parser.parse_args()
    if args.step == "load":
        print(json.dumps(load(args.url, args.responses)))
    elif args.step == "report":
        print(json.dumps(report(args.url, args.kind)))
    elif args.step == "naive":
        print(json.dumps(naive(args.url, args.kind)))
    elif args.step == "submit":
        print(json.dumps(submit(args.url, args.count)))
    else:
        steps = [["load", "--responses", str(args.responses)]]
        steps += [["report", "--kind", k] for k in ("city", "agency", "agency-edge")]
        steps += [["naive", "--kind", k] for k in ("city", "agency")]
        steps += [["submit", "--count", str(args.count)]]
        for step in steps:
            timeout = args.naive_timeout if step[0] == "naive" else None
            print(json.dumps(spawn([step[0], "--url", args.url, *step[1:]], timeout)), flush=True)


if __name__ == "__main__":
    main()
