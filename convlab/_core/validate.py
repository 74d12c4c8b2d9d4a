"""Input checking shared by every public function (private module).

Every user-facing value passes through here, so a bad value gives one clear
ConvlabError that names the parameter, shows the value and says what to change.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from convlab.errors import ConvlabError

# Larger magnitudes overflow or lose whole-number exactness in float64 products and sums.
MAX_ABS = 1e15
# The most values one array convlab builds may hold (2 GiB of float64: a 1024×1024 colour photo through a 9×9 kernel
# fits): a padding, stride or dilation of 10⁹ asks for more memory than any laptop has, and gets a message instead
# of a MemoryError or a machine that swaps.
MAX_CELLS = 2**28

__all__ = ["as_array", "positive_int", "nonneg_int", "int_pair", "int_triple", "fmt_shape", "check_cells", "check_conv_cells",
           "MAX_CELLS"]


def fmt_shape(shape: tuple[int, ...]) -> str:
    """(3, 4, 5) -> '(3, 4, 5)'; used in messages."""
    return "(" + ", ".join(str(int(s)) for s in shape) + (",)" if len(shape) == 1 else ")")


def check_cells(what: str, shape: tuple[int, ...], change: str = "use less padding, a smaller stride or dilation, "
                "or a smaller input") -> None:
    """Refuse an array of more than MAX_CELLS values before it is allocated.

    >>> try:
    ...     check_cells("the padded input", (1, 5, 6000000005))
    ... except ConvlabError as err:
    ...     print(str(err)[:72])
    the padded input would be (1, 5, 6000000005): 30,000,000,025 values, mor
    """
    n = int(np.prod([int(s) for s in shape], dtype=object))      # Python ints: no overflow
    if n > MAX_CELLS:
        raise ConvlabError(f"{what} would be {fmt_shape(shape)}: {n:,} values, more than the {MAX_CELLS:,} convlab "
                           f"computes with; {change}")


def check_conv_cells(channels: int, padded: tuple[int, ...], taps: int, filters: int, out: tuple[int, ...]) -> None:
    """The three arrays a convolution builds, each within MAX_CELLS: the padded input (channels, *padded), the
    windows (channels · taps per window, one column per output position) and the output (filters, *out)."""
    check_cells("the padded input", (channels, *padded))
    check_cells("the windows (im2col)", (channels * taps, int(np.prod(out))))
    check_cells("the output", (filters, *out))


def _to_numpy(value: Any, name: str) -> np.ndarray:
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value)
    except ValueError:
        arr = np.asarray(value, dtype=object)
    if arr.dtype == object:
        _explain_object_array(value, name)
    return arr


def _explain_object_array(value: Any, name: str) -> None:
    """Raise the clearest message for a nested list numpy could not make rectangular or numeric."""
    if isinstance(value, (list, tuple)):
        lengths = [len(v) if isinstance(v, (list, tuple, np.ndarray)) else None for v in value]
        if len(set(lengths)) > 1:
            shown = ", ".join("a number" if n is None else str(n) for n in lengths)
            raise ConvlabError(f"{name} is ragged: its rows have lengths {shown}; every row needs the same length")
        for v in value:
            _explain_object_array(v, name)
        return
    if not isinstance(value, numbers.Number) or isinstance(value, complex):
        raise ConvlabError(f"{name} contains {value!r}, which is not a number; use plain numbers such as 1, -2 or 0.5")


def as_array(value: Any, name: str, ndims: tuple[int, ...], shape_hint: str) -> np.ndarray:
    """Return `value` as a finite float64 array with one of the allowed numbers of dimensions.

    `shape_hint` describes the allowed shapes in the message, e.g. "(L,) or (C, L)".
    """
    if value is None:
        raise ConvlabError(f"{name} is missing: give an array of shape {shape_hint}")
    arr = _to_numpy(value, name)
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind in "US":
            bad = next((v for v in arr.ravel() if not _parses(v)), next(iter(arr.ravel()), ""))
            raise ConvlabError(f"{name} contains {str(bad)!r}, which is not a number; use plain numbers such as 1, -2 or 0.5")
        raise ConvlabError(f"{name} has values of type {arr.dtype}, not real numbers; use plain numbers")
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim not in ndims:
        raise ConvlabError(f"{name} must have shape {shape_hint}; got shape {fmt_shape(arr.shape)}")
    if arr.size == 0:
        raise ConvlabError(f"{name} is empty (shape {fmt_shape(arr.shape)}); give at least one value per axis")
    if not np.all(np.isfinite(arr)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        bad = arr[where]
        raise ConvlabError(f"{name} contains {bad} at index {list(where)}; every value must be a finite number")
    if np.abs(arr).max() > MAX_ABS:
        where = tuple(int(i) for i in np.unravel_index(np.abs(arr).argmax(), arr.shape))
        raise ConvlabError(f"{name} contains {arr[where]:g} at index {list(where)}; "
                           f"use values between -{MAX_ABS:g} and {MAX_ABS:g}")
    return arr


def _parses(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, float, np.floating)):
        raise ConvlabError(f"{name} must be a whole number; got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value) or value != int(value):
            raise ConvlabError(f"{name} must be a whole number; got {value!r}")
    return int(value)


def positive_int(value: Any, name: str) -> int:
    """A whole number >= 1 (stride, dilation, kernel size, channel counts)."""
    n = _as_int(value, name)
    if n <= 0:
        raise ConvlabError(f"{name} must be at least 1; got {n}")
    return n


def nonneg_int(value: Any, name: str) -> int:
    """A whole number >= 0 (padding amounts)."""
    n = _as_int(value, name)
    if n < 0:
        raise ConvlabError(f"{name} must be 0 or more; got {n}")
    return n


def int_pair(value: Any, name: str, check=positive_int) -> tuple[int, int]:
    """An int for both axes, or a (rows, cols) pair; each checked by `check`."""
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) != 2:
            raise ConvlabError(f"{name} must be one number or a (rows, cols) pair; got {tuple(value)!r}")
        return check(value[0], f"{name}[0]"), check(value[1], f"{name}[1]")
    v = check(value, name)
    return v, v


def int_triple(value: Any, name: str, check=positive_int) -> tuple[int, int, int]:
    """An int for all three axes, or a (depth, rows, cols) triple; each checked by `check`."""
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) != 3:
            raise ConvlabError(f"{name} must be one number or a (depth, rows, cols) triple; got {tuple(value)!r}")
        return check(value[0], f"{name}[0]"), check(value[1], f"{name}[1]"), check(value[2], f"{name}[2]")
    v = check(value, name)
    return v, v, v
