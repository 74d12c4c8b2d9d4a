"""Read numbers that people type: vectors like "1, 0, 2" and grids like "1 2; 3 4".

Used for text boxes and URL values, so a typo gives a ConvlabError that says where it is.
"""

from __future__ import annotations

import re

import numpy as np

from convlab._core.format import num
from convlab.errors import ConvlabError

__all__ = ["parse_vector", "parse_grid", "parse_grids", "parse_layer", "format_vector", "format_grid", "format_grids"]

_SPLIT = re.compile(r"[,\s]+")


def parse_vector(text: str, name: str = "values", max_len: int = 64) -> np.ndarray:
    """"1, 0, 2" or "1 0 2" or "[1, 0, 2]" -> array([1., 0., 2.]).

    >>> parse_vector("[1, 0, -2.5]")
    array([ 1. ,  0. , -2.5])
    >>> parse_vector("1, x, 2", "w")
    Traceback (most recent call last):
    ...
    convlab.errors.ConvlabError: w: 'x' (number 2) is not a number; type numbers separated by commas or spaces
    """
    if not isinstance(text, str):
        raise ConvlabError(f"{name} must be text such as '1, 0, 2'; got {text!r}")
    items = [t for t in _SPLIT.split(text.strip().strip("[]()")) if t]
    if not items:
        raise ConvlabError(f"{name} is empty: type numbers separated by commas, e.g. 1, 0, 2")
    if len(items) > max_len:
        raise ConvlabError(f"{name} has {len(items)} numbers; use at most {max_len}")
    values = []
    for i, item in enumerate(items, start=1):
        try:
            v = float(item)
        except ValueError:
            raise ConvlabError(f"{name}: {item!r} (number {i}) is not a number; "
                               "type numbers separated by commas or spaces") from None
        if not np.isfinite(v) or abs(v) > 1e15:
            raise ConvlabError(f"{name}: {item!r} (number {i}) is not allowed; use finite values between -1e15 and 1e15")
        values.append(v)
    return np.array(values)


def parse_grid(text: str, name: str = "grid", max_side: int = 32) -> np.ndarray:
    """Rows separated by ";" or new lines: "1 2; 3 4" -> [[1, 2], [3, 4]].

    >>> parse_grid("1 2; 3 4")
    array([[1., 2.],
           [3., 4.]])
    >>> parse_grid("1 2; 3", "x")
    Traceback (most recent call last):
    ...
    convlab.errors.ConvlabError: x: row 2 has 1 number(s) but row 1 has 2; every row needs the same length
    """
    if not isinstance(text, str):
        raise ConvlabError(f"{name} must be text such as '1 2; 3 4'; got {text!r}")
    lines = [ln for ln in re.split(r"[;\n]", text.strip()) if ln.strip()]
    if not lines:
        raise ConvlabError(f"{name} is empty: type rows of numbers separated by ';', e.g. 1 2; 3 4")
    if len(lines) > max_side:
        raise ConvlabError(f"{name} has {len(lines)} rows; use at most {max_side}")
    rows = [parse_vector(ln, f"{name} row {i}", max_side) for i, ln in enumerate(lines, start=1)]
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise ConvlabError(f"{name}: row {i} has {len(row)} number(s) but row 1 has {len(rows[0])}; "
                               "every row needs the same length")
    return np.array(rows)


def parse_grids(text: str, name: str = "grids", max_side: int = 32, max_count: int = 8) -> np.ndarray:
    """Several same-shaped grids separated by "|": "1 2; 3 4 | 5 6; 7 8" -> shape (2, 2, 2).

    >>> parse_grids("1 2; 3 4 | 0 1; 1 0").shape
    (2, 2, 2)
    """
    parts = [p for p in str(text).split("|") if p.strip()]
    if not parts:
        raise ConvlabError(f"{name} is empty: type grids like 1 2; 3 4 separated by '|'")
    if len(parts) > max_count:
        raise ConvlabError(f"{name} has {len(parts)} grids; use at most {max_count}")
    grids = [parse_grid(p, f"{name} {i}" if len(parts) > 1 else name, max_side) for i, p in enumerate(parts, start=1)]
    for i, g in enumerate(grids[1:], start=2):
        if g.shape != grids[0].shape:
            raise ConvlabError(f"{name}: grid {i} is {g.shape[0]}×{g.shape[1]} but grid 1 is "
                               f"{grids[0].shape[0]}×{grids[0].shape[1]}; all must have the same size")
    return np.stack(grids)


def format_vector(v) -> str:
    """array([1., 0., 2.]) -> '1, 0, 2' (round-trips through parse_vector)."""
    return ", ".join(num(x) for x in np.asarray(v, dtype=float).ravel())


def format_grid(g) -> str:
    """[[1, 2], [3, 4]] -> '1 2; 3 4'."""
    return "; ".join(" ".join(num(x) for x in row) for row in np.atleast_2d(np.asarray(g, dtype=float)))


def format_grids(gs) -> str:
    """(N, H, W) -> '1 2; 3 4 | 5 6; 7 8'."""
    return " | ".join(format_grid(g) for g in np.asarray(gs, dtype=float))


def parse_layer(x_text: str, w_text: str, max_side: int = 16, max_kernel: int = 7,
                max_channels: int = 3, max_filters: int = 3, groups: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Input grids and kernel grids -> x (C, H, W) and w (O, C/groups, KH, KW).

    The kernels are listed filter by filter, one grid per input channel the filter reads (all C of them, or
    with groups its group's C/groups).

    >>> x, w = parse_layer("1 2; 3 4 | 5 6; 7 8", "1 | 0 | 2 | 3")
    >>> x.shape, w.shape, w[1, :, 0, 0].tolist()
    ((2, 2, 2), (2, 2, 1, 1), [2.0, 3.0])
    >>> parse_layer("1 2; 3 4 | 5 6; 7 8", "1 | 0", groups=2)[1].shape      # depthwise: one kernel per channel
    (2, 1, 1, 1)
    """
    x = parse_grids(x_text, "x", max_side, max_channels)
    w = parse_grids(w_text, "w", max_kernel, max_channels * max_filters)
    if groups < 1 or len(x) % groups:
        raise ConvlabError(f"groups {groups} does not divide the {len(x)} input channel(s): use a divisor of {len(x)} "
                           "(1 is ordinary convolution, groups = channels is depthwise)")
    per = len(x) // groups
    if len(w) % per:
        raise ConvlabError(f"w has {len(w)} kernels for {len(x)} input channels: give {per} kernels "
                           f"(one per channel{' of its group' if groups > 1 else ''}) for each filter")
    return x, w.reshape(len(w) // per, per, *w.shape[1:])
