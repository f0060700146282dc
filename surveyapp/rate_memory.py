"""Fixed-window rate-limit counters in process memory, with no thread and no lock per hit.

The ``limits`` package's own memory store starts a timer thread to expire its keys
whenever the last one has finished (on a busy server: on nearly every request) and
takes a lock per key on every hit; under the benchmark that was a tenth of a form
view's CPU. Here a window's counter is an ``itertools.count`` made once per (key,
window): ``next()`` on it is one C call, atomic under the GIL, so concurrent threads
of a gthread worker never lose a hit. Expired windows are dropped lazily when their
key is hit again, and all of them in one sweep every ``SWEEP_EVERY`` hits.

Like ``memory://`` it counts per process (see surveyapp/limits.py): several
workers or servers share their limits through Redis.
"""

from __future__ import annotations

import itertools
import time

from limits.storage import Storage

SCHEME = "surveyapp-memory"
#: Hits between two sweeps of expired windows (bounds the memory of idle keys).
SWEEP_EVERY = 4096


class _Window:
    __slots__ = ("counter", "expires", "hits")

    def __init__(self, expires: float) -> None:
        self.counter = itertools.count(1)
        self.expires = expires
        #: The last value ``next(counter)`` returned (what ``get`` reports).
        self.hits = 0


class LeanMemoryStorage(Storage):
    """Fixed-window counters (``incr``/``get``/``get_expiry``) without a lock per hit."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 - the limits registry reads this class attribute

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: str) -> None:
        self._windows: dict[str, _Window] = {}
        self._sweep = itertools.count(1)
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def _live(self, key: str, now: float) -> _Window | None:
        window = self._windows.get(key)
        if window is not None and window.expires <= now:
            # Only the window that expired: a racing thread may have put a new one.
            if self._windows.get(key) is window:
                self._windows.pop(key, None)
            return None
        return window

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        if next(self._sweep) % SWEEP_EVERY == 0:
            self._drop_expired(now)
        window = self._live(key, now)
        if window is None:
            # setdefault is atomic: two threads opening the same window share it.
            window = self._windows.setdefault(key, _Window(now + expiry))
        value = next(window.counter)
        for _ in range(amount - 1):
            value = next(window.counter)
        window.hits = max(window.hits, value)
        return value

    def get(self, key: str) -> int:
        window = self._live(key, time.time())
        return 0 if window is None else window.hits

    def get_expiry(self, key: str) -> float:
        now = time.time()
        window = self._live(key, now)
        return now if window is None else window.expires

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        count = len(self._windows)
        self._windows.clear()
        return count

    def clear(self, key: str) -> None:
        self._windows.pop(key, None)

    def _drop_expired(self, now: float) -> None:
        for key, window in list(self._windows.items()):
            if window.expires <= now and self._windows.get(key) is window:
                self._windows.pop(key, None)
