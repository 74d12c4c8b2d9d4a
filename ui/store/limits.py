"""Rate limits for joins, code look-ups and submissions: token buckets kept in this process's memory.

A bucket holds `burst` tokens and gains `per_second` back; an action that finds it empty is refused with the
seconds to wait. Keys name who is limited: ("join", session), ("join", class code), ("bad code", session), ...
Each replica keeps its own buckets, so behind N replicas a class's limits are N times larger; the hard caps
that must hold everywhere (students per class) are checked in the database.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from ui.store.db import ClassError

__all__ = ["Limit", "RateLimited", "LIMITS", "check", "reset"]


class RateLimited(ClassError):
    """Too many tries; the message says how long to wait."""


@dataclass(frozen=True)
class Limit:
    burst: float
    per_second: float
    message: str                 # what was limited, e.g. "too many wrong class codes from this tab"


# (who, what) -> limit. A class of 100 all answering at once fits in the class buckets; one tab cannot flood.
LIMITS = {
    "bad code": Limit(5, 1 / 10, "too many wrong class codes were tried in this tab"),
    "bad key": Limit(5, 1 / 10, "too many wrong teacher keys were tried in this tab"),
    "join session": Limit(5, 1 / 10, "too many joins from this tab"),
    "join class": Limit(300, 5, "too many students are joining this class at once"),
    "submit session": Limit(20, 1, "answers are being sent too fast from this tab"),
    "submit class": Limit(1000, 50, "this class is sending answers faster than the server takes them"),
}
_MAX_KEYS = 20_000
_buckets: OrderedDict[tuple[str, str], list[float]] = OrderedDict()     # key -> [tokens, updated]
_lock = threading.Lock()


def check(kind: str, who: str, take: bool = True, now: float | None = None) -> None:
    """Take a token from the bucket of (kind, who), or raise RateLimited saying how long to wait. With
    take=False only check that one is there (e.g. before a look-up that costs a token only if it fails)."""
    limit = LIMITS[kind]
    now = time.monotonic() if now is None else now
    with _lock:
        tokens, updated = _buckets.pop((kind, who), (limit.burst, now))
        tokens = min(limit.burst, tokens + (now - updated) * limit.per_second)
        if tokens < 1:
            _buckets[(kind, who)] = [tokens, now]
            wait = math.ceil((1 - tokens) / limit.per_second)
            raise RateLimited(f"{limit.message}: wait {wait} s and try again")
        _buckets[(kind, who)] = [tokens - take, now]
        while len(_buckets) > _MAX_KEYS:               # the oldest idle buckets are full again anyway
            _buckets.popitem(last=False)


def reset() -> None:
    """Forget every bucket (tests)."""
    with _lock:
        _buckets.clear()
