"""The report as plain frozen dataclasses: what every renderer (JSON now; PDF, XLSX,
CSV and HTML later) reads. No database, no Flask, no formatting here.

Conventions: percentages are on 0-100; every interval is an ``analysis.Interval``
(``lower, upper, level, method``) or ``None``; a value that cannot be computed is
``None`` with a machine-readable ``reason``; ``reliable=False`` and
``flag="small_sample"`` mark results resting on fewer than ``min_n`` respondents.
Field names ending in ``_`` lose the underscore in JSON (``from_`` -> ``from``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analysis import DriverResult, Interval
from surveyapp.reporting.facts_model import CounterSection, FactBreakdown
from surveyapp.reporting.method_model import MethodReport, RegisterWeighted

AGENCY_SCHEMA = "surveyapp/report/agency/1"
CITY_SCHEMA = "surveyapp/report/city/1"


@dataclass(frozen=True)
class AgencyRef:
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class QuestionnaireRef:
    slug: str
    version: int
    title_vi: str
    title_en: str


@dataclass(frozen=True)
class Period:
    """Local days, both inclusive; ``None`` when there is no data and no bound."""

    from_: dt.date | None
    to: dt.date | None
    timezone: str


@dataclass(frozen=True)
class ValueCount:
    value: float | str
    label_vi: str
    label_en: str
    count: float
    pct: float | None


@dataclass(frozen=True)
class ItemReport:
    """One likert or 0-10 rating item; N/A and missing are counted, never analysed."""

    key: str
    type: str
    dimension: str | None
    text_vi: str
    text_en: str
    n: float
    n_na: float
    n_missing: float
    mean: float | None
    sd: float | None
    mean_ci: Interval | None
    score_100: float | None
    satisfied_pct: float | None
    satisfied_ci: Interval | None
    distribution: tuple[ValueCount, ...]
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class ChoiceReport:
    """A profile (single or multiple choice) question's distribution."""

    key: str
    type: str
    text_vi: str
    text_en: str
    n: float
    n_na: float
    n_missing: float
    distribution: tuple[ValueCount, ...]


@dataclass(frozen=True)
class ItemTotal:
    key: str
    corrected_item_total: float | None
    alpha_if_deleted: float | None
    reason: str | None


@dataclass(frozen=True)
class DimensionReport:
    """Dimension mean (mean of item means), % satisfied and Cronbach's alpha (listwise)."""

    key: str
    title_vi: str
    title_en: str
    items: tuple[str, ...]
    n_min: float
    mean: float | None
    mean_ci: Interval | None
    score_100: float | None
    score_100_ci: Interval | None
    satisfied_pct: float | None
    satisfied_ci: Interval | None
    alpha: float | None
    alpha_ci: Interval | None
    alpha_n: int
    alpha_reason: str | None
    item_total: tuple[ItemTotal, ...]
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class Component:
    key: str
    value: float | None
    ci: Interval | None
    reason: str | None


@dataclass(frozen=True)
class IndexReport:
    """An index on 0-100 (SIPAS: mean over dimensions of dimension % satisfied)."""

    method: str
    value: float | None
    ci: Interval | None
    se: float | None
    n_min: float
    components: tuple[Component, ...]
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class NPSReport:
    item: str
    value: float | None
    ci: Interval | None
    n: float
    pct_promoters: float | None
    pct_passives: float | None
    pct_detractors: float | None
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class Indices:
    """Every index the questionnaire allows, besides the headline ``index``."""

    sipas: IndexReport
    percent_agree: IndexReport
    score_100: float | None
    score_100_ci: Interval | None
    nps: NPSReport | None


@dataclass(frozen=True)
class Change:
    """Change in % satisfied since the previous period (percentage points)."""

    difference: float | None
    ci: Interval | None
    p: float | None
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class PeriodRow:
    label: str
    from_: dt.date
    to: dt.date
    n_responses: int
    satisfied_n: float
    satisfied_of: float
    satisfied_pct: float | None
    satisfied_ci: Interval | None
    index: float | None
    index_ci: Interval | None
    change: Change | None
    reliable: bool
    flag: str | None


@dataclass(frozen=True)
class TrendTest:
    z: float | None
    chi2: float | None
    p: float | None
    slope_pct_points: float | None
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class Trend:
    """Periods of the report with % satisfied on ``measure`` and a linear trend test."""

    grain: str
    measure: str | None
    periods: tuple[PeriodRow, ...]
    cochran_armitage: TrendTest | None


@dataclass(frozen=True)
class BreakdownGroup:
    """One answer's group; a ``suppressed`` group shows nothing (``n_responses`` None)."""

    option: str
    label_vi: str
    label_en: str
    n_responses: int | None
    index: IndexReport
    dimensions: tuple[DimensionReport, ...]
    items: tuple[ItemReport, ...]
    suppressed: bool = False


