"""What an exercise is: its answer boxes (Part), the exercise itself (Exercise), and Draw, what a generator
is handed (kind, seed, level and the random stream they seed) to build one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from convlab.errors import ConvlabError
from convlab.classroom.exercises.answers import Part, Result, check_part

LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class Exercise:
    """One generated question with its answer boxes, a hint and the worked solution."""

    kind: str
    seed: int
    level: int
    title: str
    question: str                                  # Markdown (numbers only; no user text)
    parts: tuple[Part, ...]
    hint: str
    solution: tuple[str, ...]                      # the worked solution, one step per line
    figures: tuple[tuple[str, np.ndarray], ...] = field(default=())   # (title, grid) to draw as matrices
    data: dict = field(default_factory=dict, compare=False)           # the configuration, for tests and snippets

    def check(self, answers: Sequence[str]) -> Result:
        """Check typed answers, one per part. Unreadable text is reported (with what to type), not graded."""
        if len(answers) != len(self.parts):
            raise ConvlabError(f"this exercise has {len(self.parts)} answer(s), got {len(answers)}")
        return Result(tuple(check_part(p, a) for p, a in zip(self.parts, answers)))


@dataclass(frozen=True)
class Draw:
    """What a generator is handed: the kind, seed and level asked for and the random stream they seed.

    >>> d = Draw("output_size", 3, 1, np.random.default_rng(0))
    >>> d.exercise("Title", "Q?", [Part("x", 1, "int")], "hint", ["Answer: 1"]).parts[0].answer
    1
    """

    kind: str
    seed: int
    level: int
    rng: np.random.Generator

    def exercise(self, title: str, question: str, parts: Sequence[Part], hint: str, solution: Sequence[str],
                 figures: Sequence[tuple[str, np.ndarray]] = (), data: dict | None = None) -> Exercise:
        """The Exercise of this draw."""
        return Exercise(self.kind, self.seed, self.level, title, question, tuple(parts), hint, tuple(solution),
                        tuple(figures), dict(data or {}))
