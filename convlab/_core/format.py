"""Number formatting, and the one place that writes sums such as "3×1 − 1×6 + 2×2 = 1" (private).

Captions use a proper minus sign (U+2212): a subtracted term reads "3×1 − 1×6", never "3×1 + -1×6"; a
negative first term or total keeps its sign ("−1×6 + 3×1 = −3"); a negative right operand of × goes in
parentheses ("3×(−1)"). Values a student types or copies (answers, cells, CSV) keep num()'s plain hyphen.
"""

from __future__ import annotations

from collections.abc import Iterable

MINUS = "\u2212"


def num(v: float, digits: int = 4) -> str:
    """A number as the pages write it: 4 significant digits (or `digits`), no '.0' on whole numbers.

    >>> num(7.0), num(0.12345), num(-2.0), num(0.5335512, 6)
    ('7', '0.1235', '-2', '0.533551')
    """
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{digits}g}"


def signed(v: float, digits: int = 4) -> str:
    """num() with a proper minus sign, for captions, the exponent's too (as the lesson view's show() writes it).

    >>> signed(-2.0), signed(0.5), signed(float("-inf")), signed(-1e-05)
    ('−2', '0.5', '−inf', '−1e−05')
    """
    return num(v, digits).replace("-", MINUS)


def factor(v: float) -> str:
    """A number as the right-hand operand of ×: negatives in parentheses.

    >>> factor(-1), factor(4)
    ('(−1)', '4')
    """
    s = signed(v)
    return f"({s})" if s.startswith(MINUS) else s


def product(a: float, b: float) -> str:
    """One term a×b of a sum; its sign is a's, which sum_text turns into the operator.

    >>> product(-1, 6), product(3, -1)
    ('−1×6', '3×(−1)')
    """
    return f"{signed(a)}×{factor(b)}"


def sum_text(terms: Iterable[str]) -> str:
    """Terms joined by + and −: a term starting with a minus sign is subtracted; the first keeps its sign.

    >>> sum_text(["3×1", "−1×6", "2×2"]), sum_text(["−1×6", "3×1", "−2"]), sum_text(["[1×2]", "[−1×3]"])
    ('3×1 − 1×6 + 2×2', '−1×6 + 3×1 − 2', '[1×2] + [−1×3]')
    """
    out = []
    for i, term in enumerate(terms):
        if i == 0:
            out.append(term)
        elif term.startswith(MINUS):
            out.append(f" {MINUS} {term[1:]}")
        else:
            out.append(f" + {term}")
    return "".join(out)


def equation(terms: Iterable[str], total: float) -> str:
    """A written-out sum and its value.

    >>> equation([product(3, 1), product(-1, 6)], -3)
    '3×1 − 1×6 = −3'

    A "sum" that is its one value already is not said twice (a depthwise channel's total read "Y = −1 = −1"):

    >>> equation([signed(-1)], -1), equation(["−1", "0"], -1)
    ('−1', '−1 + 0 = −1')
    """
    written = sum_text(terms)
    return written if written == signed(total) else f"{written} = {signed(total)}"


def plain(text: str) -> str:
    """A caption for fonts without × and − (Pillow's default font): '3×1 − 1×6' -> '3*1 - 1*6'.

    >>> plain("3×(−1) − 2 = −5")
    '3*(-1) - 2 = -5'
    """
    return text.replace("×", "*").replace(MINUS, "-")