@dataclass(frozen=True)
class Breakdown:
    """The same statistics within each answer of one profile question."""

    question: str
    groups: tuple[BreakdownGroup, ...]


@dataclass(frozen=True)
class WeightedItem:
    """Weighted item statistics; intervals use the Kish effective size."""

    key: str
    n: int
    n_effective: float
    mean: float | None
    mean_ci: Interval | None
    satisfied_pct: float | None
    satisfied_ci: Interval | None
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class Weighted:
    """Estimates weighted to the questionnaire's population targets (``weighting``).

    ``index`` is the SIPAS index point estimate from weighted item % satisfied (no
    interval). ``design_effect`` is Kish's ``n / n_effective``.
    """

    method: str
    targets: tuple[str, ...]
    n: int
    n_excluded: int
    sum_weights: float | None
    n_effective: float | None
    design_effect: float | None
    index: float | None
    items: tuple[WeightedItem, ...]
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class AgencyReport:
    schema: str
    generated_at: dt.datetime
    agency: AgencyRef
    questionnaire: QuestionnaireRef
    period: Period
    min_n: float
    n_responses: int
    index: IndexReport
    indices: Indices
    dimensions: tuple[DimensionReport, ...]
    items: tuple[ItemReport, ...]
    profile: tuple[ChoiceReport, ...]
    trend: Trend
    drivers: DriverResult | None
    weighted: Weighted | None
    breakdowns: tuple[Breakdown, ...]
    notes: tuple[str, ...]
    #: % satisfied by service fact (``reporting.fact_sections``), small cells suppressed.
    service_facts: tuple[FactBreakdown, ...] = ()
    #: Ratings at the one-stop-shop counters; None without counter ratings.
    counter: CounterSection | None = None
    method: MethodReport | None = None


@dataclass(frozen=True)
class Kruskal:
    """Kruskal-Wallis on respondents' mean over the scored items they answered."""

    scope: str
    h: float | None
    p: float | None
    df: int
    epsilon_squared: float | None
    n: float
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class DunnPair:
    a: str
    b: str
    z: float
    p: float
    p_holm: float


@dataclass(frozen=True)
class Dunn:
    """Dunn's pairwise tests (Holm-adjusted) on respondents' means within ``scope``."""

    pairs: tuple[DunnPair, ...]
    reason: str | None
    scope: str = "__all__"


@dataclass(frozen=True)
class ChiSquare:
    """Pearson chi-square of % satisfied on ``measure`` across agencies."""

    measure: str | None
    statistic: float | None
    df: int
    p: float | None
    cramers_v: float | None
    min_expected: float | None
    reliable: bool
    flag: str | None
    reason: str | None


@dataclass(frozen=True)
class VersusRest:
    """One agency against the rest of the city."""

    satisfied_difference: float | None
    satisfied_difference_ci: Interval | None
    satisfied_p: float | None
    mean_rank_u: float | None
    mean_rank_p: float | None
    common_language: float | None
    reason: str | None


@dataclass(frozen=True)
class AgencyRow:
    """One agency's row of the city-wide comparison.

    A ``suppressed`` row shows no figure (``n`` and every value ``None``): the agency
    has fewer responses than the suppression minimum, or is hidden so that such an
    agency's figures cannot be recovered from the city totals.
    """

    code: str
    name_vi: str
    name_en: str
    n: int | None
    index: float | None
    index_ci: Interval | None
    rank: int | None
    rank_lower: int | None
    rank_upper: int | None
    respondent_mean: float | None
    satisfied_pct: float | None
    satisfied_ci: Interval | None
    versus_rest: VersusRest
    reliable: bool
    flag: str | None
    reason: str | None
    #: The agency's kind (department, district, other) and its rank among that kind only:
    #: departments and districts are ranked apart; ``rank`` is the city-wide one.
    kind: str = "other"
    rank_in_kind: int | None = None
    rank_in_kind_lower: int | None = None
    rank_in_kind_upper: int | None = None
    suppressed: bool = False


@dataclass(frozen=True)
class CityReport:
    schema: str
    generated_at: dt.datetime
    questionnaire: QuestionnaireRef
    period: Period
    min_n: float
    n_responses: int
    index: IndexReport
    indices: Indices
    dimensions: tuple[DimensionReport, ...]
    items: tuple[ItemReport, ...]
    agencies: tuple[AgencyRow, ...]
    kruskal: Kruskal
    kruskal_by_dimension: tuple[Kruskal, ...]
    dunn: Dunn
    dunn_by_dimension: tuple[Dunn, ...]
    chi2: ChiSquare
    trend: Trend
    drivers: DriverResult | None
    weighted: Weighted | None
    notes: tuple[str, ...]
    #: % satisfied by service fact, city-wide, small cells suppressed.
    service_facts: tuple[FactBreakdown, ...] = ()
    method: MethodReport | None = None
    register_weighted: RegisterWeighted | None = None
