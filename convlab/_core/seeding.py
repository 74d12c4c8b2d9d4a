"""torch's global random generator is one per process, and a class's sessions share one server process: the one way
convlab seeds it and draws from it, so that two sessions' seeded draws never interleave.

Found by the class load test (30 students, 8 training): one student's /dropout check said "DIFFERS from
torch.nn.functional.dropout after torch.manual_seed", because another session's thread moved the generator between
the check's manual_seed and its F.dropout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["seeded", "after_seed", "exclusive"]

_LOCK = threading.RLock()


@contextmanager
def exclusive() -> Iterator[None]:
    """The block is the only convlab code seeding or drawing from torch's generator in this process (for code that
    seeds it and leaves it seeded on purpose, like a training run whose dropout goes on from its seed)."""
    with _LOCK:
        yield


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """The block runs right after torch.manual_seed(seed), and torch's generator is as it was afterwards; one such
    block at a time in this process (the generator is shared by every thread)."""
    import torch
    with _LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        yield


def after_seed(seed: int, draw: Callable[[], Any], tries: int = 5) -> Any:
    """draw() (a tensor) right after torch.manual_seed(seed), made until two in a row agree (at most `tries` times):
    code outside convlab that draws from torch's generator on another thread (a model being built for another
    session) cannot pass its draw off as torch's.

    >>> import torch
    >>> bool((after_seed(3, lambda: torch.rand(4)) == after_seed(3, lambda: torch.rand(4))).all())
    True
    """
    import torch
    last = None
    for _ in range(max(2, tries)):
        with seeded(seed):
            got = draw()
        if last is not None and torch.equal(got, last):
            return got
        last = got
    return last
