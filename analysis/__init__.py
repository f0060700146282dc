"""Pure statistics for citizen-satisfaction surveys.

Plain arrays or aggregated records in, frozen dataclasses out. Every statistic can be
computed from additive sufficient statistics (counts, sums, cross-products) so that it
scales to millions of responses; convenience constructors accept raw arrays.

This package never imports Flask or the web application.
"""

from __future__ import annotations

from analysis.comparisons import (
    DunnResult,
    KruskalResult,
    MannWhitneyResult,
    PairwiseTest,
    RankTable,
    dunn,
    holm,
    kruskal_wallis,
    mann_whitney_counts,
    versus_rest_ranks,
)
from analysis.descriptive import (
    ItemStats,
    item_stats,
    item_stats_from_values,
    rescale_100,
    value_counts,
)
from analysis.drivers import (
    Correlation,
    DriverResult,
    RelativeWeight,
    drivers,
    relative_weights_from_correlation,
)
from analysis.indices import (
    ComponentScore,
    DimensionSummary,
    IndexResult,
    NPSResult,
    dimension_summary,
    nps,
    percent_agree,
    sipas_index,
    sipas_index_bootstrap,
)
from analysis.intervals import (
    Interval,
    feldt_interval,
    newcombe_interval,
    normal_interval,
    t_interval,
    wilson_interval,
)
from analysis.moments import Moments, PairwiseMoments
from analysis.proportions import (
    ChiSquareResult,
    ProportionDifference,
    chi_square_satisfied,
    compare_proportions,
    versus_rest_proportions,
)
from analysis.ranking import RankEntry, rank_by_overlap, rank_by_simulation
from analysis.reliability import (
    AlphaResult,
    ItemReliability,
    cronbach_alpha,
    cronbach_alpha_from_array,
)
from analysis.results import (
    SMALL_SAMPLE_FLAG,
    SMALL_SAMPLE_THRESHOLD,
    Reason,
    reliability_flag,
    to_jsonable,
)
from analysis.trends import TrendResult, cochran_armitage, period_change
from analysis.weighting import (
    RakingResult,
    WeightSummary,
    kish,
    kish_from_sums,
    post_stratification_weights,
    post_stratify_respondents,
    rake,
    rake_respondents,
    weighted_distribution,
)

__all__ = [
    "SMALL_SAMPLE_FLAG",
    "SMALL_SAMPLE_THRESHOLD",
    "AlphaResult",
    "ChiSquareResult",
    "ComponentScore",
    "Correlation",
    "DimensionSummary",
    "DriverResult",
    "DunnResult",
    "IndexResult",
    "Interval",
    "ItemReliability",
    "ItemStats",
    "KruskalResult",
    "MannWhitneyResult",
    "Moments",
    "NPSResult",
    "PairwiseMoments",
    "PairwiseTest",
    "ProportionDifference",
    "RakingResult",
    "RankEntry",
    "RankTable",
    "Reason",
    "RelativeWeight",
    "TrendResult",
    "WeightSummary",
    "chi_square_satisfied",
    "cochran_armitage",
    "compare_proportions",
    "cronbach_alpha",
    "cronbach_alpha_from_array",
    "dimension_summary",
    "drivers",
    "dunn",
    "feldt_interval",
    "holm",
    "item_stats",
    "item_stats_from_values",
    "kish",
    "kish_from_sums",
    "kruskal_wallis",
    "mann_whitney_counts",
    "newcombe_interval",
    "normal_interval",
    "nps",
    "percent_agree",
    "period_change",
    "post_stratification_weights",
    "post_stratify_respondents",
    "rake",
    "rake_respondents",
    "rank_by_overlap",
    "rank_by_simulation",
    "relative_weights_from_correlation",
    "reliability_flag",
    "rescale_100",
    "sipas_index",
    "sipas_index_bootstrap",
    "t_interval",
    "to_jsonable",
    "value_counts",
    "versus_rest_proportions",
    "versus_rest_ranks",
    "weighted_distribution",
    "wilson_interval",
]
