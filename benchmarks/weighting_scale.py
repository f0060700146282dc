"""Weights to the registers and the weighted index at 1M responses (analysis layer).

Prints one JSON line per step: seconds and the process's peak resident memory.

    python benchmarks/weighting_scale.py --responses 1000000
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from analysis import kish
from analysis.calibration import weights_to_registers
from analysis.method import PROFILES, profile_index


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step(name: str, start: float, **extra: object) -> None:
    out = {"step": name, "seconds": round(time.perf_counter() - start, 3)}
    print(json.dumps({**out, **extra, "peak_rss_mb": round(_rss_mb(), 1)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(2017)
    n, k = args.responses, 22
    start = time.perf_counter()
    codes = [f"A{i:02d}" for i in range(args.agencies)]
    agency = rng.choice(args.agencies, size=n, p=rng.dirichlet(np.ones(args.agencies)))
    labels = [codes[i] for i in agency]
    types = np.where(rng.random(n) < 0.2, "business", "citizen").tolist()
    values = rng.integers(1, 6, size=(n, k)).astype(float)
    values[rng.random((n, k)) < 0.05] = np.nan
    na = rng.random((n, k)) < 0.04
    criteria = [list(range(0, 4)), list(range(4, 9)), list(range(9, 15)),
                list(range(15, 18)), list(range(18, 22))]  # fmt: skip
    volumes = {c: float(rng.integers(500, 60000)) for c in codes}
    by_type = {"citizen": 0.85 * sum(volumes.values()), "business": 0.15 * sum(volumes.values())}
    _step("generate", start, responses=n, items=k)
    start = time.perf_counter()
    post = weights_to_registers(labels, volumes)
    summary = kish(post.weights)
    _step("poststratify_agency", start, n_effective=round(summary.n_effective, 1))
    start = time.perf_counter()
    raked = weights_to_registers(labels, volumes, {"respondent_type": (types, by_type)})
    _step("rake_agency_type", start, n_effective=round(kish(raked.weights).n_effective, 1))
    for key, profile in PROFILES.items():
        start = time.perf_counter()
        result = profile_index(values, na, criteria, profile, raked.weights)
        _step(f"weighted_index:{key}", start, index=round(result.value or 0, 3),
              se=round(result.se or 0, 5))  # fmt: skip


if __name__ == "__main__":
    main()
