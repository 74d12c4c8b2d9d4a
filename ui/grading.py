"""Grading you can trust: what an attempt is, and where a question stands for one student.

A student checks an answer; a readable answer is an attempt. The same numbers typed again ("1, 2" then
"(1,2)") are the same attempt: a double click, a retry after a lost connection or re-checking the same
answer never counts twice and never uses up a try. After `tries` wrong attempts the worked solution can be
opened; opening it before answering right marks the question "revealed": a right answer typed after that
earns no credit. The class store (ui.store) and the solo exercises page (SoloGrades) share these rules.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from convlab.classroom.exercises import Exercise, Result, parse_numbers

__all__ = ["Attempt", "QuestionState", "read_attempt", "fold", "SoloGrades", "DEFAULT_TRIES", "MAX_TRIES"]

DEFAULT_TRIES = 2
MAX_TRIES = 10
_TYPED_MAX = 200                  # characters kept of each typed part
# "2,359,296" is one number when one is asked for (the same reading as convlab.classroom.exercises' checker)
_THOUSANDS = re.compile(r"^\s*[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*$")


@dataclass(frozen=True)
class Attempt:
    """One readable answer: what was typed (parts joined by " | "), the numbers read from it, and whether
    it is right. `key` is the same for the same numbers: the store keeps one row per key."""

    typed: str
    normalized: str
    correct: bool

    @property
    def key(self) -> str:
        return hashlib.sha256(self.normalized.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class QuestionState:
    """Where one question stands for one student."""

    tries: int = 0                     # distinct answers checked
    right: bool = False                # answered right before opening the solution: it scores
    revealed: bool = False             # the solution was opened before a right answer: it does not score
    last_correct: bool | None = None   # the latest answer, right or not

    def can_open(self, allowed: int) -> bool:
        """Whether the worked solution may be opened after `allowed` wrong tries."""
        return self.right or self.revealed or self.tries >= allowed

    @property
    def status(self) -> str:
        """"right", "revealed", "wrong" or "new"."""
        return "right" if self.right else "revealed" if self.revealed else "wrong" if self.tries else "new"


def _numbers(text: str, count: int) -> list[float]:
    if count == 1 and _THOUSANDS.match(text or ""):
        text = text.replace(",", "")
    return parse_numbers(text or "")


def read_attempt(ex: Exercise, typed: Sequence[str]) -> tuple[Result, Attempt | None]:
    """Check typed answers against `ex`; the attempt is None when some part is unreadable (not graded).

    >>> from convlab.classroom.exercises import make_exercise
    >>> ex = make_exercise("tf_same", 3, 1)
    >>> a = read_attempt(ex, ["(1)", "0", "1"])[1]; b = read_attempt(ex, ["1.0", " 0", "1 "])[1]
    >>> a.normalized, a.key == b.key
    ('1 | 0 | 1', True)
    """
    result = ex.check(list(typed))
    if not result.readable:
        return result, None
    normalized = " | ".join(", ".join(f"{v + 0.0:.10g}" for v in _numbers(text, p.count)) for p, text in zip(ex.parts, typed))
    shown = " | ".join(" ".join(str(text).split())[:_TYPED_MAX] for text in typed)
    return result, Attempt(shown[:1000], normalized[:1000], result.correct)


def fold(attempts: Sequence[tuple[bool, bool]], revealed: bool) -> QuestionState:
    """A question's state from its attempts in order, each (correct, typed after the solution was opened),
    and whether the solution was opened.

    >>> fold([(False, False), (True, False)], revealed=True).status      # right first: opening it later is free
    'right'
    >>> fold([(False, False), (True, True)], revealed=True).status       # right only after seeing the answer
    'revealed'
    """
    right = any(ok and not after for ok, after in attempts)
    return QuestionState(len(attempts), right, revealed and not right, attempts[-1][0] if attempts else None)


class SoloGrades:
    """The same rules for one student practising alone, kept in a dict (their session state)."""

    def __init__(self, store: dict):
        self.store = store          # question key -> {"keys": [...], "attempts": [(correct, after)], "revealed": bool}

    def _entry(self, q: str) -> dict:
        return self.store.setdefault(q, {"keys": [], "attempts": [], "revealed": False})

    def state(self, q: str) -> QuestionState:
        e = self.store.get(q)
        return fold(e["attempts"], e["revealed"]) if e else QuestionState()

    def record(self, q: str, attempt: Attempt) -> tuple[QuestionState, bool]:
        """The state after this attempt, and whether it was a new one."""
        e = self._entry(q)
        new = attempt.key not in e["keys"]
        if new:
            e["keys"].append(attempt.key)
            e["attempts"].append((attempt.correct, e["revealed"]))
        return self.state(q), new

    def reveal(self, q: str) -> QuestionState:
        e = self._entry(q)
        if not self.state(q).right:
            e["revealed"] = True
        return self.state(q)
