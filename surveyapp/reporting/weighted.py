"""Weighted estimates next to the unweighted ones, when a questionnaire asks for them.

Weights come from the questionnaire's ``weighting`` block (raking or
post-stratification on profile questions to known shares) and are computed per
report from the raw rows in its scope: they depend on the respondents in scope, so
they cannot be kept in month aggregates. Respondents without an answer to every
target question get no weight and are counted in ``n_excluded``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis import (
    item_stats,
    kish,
    post_stratify_respondents,
    rake_respondents,
    weighted_distribution,
)
from surveyapp.definitions import Questionnaire
from surveyapp.reporting.extract import RawResponse
from surveyapp.reporting.method import profile_index_of
from surveyapp.reporting.model import Weighted, WeightedItem
from surveyapp.reporting.profiles import profile_for, respondent_level
from surveyapp.reporting.stats import _reason, _scale_of, min_n_of
from surveyapp.reporting.sufficient import Layout


def weighted_section(
    definition: Questionnaire, layout: Layout, responses: Sequence[RawResponse]
) -> Weighted | None:
    """Weighted item statistics, SIPAS index point estimate and Kish design effect."""
    weighting = definition.weighting
    if weighting is None:
        return None
    targets = [t.variable for t in weighting.targets]
    labels = [[r.answers.get(v, (None, None, False))[1] for v in targets] for r in responses]
    kept = [i for i, row in enumerate(labels) if all(label is not None for label in row)]
    min_n = min_n_of(definition)
    base = {
        "method": weighting.method,
        "targets": tuple(targets),
        "n": len(kept),
        "n_excluded": len(responses) - len(kept),
    }
    try:
        if not kept:
            raise ValueError("no respondent answered every weighting question")
        if weighting.method == "poststratification":
            weights = post_stratify_respondents(
                [labels[i][0] for i in kept], dict(weighting.targets[0].shares)
            )
        else:
            weights = rake_respondents(
                [[labels[i][v] for i in kept] for v in range(len(targets))],
                [dict(t.shares) for t in weighting.targets],
            )
    except ValueError as exc:
        return Weighted(
            **base,
            sum_weights=None,
            n_effective=None,
            design_effect=None,
            index=None,
            items=(),
            reliable=False,
            flag="small_sample",
            reason=str(exc),
        )
    summary = kish(weights, min_n=min_n)
    items = []
    pct: dict[str, float] = {}
    for key, _ in layout.numeric:
        item = definition.item(key)
        values = np.full(len(kept), np.nan)
        n_na = 0
        for pos, i in enumerate(kept):
            answer = responses[i].answers.get(key)
            if answer is None:
                continue
            if answer[2]:
                n_na += 1
            elif answer[0] is not None:
                values[pos] = answer[0]
        counts, sum_sq = weighted_distribution(values, weights)
        likert = item.type == "likert"
        stats = item_stats(
            counts,
            n_na=n_na,
            scale=_scale_of(item),
            satisfied=layout.satisfied if likert else (),
            sum_sq_weights=sum_sq,
            min_n=min_n,
        )
        if likert and stats.pct_satisfied is not None:
            pct[key] = stats.pct_satisfied
        items.append(
            WeightedItem(
                key=key,
                n=int(np.count_nonzero(~np.isnan(values))),
                n_effective=stats.n_effective,
                mean=stats.mean,
                mean_ci=stats.mean_ci,
                satisfied_pct=stats.pct_satisfied if likert else None,
                satisfied_ci=stats.pct_satisfied_ci if likert else None,
                reliable=stats.reliable,
                flag=stats.flag,
                reason=_reason(stats.reason),
            )
        )
    chosen = definition.scoring.index_dimensions if definition.scoring else ()
    dims = [
        [pct[k] for k in items_ if k in pct]
        for key, items_ in layout.dimensions
        if not chosen or key in chosen
    ]
    dims = [d for d in dims if d]
    index = float(np.mean([np.mean(d) for d in dims])) if dims else None
    profile = profile_for(definition)
    if respondent_level(profile) and profile is not None:
        # The index follows the method profile: the weighted mean respondent score.
        scored, _ = profile_index_of(
            definition, layout.dimensions, [responses[i] for i in kept], profile, weights
        )
        index = scored.value
    return Weighted(
        **base,
        sum_weights=summary.sum_weights,
        n_effective=summary.n_effective,
        design_effect=summary.design_effect,
        index=index,
        items=tuple(items),
        reliable=summary.reliable,
        flag=summary.flag,
        reason=None,
    )
