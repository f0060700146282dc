"""The lean in-memory rate-limit store counts as the limits package's own store does."""

from __future__ import annotations

import threading

from hypothesis import given, settings
from hypothesis import strategies as st
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from surveyapp.rate_memory import LeanMemoryStorage


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=8),
    hits=st.lists(st.sampled_from(["a", "b", "c"]), max_size=40),
)
def test_same_decisions_as_the_reference_store(limit: int, hits: list[str]) -> None:
    item = parse(f"{limit} per hour")
    ours = FixedWindowRateLimiter(LeanMemoryStorage())
    reference_store = MemoryStorage()
    reference = FixedWindowRateLimiter(reference_store)
    try:
        for key in hits:
            assert ours.hit(item, key) == reference.hit(item, key)
            assert ours.get_window_stats(item, key).remaining == (
                reference.get_window_stats(item, key).remaining
            )
    finally:
        reference_store.timer.cancel()


def test_a_window_expires() -> None:
    store = LeanMemoryStorage()
    assert store.incr("k", 0.05) == 1
    assert store.incr("k", 0.05) == 2
    threading.Event().wait(0.1)
    assert store.get("k") == 0
    assert store.incr("k", 10) == 1


def test_no_hit_is_lost_between_threads() -> None:
    store = LeanMemoryStorage()

    def hit() -> None:
        for _ in range(2000):
            store.incr("shared", 60)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.incr("shared", 60) == 16001
