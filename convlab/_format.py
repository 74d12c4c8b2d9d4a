"""Number formatting for captions such as "3×1 + 2×0 + 2×2 = 7" (private)."""

from __future__ import annotations


def num(v: float) -> str:
    """7.0 -> '7', 0.12345 -> '0.1235', -2.0 -> '-2' (4 significant digits, no '.0' on whole numbers)."""
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


def factor(v: float) -> str:
    """A number as the right-hand operand of ×: negatives in parentheses."""
    s = num(v)
    return f"({s})" if s.startswith("-") else s
