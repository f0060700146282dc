"""Weighted estimates against a pandas computation of post-stratification weights.

One target variable, so raking equals post-stratification: ``w_h = share_h n / n_h``
(Holt & Smith 1979); weighted mean ``sum w x / sum w``; Kish n_eff ``(sum w)^2 / sum w^2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.reporting.conftest import QUESTIONNAIRES, SATISFIED, Loaded
from tests.reporting.test_reports import validate

SHARES = {"business": 0.4, "citizen": 0.6}


def test_weighted_section_matches_pandas(loaded: Loaded, cli: Any, tmp_path: Path) -> None:
    text = (QUESTIONNAIRES / "sipas.yaml").read_text(encoding="utf-8")
    path = tmp_path / "weighted.yaml"
    path.write_text(
        text + "\nweighting:\n  method: raking\n  targets:\n"
        "    respondent_type: {business: 0.4, citizen: 0.6}\n",
        encoding="utf-8",
    )
    assert cli("questionnaires", "load", str(path)).exit_code == 0
    frame = loaded.frame[loaded.frame.agency == "AAA"].copy()
    csv = tmp_path / "w.csv"
    frame["submitted_at"] = frame["local"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    out = frame[["submitted_at", "respondent_type", "proc_posted", "overall_satisfaction"]]
    out.astype(object).where(out.notna(), "").map(
        lambda v: str(int(v)) if isinstance(v, float) else v
    ).to_csv(csv, index=False)
    result = cli("responses", "import", str(csv), "--questionnaire", "weighted", "--agency", "AAA")
    assert result.exit_code == 0, result.output
    report = loaded.run("--agency", "AAA", "--questionnaire", "weighted")
    validate(report)
    weighted = report["weighted"]
    n_h = frame.respondent_type.value_counts()
    w = frame.respondent_type.map(lambda h: SHARES[h] * len(frame) / n_h[h])
    assert weighted["n"] == len(frame) and weighted["n_excluded"] == 0
    assert weighted["n_effective"] == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert weighted["design_effect"] == pytest.approx(len(frame) / weighted["n_effective"])
    item = {i["key"]: i for i in weighted["items"]}["proc_posted"]
    valid = frame.proc_posted.notna()
    x, wv = frame.proc_posted[valid], w[valid]
    assert item["mean"] == pytest.approx(np.average(x, weights=wv))
    assert item["satisfied_pct"] == pytest.approx(100 * np.average(x.isin(SATISFIED), weights=wv))
    assert item["n_effective"] == pytest.approx(wv.sum() ** 2 / (wv**2).sum())
    # The unweighted numbers stay next to the weighted ones.
    plain = {i["key"]: i for i in report["items"]}["proc_posted"]
    assert plain["mean"] == pytest.approx(x.mean())


def test_no_weighting_means_no_weighted_section(loaded: Loaded) -> None:
    assert loaded.run("--agency", "BBB")["weighted"] is None
