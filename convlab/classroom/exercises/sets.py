"""Exercises by kind and seed, sets of them, and the URL parameters a teacher's link carries.

The same (kind, seed, level) always gives the same exercise, and make_set() the same set, so a teacher's
link gives every student the same questions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from convlab.errors import ConvlabError
from convlab.classroom.exercises.generators import KINDS
from convlab.classroom.exercises.model import LEVELS, Draw, Exercise


def make_exercise(kind: str, seed: int = 0, level: int = 1) -> Exercise:
    """The exercise of this kind for this seed and level (1 easy … 3 hard): the same every time.

    >>> make_exercise("tf_same", seed=4, level=2).title
    'TensorFlow "same" padding'
    """
    if kind not in KINDS:
        raise ConvlabError(f"no exercise kind {kind!r}; choose from: {', '.join(KINDS)}")
    if level not in LEVELS:
        raise ConvlabError(f"level {level!r}: use 1, 2 or 3")
    if not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ConvlabError(f"seed {seed!r}: use a whole number from 0 to {2**32 - 1}")
    rng = np.random.default_rng([int(seed), list(KINDS).index(kind), level])
    return KINDS[kind][1](Draw(kind, int(seed), level, rng))


def make_set(kinds: Sequence[str], count: int, level: int = 1, seed: int = 0) -> list[Exercise]:
    """count exercises cycling through kinds; question i has seed (seed, i). Same arguments, same set.

    >>> [e.kind for e in make_set(["tf_same", "params"], 3, seed=1)]
    ['tf_same', 'params', 'tf_same']
    """
    kinds = list(kinds)
    if not kinds:
        raise ConvlabError("choose at least one kind of exercise")
    if not 1 <= int(count) <= 50:
        raise ConvlabError(f"count {count}: a set has 1 to 50 exercises")
    return [make_exercise(kinds[i % len(kinds)], (int(seed) * 1009 + i) % 2**32, level) for i in range(int(count))]


def set_params(kinds: Sequence[str], count: int, level: int, seed: int) -> dict[str, str]:
    """The URL parameters of a set (what a teacher's link carries).

    >>> set_params(["params", "tf_same"], 5, 2, 42)
    {'kinds': 'params,tf_same', 'count': '5', 'level': '2', 'seed': '42'}
    """
    make_set(kinds, count, level, seed)                     # refuses what cannot be made
    return {"kinds": ",".join(kinds), "count": str(count), "level": str(level), "seed": str(seed)}


def parse_kinds(text: str) -> list[str]:
    """"params,tf_same" → ["params", "tf_same"]; ConvlabError for unknown kinds.

    >>> parse_kinds("params,tf_same")
    ['params', 'tf_same']
    """
    kinds = [k.strip() for k in str(text).split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ConvlabError(f"names an unknown kind of exercise ({unknown[0][:40]!r}); known: {', '.join(KINDS)}")
    return kinds


def parse_set_params(params: dict[str, str]) -> tuple[list[str], int, int, int]:
    """Back from URL parameters; ConvlabError with what is wrong for a damaged link.

    >>> parse_set_params({"kinds": "params,tf_same", "count": "5", "level": "2", "seed": "42"})
    (['params', 'tf_same'], 5, 2, 42)
    """
    try:
        kinds = [k for k in str(params.get("kinds", "")).split(",") if k]
        count, level, seed = int(params.get("count", 5)), int(params.get("level", 1)), int(params.get("seed", 0))
    except ValueError:
        raise ConvlabError("this exercise link is damaged (count, level and seed must be whole numbers): "
                           "ask your teacher for the link again") from None
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise ConvlabError("this exercise link names no known kind of exercise: ask your teacher for the link again")
    make_set(kinds, count, level, seed)
    return kinds, count, level, seed
