"""Answers as students type them: forgiving parsing ("(1,2)", "3×4", "−2", "7/3"), the right answer written
the same way, and checking one answer box against its right answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from convlab._core.format import num
from convlab.errors import ConvlabError

TOLERANCE = 0.006          # decimals: 2.33 is accepted for 7/3

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?:/\d+(?:\.\d*)?)?")
_THOUSANDS = re.compile(r"^\s*[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*$")
# what may stand around the numbers of an answer: separators and brackets, nothing else (no words, no markup)
_AROUND = re.compile(r"^[\s,;()\[\]]*$")
_KINDS = {"int": "a whole number", "number": "a number (a fraction like 7/3 or 2 decimals)",
          "ints": "whole numbers", "numbers": "numbers", "grid": "rows of numbers"}


@dataclass(frozen=True)
class Part:
    """One answer box: what is asked, the right answer and how it is typed.

    shape: "int" (one whole number), "number" (one number, 2 decimals are enough), "ints" (several whole
    numbers, e.g. a pair), "numbers" (a vector) or "grid" (a matrix, rows separated by ";").

    >>> Part("shape (rows, columns)", (4, 9), "ints").count
    2
    """

    prompt: str
    answer: Any
    shape: str
    example: str = ""

    @property
    def count(self) -> int:
        return int(np.size(self.answer))


@dataclass(frozen=True)
class PartResult:
    """The verdict on one answer box; readable is False when no answer could be read (then nothing is graded)."""

    correct: bool
    readable: bool
    message: str


@dataclass(frozen=True)
class Result:
    """The verdict on every answer box of an exercise."""

    parts: tuple[PartResult, ...]

    @property
    def correct(self) -> bool:
        return all(p.correct for p in self.parts)

    @property
    def readable(self) -> bool:
        return all(p.readable for p in self.parts)


def parse_numbers(text: str) -> list[float]:
    """Every number in a forgiving answer: "1, 2", "(1,2)", "1 2", "[1; 2]", "3×4", "−2", "7/3".

    >>> parse_numbers("(1,2)"), parse_numbers("3x4"), parse_numbers("−1.5; 7/2"), parse_numbers("2.5e3")
    ([1.0, 2.0], [3.0, 4.0], [-1.5, 3.5], [2500.0])
    """
    if not isinstance(text, str):
        raise ConvlabError("type the answer as text, e.g. 1, 2")
    if len(text) > 2000:
        raise ConvlabError("that answer is too long: type only the numbers asked for")
    clean = text.replace("−", "-").replace("–", "-").replace("×", " ").replace("*", " ")
    clean = re.sub(r"(?<=\d)\s*[xX]\s*(?=[-+\d.])", " ", clean)
    out = []
    for token in _NUMBER.findall(clean):
        if "/" in token:
            a, b = token.split("/")
            if float(b) == 0:
                raise ConvlabError(f"{token} divides by zero")
            out.append(float(Fraction(a) / Fraction(b)))
        else:
            out.append(float(token))
    return out


def only_numbers(text: str) -> bool:
    """Whether `text` is numbers and separators only, the way parse_numbers reads them: words, markup or units
    around a number are not read as an answer ("<b>5</b>", "about 5", "5 outputs").

    >>> [only_numbers(t) for t in ("(1, 2)", "3×4", "−1.5; 7/2", "<b>5</b>", "about 5", "5 outputs", "2.5e3")]
    [True, True, True, False, False, False, True]
    """
    clean = str(text).replace("−", "-").replace("–", "-").replace("×", " ").replace("*", " ")
    clean = re.sub(r"(?<=\d)\s*[xX]\s*(?=[-+\d.])", " ", clean)
    return bool(_AROUND.match(_NUMBER.sub(" ", clean)))


def format_value(answer: Any, shape: str) -> str:
    """A value typed as an answer of this shape ("int", "number", "ints", "numbers" or "grid").

    >>> format_value((1, 2), "ints"), format_value(np.array([[1, 2], [3, 4]]), "grid"), format_value(2.5, "number")
    ('1, 2', '1 2; 3 4', '2.5')
    """
    if shape == "grid":
        return "; ".join(" ".join(num(v) for v in row) for row in np.asarray(answer))
    if shape in ("ints", "numbers"):
        return ", ".join(num(v) for v in np.ravel(answer))
    return num(answer)


def format_answer(part: Part) -> str:
    """The right answer of an answer box as a student would type it.

    >>> format_answer(Part("", (1, 2), "ints")), format_answer(Part("", np.array([[1, 2], [3, 4]]), "grid"))
    ('1, 2', '1 2; 3 4')
    """
    return format_value(part.answer, part.shape)


def check_part(part: Part, text: str) -> PartResult:
    """Grade one typed answer; unreadable text gets a message with what to type, and is not graded.

    >>> [check_part(Part("outputs", 4, "int"), t).message for t in ("4", "5", "four")]
    ['right', 'not quite', 'outputs: no number found; type 1 number(s), e.g. 0']
    >>> check_part(Part("outputs", 5, "int"), "<b>5</b>").readable, check_part(Part("outputs", 5, "int"), "about 5").message
    (False, 'outputs: type only a whole number, e.g. 0; words, units and marks such as < > = % are not read as an answer')
    """
    example = part.example or format_value(np.zeros_like(np.asarray(part.answer, float)), part.shape)
    if part.count == 1 and _THOUSANDS.match(text or ""):
        text = text.replace(",", "")                      # "2,359,296" is one number
    try:
        values = parse_numbers(text or "")
    except ConvlabError as err:
        return PartResult(False, False, f"{part.prompt}: {err}")
    if not values:
        return PartResult(False, False, f"{part.prompt}: no number found; type {part.count} number(s), e.g. {example}")
    if not only_numbers(text):          # "<b>5</b>", "about 5": not graded, so it costs no try
        kind = _KINDS.get(part.shape, "numbers")
        return PartResult(False, False, f"{part.prompt}: type only {kind}, e.g. {example}; words, units and marks "
                                        "such as < > = % are not read as an answer")
    if len(values) != part.count:
        return PartResult(False, False, f"{part.prompt}: expected {part.count} number(s), you typed {len(values)} "
                                        f"(e.g. {example})")
    want = np.ravel(np.asarray(part.answer, dtype=float))
    got = np.asarray(values)
    if part.shape in ("int", "ints"):
        ok = bool(np.all(got == want))
    else:
        ok = bool(np.all(np.abs(got - want) <= TOLERANCE + 1e-9 * np.abs(want)))
    return PartResult(ok, True, "right" if ok else "not quite")
