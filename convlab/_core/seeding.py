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


def after_seed(seed: int, draw: Callable[[], Any], state_after: Any = None, tries: int = 20) -> Any:
    """draw() right after torch.manual_seed(seed). Code outside convlab may draw from torch's generator on another
    thread meanwhile (a training run's dropout for another session): with `state_after`, the generator's state that
    the draw alone leaves (made on a private generator), the draw is made again until the shared generator is left in
    exactly that state, so nothing else drew from it in between (at most `tries` times; then the last draw).

    >>> import torch
    >>> g = torch.Generator().manual_seed(3)
    >>> alone = torch.rand(4, generator=g)
    >>> bool((after_seed(3, lambda: torch.rand(4), g.get_state()) == alone).all())
    True
    """
    import torch
    got = None
    for _ in range(max(1, tries)):
        with seeded(seed):
            got = draw()
            left = torch.get_rng_state()
        if state_after is None or torch.equal(left, state_after):
            return got
    return got
