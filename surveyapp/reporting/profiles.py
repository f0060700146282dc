"""The method profile a questionnaire's index follows (see ``analysis.method``).

Kept apart from ``reporting.method`` so the summary layout can read it: the layout
holds per-respondent score sums only for a profile that needs them.
"""

from __future__ import annotations

from analysis.method import DEFAULT_PROFILE, MethodProfile, profile_of
from surveyapp.definitions import Questionnaire


def profile_for(definition: Questionnaire) -> MethodProfile | None:
    """The questionnaire's profile: named, else sipas-2017/1 (or its own satisfied set)."""
    scoring = definition.scoring
    if scoring is None:
        return None
    if scoring.method is not None:
        return profile_of(scoring.method)
    default = profile_of(DEFAULT_PROFILE)
    if sorted(scoring.satisfied_values) == sorted(default.satisfied):
        return default
    return MethodProfile("custom", 1, tuple(sorted(scoring.satisfied_values)), "items", "exclude")


def respondent_level(profile: MethodProfile | None) -> bool:
    """Whether the index is a mean of per-respondent scores under ``profile``."""
    return profile is not None and profile.aggregation == "respondent"
