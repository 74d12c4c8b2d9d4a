"""Convolution as a matrix: the shape and one column of im2col, one row of the Toeplitz matrix."""

from __future__ import annotations

from convlab._core.format import num
from convlab.classroom.exercises.generators.common import ints
from convlab.classroom.exercises.answers import Part
from convlab.classroom.exercises.model import Draw, Exercise
from convlab.convolution.matrices import conv1d_matrix, im2col


def im2col_column(draw: Draw) -> Exercise:
    """The shape of im2col's matrix and one of its columns (channels and padding at level 3)."""
    rng, level = draw.rng, draw.level
    c = 1 if level < 3 else 2
    h = int(rng.integers(3, 5))
    k, s = 2, (1 if level == 1 else int(rng.integers(1, 3)))
    p = 0 if level < 3 else int(rng.integers(0, 2))
    x = ints(rng, 0, 9, (c, h, h))
    cols = im2col(x, k, s, p)
    j = int(rng.integers(0, cols.shape[1]))
    ow = (h + 2 * p - k) // s + 1
    r, q_ = divmod(j, ow)
    q = (f"im2col turns every {k}×{k} window of x (stride {s}" + (f", padding {p}" if p else "") +
         f") into one column, channel by channel, row by row. What is the shape of the matrix, and what is column {j}?")
    steps = [f"Rows: C·k·k = {c}·{k}·{k} = {cols.shape[0]} values per window.",
             f"Columns: one per output position, {ow}×{ow} = {cols.shape[1]}.",
             f"Column {j} is the window of output ({r}, {q_}) (columns go row by row): it starts at row {r * s - p}, "
             f"column {q_ * s - p} of x" + (" (negative: in the padding, zeros)" if p and (r * s < p or q_ * s < p) else "")
             + ".", f"Answer: {cols.shape[0]}×{cols.shape[1]}; column {j} = {', '.join(num(v) for v in cols[:, j])}"]
    figs = [(f"x channel {i}", x[i]) for i in range(c)]
    return draw.exercise("im2col", q,
                         [Part("shape (rows, columns)", cols.shape, "ints"), Part(f"column {j}", cols[:, j], "numbers")],
                         "Each column is one window unrolled; count the windows for the columns.", steps, figs,
                         dict(x=x, k=k, s=s, p=p, j=j))


def toeplitz_row(draw: Draw) -> Exercise:
    """One row of the matrix T with y = T·x for a 1D convolution (stride from level 2, padding at level 3)."""
    rng, level = draw.rng, draw.level
    n = int(rng.integers(4, 8))
    k = int(rng.integers(2, 4))
    s = 1 if level == 1 else int(rng.integers(1, 3))
    p = 0 if level < 3 else 1
    w = ints(rng, -2, 3, k)
    t = conv1d_matrix(n, w, stride=s, padding=p)
    r = int(rng.integers(0, t.shape[0]))
    start = r * s - p
    q = (f"Write the convolution of an input of length {n} with w (stride {s}" + (f", padding {p}" if p else "")
         + f") as a matrix T, so that y = T·x. What is row {r} of T?")
    steps = [f"T has one row per output ({t.shape[0]}) and one column per input ({n}).",
             f"Output {r}'s window starts at input {r}·{s} − {p} = {start}: w's values go in columns "
             f"{start}..{start + k - 1}, zeros elsewhere" + (" (columns outside 0..n−1 fall in the padding and are left out)."
                                                             if start < 0 or start + k > n else "."),
             f"Answer: {', '.join(num(v) for v in t[r])}"]
    return draw.exercise("A Toeplitz row", q, [Part(f"row {r} ({n} numbers)", t[r], "numbers")],
                         "Each row is w shifted: by the stride from one row to the next.", steps, [("w", w[None])],
                         dict(n=n, w=w, s=s, p=p, r=r))
