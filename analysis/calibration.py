"""Weights that bring respondents to the registers' volumes of dossiers handled.

By agency alone the weights are a post-stratification (each agency's share of the
respondents becomes its share of the dossiers); when the registers also split the
volumes by respondent type and/or channel, the respondents are raked to the agency,
type and channel margins (iterative proportional fitting).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.moments import FloatArray
from analysis.weighting import post_stratify_respondents, rake

#: tolerance on margin shares: tight, so weights agree with other IPF codes to 1e-8
RAKING_TOL = 1e-11


@dataclass(frozen=True, slots=True)
class RegisterWeights:
    """Per-respondent weights (0 = left out), how they were made and what was left out.

    ``uncovered`` lists agencies with dossiers in the registers but no respondents
    (their dossiers cannot be represented); ``unregistered`` agencies with respondents
    but no register entry (their respondents get weight 0).
    """

    weights: FloatArray
    method: str
    variables: tuple[str, ...]
    uncovered: tuple[Hashable, ...]
    unregistered: tuple[Hashable, ...]


def _shares(totals: Mapping[Hashable, float]) -> dict[Hashable, float]:
    total = float(sum(totals.values()))
    return {k: v / total for k, v in totals.items()}


def weights_to_registers(
    agencies: Sequence[Hashable],
    volumes: Mapping[Hashable, float],
    splits: Mapping[str, tuple[Sequence[Hashable | None], Mapping[Hashable, float]]] | None = None,
) -> RegisterWeights:
    """Weights of respondents (their agency in ``agencies``) to the registers' volumes.

    Parameters
    ----------
    agencies : sequence
        Each respondent's agency.
    volumes : mapping
        Dossiers handled per agency (the registers' totals).
    splits : mapping, optional
        ``variable -> (each respondent's category or None, dossiers per category)``
        for respondent type or channel; respondents without a category are left out.

    Raises
    ------
    ValueError
        If no respondent belongs to a registered agency, or a split's category
        with dossiers has no respondents.
    """
    labels = list(agencies)
    covered = {a for a in labels if volumes.get(a, 0) > 0}
    uncovered = tuple(
        sorted((a for a, v in volumes.items() if v > 0 and a not in covered), key=str)
    )
    unregistered = tuple(sorted({a for a in labels if a not in volumes}, key=str))
    if not covered:
        raise ValueError("no respondent belongs to an agency with dossiers in the registers")
    agency_totals = {a: float(volumes[a]) for a in sorted(covered, key=str)}
    weights = np.zeros(len(labels))
    splits = dict(splits or {})
    keep = [i for i, a in enumerate(labels) if a in covered]
    for _variable, (cats, _) in splits.items():
        keep = [i for i in keep if cats[i] is not None]
    if not splits:
        w = post_stratify_respondents([labels[i] for i in keep], _shares(agency_totals))
        weights[keep] = w
        return RegisterWeights(weights, "poststratification", ("agency",), uncovered, unregistered)
    counts: dict[tuple[Hashable, ...], float] = {}
    rows = []
    for i in keep:
        row = (labels[i], *(cats[i] for cats, _ in splits.values()))
        rows.append(row)
        counts[row] = counts.get(row, 0.0) + 1.0
    margins = [_shares(agency_totals)] + [
        _shares({k: float(v) for k, v in totals.items() if v > 0}) for _, totals in splits.values()
    ]
    result = rake(counts, margins, tol=RAKING_TOL, max_iter=1000)
    weights[keep] = [result.cell_weights[row] for row in rows]
    return RegisterWeights(weights, "raking", ("agency", *splits), uncovered, unregistered)
