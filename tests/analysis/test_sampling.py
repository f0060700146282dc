"""Sample sizes against published tables; quota progress worked by hand."""

from __future__ import annotations

import math

import pytest

from analysis.sampling import progress, proportion_sample_size, quota, slovin

# Israel, G. D. (1992). Determining Sample Size. University of Florida IFAS, PEOD-6,
# Table 2 (Yamane's formula), precision +/-5%; the table rounds to the nearest unit.
ISRAEL_TABLE_2 = {500: 222, 1000: 286, 2000: 333, 5000: 370, 10000: 385, 100000: 398}

# Krejcie & Morgan (1970), Table 1: chi-square 3.841 (z^2, 1 df, .95), P = .5, d = .05;
# sizes as printed (nearest unit).
KREJCIE_MORGAN = {100: 80, 500: 217, 1000: 278, 2000: 322, 5000: 357, 10000: 370, 50000: 381}


@pytest.mark.parametrize(("population", "published"), sorted(ISRAEL_TABLE_2.items()))
def test_slovin_matches_israel_table(population: int, published: int) -> None:
    assert round(slovin(population, 0.05)) == published


@pytest.mark.parametrize(("population", "published"), sorted(KREJCIE_MORGAN.items()))
def test_proportion_size_matches_krejcie_morgan(population: int, published: int) -> None:
    size = proportion_sample_size(population, 0.05, 0.5, z=math.sqrt(3.841))
    assert round(size) == published


def test_quota_rounds_up_and_never_exceeds_the_population() -> None:
    assert quota(1000) == 286  # 285.71 -> 286
    assert quota(1000, 0.1) == 91  # 1000 / 11 = 90.9
    assert quota(3) == 3  # 3 / 1.0075 = 2.98 -> 3, not more than N
    assert quota(0) == 0
    assert quota(1000, rule="proportion") == 278  # 384.15 / (1 + 383.15/1000) = 277.7
    with pytest.raises(ValueError, match="margin"):
        quota(1000, 0)
    with pytest.raises(ValueError, match="rule"):
        quota(1000, rule="cochran")


def test_progress_projects_the_pace() -> None:
    # 100 of 286 after 91 of 365 days: 100 * 365 / 91 = 401.1 projected -> on track.
    on_track = progress(286, 100, 91, 365)
    assert on_track.projected == pytest.approx(36500 / 91)
    assert not on_track.behind and not on_track.met
    # 50 after 182.5 days: 100 projected < 286 -> behind.
    behind = progress(286, 50, 182.5, 365)
    assert behind.projected == pytest.approx(100.0) and behind.behind
    assert progress(286, 300, 10, 365).met
    assert not progress(286, 0, 0, 365).behind  # not begun: no pace to project
    assert progress(286, 0, 10, 365).behind  # begun, nothing yet: projected 0
