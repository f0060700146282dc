"""Report sections of the method profile and of the weights to the registers."""

from __future__ import annotations

from dataclasses import dataclass

from analysis import Interval


@dataclass(frozen=True)
class MethodReport:
    """The method profile the index follows, and the index computed under it.

    ``aggregation`` is ``items`` (items -> criteria -> index) or ``respondent``
    (each respondent's score, then their mean); ``na_rule`` is ``exclude`` (N/A left
    out of denominators) or ``not_satisfied``. ``index`` is on 0-100 with its
    linearised interval; ``n`` counts the respondents who contribute to it.
    """

    name: str
    version: int
    satisfied: tuple[int, ...]
    aggregation: str
    na_rule: str
    index: float | None
    index_ci: Interval | None
    n: int


@dataclass(frozen=True)
class WeightedCriterion:
    key: str
    unweighted: float | None
    weighted: float | None


@dataclass(frozen=True)
class RegisterWeighted:
    """City figures weighted to the registers' dossiers, beside the unweighted ones.

    Weights come from the registers of ``period``: post-stratification by agency,
    or raking to agency and respondent type / channel margins when the registers
    split them. ``index`` follows the method profile; ``index_ci`` is the Taylor
    linearisation interval under the weights (it carries their design effect);
    ``n_effective`` is Kish's ``(sum w)^2 / sum w^2`` and ``design_effect`` is
    ``n_weighted / n_effective``. Respondents of agencies without registers, or
    without an answer to a split's question, get no weight (``n_excluded``).
    """

    period: str
    method: str
    variables: tuple[str, ...]
    n: int
    n_weighted: int
    n_excluded: int
    n_effective: float | None
    design_effect: float | None
    unweighted_index: float | None
    unweighted_index_ci: Interval | None
    index: float | None
    index_ci: Interval | None
    criteria: tuple[WeightedCriterion, ...]
    agencies_without_registers: tuple[str, ...]
    registered_agencies_without_responses: tuple[str, ...]
    reliable: bool
    flag: str | None
    reason: str | None
