"""Graded exercises from the lecture notes' quizzes: seeded generators, forgiving answer checking,
hints and worked solutions with the numbers substituted.

Every answer is computed by convlab itself (output_size, resolve_padding, conv2d, pool2d, im2col,
conv1d_matrix, conv_layer_stats, receptive_field, conv2d_backward); the tests check those answers
independently against torch or the textbook formula. The same (kind, seed, level) always gives the
same exercise, and make_set() the same set, so a teacher's link gives every student the same questions.

>>> ex = make_exercise("output_size", seed=3, level=1)
>>> ex.check([str(ex.parts[0].answer)]).correct
True
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any
from collections.abc import Callable, Sequence

import numpy as np

from convlab._format import num
from convlab.arithmetic import conv_layer_stats, explain_output_size, receptive_field, resolve_padding
from convlab.backward import conv2d_backward, explain_grad_w
from convlab.errors import ConvlabError
from convlab.matrices import conv1d_matrix, im2col
from convlab.ops import conv1d_steps, conv2d, conv2d_steps, pool2d, pool2d_steps

__all__ = ["KINDS", "LEVELS", "Part", "PartResult", "Result", "Exercise", "make_exercise", "make_set",
           "parse_numbers", "parse_kinds", "format_answer", "worksheet_markdown", "worksheet_html",
           "set_params", "parse_set_params"]

LEVELS = (1, 2, 3)
TOLERANCE = 0.006          # decimals: 2.33 is accepted for 7/3


@dataclass(frozen=True)
class Part:
    """One answer box: what is asked, the right answer and how it is typed.

    shape: "int" (one whole number), "number" (one number, 2 decimals are enough), "ints" (several whole
    numbers, e.g. a pair), "numbers" (a vector) or "grid" (a matrix, rows separated by ";").
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
    correct: bool
    readable: bool
    message: str


@dataclass(frozen=True)
class Result:
    parts: tuple[PartResult, ...]

    @property
    def correct(self) -> bool:
        return all(p.correct for p in self.parts)

    @property
    def readable(self) -> bool:
        return all(p.readable for p in self.parts)


@dataclass(frozen=True)
class Exercise:
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
        return Result(tuple(_check_part(p, a) for p, a in zip(self.parts, answers)))


# ---------------------------------------------------------------- answers

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?:/\d+(?:\.\d*)?)?")
_THOUSANDS = re.compile(r"^\s*[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*$")


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


def format_answer(part: Part) -> str:
    """The right answer as a student would type it.

    >>> format_answer(Part("", (1, 2), "ints")), format_answer(Part("", np.array([[1, 2], [3, 4]]), "grid"))
    ('1, 2', '1 2; 3 4')
    """
    a = part.answer
    if part.shape == "grid":
        return "; ".join(" ".join(num(v) for v in row) for row in np.asarray(a))
    if part.shape in ("ints", "numbers"):
        return ", ".join(num(v) for v in np.ravel(a))
    return num(a)


def _check_part(part: Part, text: str) -> PartResult:
    example = part.example or format_answer(Part("", np.zeros_like(np.asarray(part.answer, float)), part.shape))
    if part.count == 1 and _THOUSANDS.match(text or ""):
        text = text.replace(",", "")                      # "2,359,296" is one number
    try:
        values = parse_numbers(text or "")
    except ConvlabError as err:
        return PartResult(False, False, f"{part.prompt}: {err}")
    if not values:
        return PartResult(False, False, f"{part.prompt}: no number found; type {part.count} number(s), e.g. {example}")
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


# ---------------------------------------------------------------- generators

def _ints(rng, lo, hi, size):
    return rng.integers(lo, hi + 1, size=size).astype(float)


def _out_size(rng, level):
    while True:
        n = int(rng.integers(5, 16 if level < 3 else 33))
        k = int(rng.integers(2, 6))
        s = int(rng.integers(1, 3 if level == 1 else 4))
        p = 0 if level == 1 else int(rng.integers(0, 3))
        d = 1 if level < 3 else int(rng.integers(1, 4))
        if (k - 1) * d + 1 <= n + 2 * p:
            break
    e = explain_output_size(n, k, s, p, d)
    setting = f"kernel size k = {k}, stride s = {s}" + (f", padding p = {p} on each side" if level > 1 else "") \
        + (f", dilation d = {d}" if d > 1 else "")
    q = f"A 1D input has n = {n} elements. It is convolved with {setting}. How many outputs are there?"
    steps = list(e.derivation) + [e.formula,
                                  "The stride tiles the input exactly." if e.tiles else
                                  f"{num(e.exact)} is not whole: round down (the last window must fit) → {e.output}.",
                                  f"Answer: {e.output}"]
    return ("Output size", q, (Part("outputs", e.output, "int"),),
            "Use (n + 2p − F) / s + 1 with F = (k − 1)·d + 1, and round down.", steps, (), dict(n=n, k=k, s=s, p=p, d=d))


def _dropped(rng, level):
    while True:
        n = int(rng.integers(6, 14 if level == 1 else 22))
        k = int(rng.integers(2, 5 if level == 1 else 7))
        s = int(rng.integers(2, 4 if level < 3 else 6))
        if k <= n:
            e = explain_output_size(n, k, s, "valid")
            if level == 1 or e.uncovered or rng.random() < 0.3:
                break
    last = (e.output - 1) * s
    q = (f"A \"valid\" convolution (no padding) of n = {n} inputs with a kernel of size {k} and stride {s}. "
         "How many inputs are never covered by any window?")
    steps = [e.formula, f"There are {e.output} windows; the last starts at index {last} and ends at {last + k - 1}."]
    steps += ([f"Inputs {', '.join(map(str, e.uncovered))} (0-based) are never covered: {len(e.uncovered)} dropped."]
              if e.uncovered else ["Every input is covered by some window: 0 dropped."])
    steps.append(f"Answer: {len(e.uncovered)}")
    return ("Dropped inputs", q, (Part("inputs dropped", len(e.uncovered), "int"),),
            "Find where the last window ends: index (outputs − 1)·s + k − 1. Inputs after it, and inputs in "
            "gaps between windows when s > k, are dropped.", steps, (("input", np.arange(n)[None].astype(float)),),
            dict(n=n, k=k, s=s))


def _tf_same(rng, level):
    if level == 3 and rng.random() < 0.4:
        n, k, s = 13, 6, 5                                            # seed 001's quiz
    else:
        while True:
            n = int(rng.integers(5, 20))
            k = int(rng.integers(2, 7))
            s = 1 if level == 1 else int(rng.integers(2, 6))
            if sum(resolve_padding(n, k, s, "same")) > 0 or rng.random() < 0.1:
                break
    before, after = resolve_padding(n, k, s, "same")
    out = math.ceil(n / s)
    total = before + after
    q = (f"TensorFlow's padding=\"same\": n = {n}, kernel size k = {k}, stride s = {s}. How much padding in "
         "total, and how much on each side?")
    steps = [f"\"same\" keeps ceil(n / s) = ceil({n} / {s}) = {out} outputs.",
             f"P = max((out − 1)·s + k − n, 0) = max(({out} − 1)·{s} + {k} − {n}, 0) = {total}",
             f"before = floor(P / 2) = {before}; after = P − before = {after} (TensorFlow puts the extra one "
             "at the end).", f"Answer: {total} in total, {before} before, {after} after"]
    return ("TensorFlow \"same\" padding", q,
            (Part("total padding", total, "int"), Part("before", before, "int"), Part("after", after, "int")),
            "First the number of outputs, ceil(n / s); then how many inputs the windows need.", steps, (),
            dict(n=n, k=k, s=s))


def _conv_cell(rng, level):
    if level == 1:
        x, w = _ints(rng, -2, 4, int(rng.integers(5, 8))), _ints(rng, -2, 3, 3)
        tr = conv1d_steps(x, w)
        i = int(rng.integers(0, len(tr)))
        st = tr[i]
        q = f"Cross-correlate x with w (valid, stride 1, no flip). What is output[{i}]?"
        figs = (("x", x[None]), ("w", w[None]))
        prompt = f"output[{i}]"
        data = dict(x=x, w=w, b=0.0, index=(i,))
    else:
        c = 1 if level == 2 else 2
        h = int(rng.integers(4, 6))
        x, w = _ints(rng, -2, 4, (c, h, h)), _ints(rng, -2, 2, (1, c, 3, 3))
        b = float(rng.choice([-3, -2, -1, 1, 2, 3])) if level == 3 else 0.0
        tr = conv2d_steps(x, w, [b])
        i = int(rng.integers(0, len(tr)))
        st = tr[i]
        _, r, q_ = st.out_index
        q = (f"Cross-correlate the {c}-channel input with the 3×3 filter (valid, stride 1)"
             + (f" and add the bias b = {num(b)}" if level == 3 else "") + f". What is output[{r}, {q_}]?")
        figs = tuple((f"x channel {k}", x[k]) for k in range(c)) + tuple((f"w channel {k}", w[0, k]) for k in range(c))
        prompt = f"output[{r}, {q_}]"
        data = dict(x=x, w=w, b=b, index=(r, q_))
    steps = [f"The window starts at row {st.rows[0]}, column {st.cols[0]}." if level > 1 else
             f"The window covers x[{st.cols[0]}..{st.cols[-1]}].",
             st.expression()]
    if level == 3:
        steps.append("Channels summed plus the bias: " + st.total_expression())
    steps.append(f"Answer: {num(st.value)}")
    return ("One output of a convolution", q, (Part(prompt, float(st.value), "number"),),
            "Lay the kernel on the window, multiply matching entries and add them up"
            + (" over every channel, then add the bias." if level == 3 else "."), steps, figs, data)


def _pooling(rng, level):
    size = 4 if level == 1 else 6
    x = _ints(rng, 0, 9, (size, size))
    mode = "max" if level == 1 else str(rng.choice(["max", "avg"]))
    k = 2 if level < 3 else int(rng.choice([2, 3]))
    s = k
    out = pool2d(x, k, s, mode=mode)
    tr = pool2d_steps(x, k, s, mode=mode)
    name = "max" if mode == "max" else "average"
    q = f"Apply {name} pooling with a {k}×{k} window and stride {s} to x. Type the whole output."
    steps = [f"The output is {out.shape[0]}×{out.shape[1]}: one value per {k}×{k} block."]
    steps += [f"out[{st.out_index[-2]}, {st.out_index[-1]}] = {st.expression()}" for st in tr]
    steps.append(f"Answer: {format_answer(Part('', out, 'grid'))}")
    example = "; ".join(" ".join("0" for _ in range(out.shape[1])) for _ in range(out.shape[0]))
    return (f"{name.capitalize()} pooling", q, (Part("output (rows separated by ;)", out, "grid", example),),
            f"Split x into {k}×{k} blocks and take the {'largest value' if mode == 'max' else 'mean'} of each.",
            steps, (("x", x),), dict(x=x, k=k, s=s, mode=mode))


def _params(rng, level):
    if level == 1 and rng.random() < 0.5:
        c, h, f, k, s, p = 3, 32, 6, 5, 1, 0                          # seed 002's example
    else:
        c = int(rng.choice([1, 3, 8, 16] if level > 1 else [1, 3]))
        h = int(rng.choice([8, 16, 28, 32, 64]))
        f, k = int(rng.choice([4, 6, 8, 10, 16, 32])), int(rng.choice([1, 3, 5]))
        s = 1 if level == 1 else int(rng.integers(1, 3))
        p = 0 if level == 1 else int(rng.integers(0, k // 2 + 1))
    st = conv_layer_stats((c, h, h), f, k, s, p)
    _, oh, ow = st.output_shape
    q = (f"A conv layer reads a {h}×{h}×{c} input (height × width × channels) with {f} filters of size {k}×{k}, "
         f"stride {s}, padding {p}, with biases. How many parameters does it have, and how many multiply–adds "
         "does one image cost?")
    steps = [f"Each filter has {k}·{k}·{c} weights and one bias: params = {st.params_formula}",
             f"Output size: ({h} + 2·{p} − {k}) / {s} + 1 → {oh}×{ow}×{f}",
             f"Each output value is a sum of {k}·{k}·{c} = {k * k * c} products: "
             f"{oh}·{ow}·{f}·{k * k * c} = {st.mult_adds} multiply–adds",
             f"Answer: {st.params} parameters, {st.mult_adds} multiply–adds"]
    return ("Parameters and cost", q, (Part("parameters", st.params, "int"), Part("multiply–adds", st.mult_adds, "int")),
            "Parameters: weights per filter (k·k·C) plus a bias, times the number of filters. Cost: one product "
            "per weight for every output position.", steps, (), dict(c=c, h=h, f=f, k=k, s=s, p=p))


def _read_config(rng, level):
    while True:
        c, f = int(rng.integers(1, 3 if level == 1 else 4)), int(rng.integers(1, 3 if level < 3 else 4))
        k, p = int(rng.integers(2, 4)), (0 if level == 1 else int(rng.integers(0, 2)))
        s, h = int(rng.integers(1, 3)), int(rng.integers(3, 6))
        if h + 2 * p - k >= 2:                                         # so that the stride shows in the output size
            break
    x = _ints(rng, 0, 3, (c, h, h))
    w = _ints(rng, -1, 1, (f, c, k, k))
    y = conv2d(x, w, stride=s, padding=p)
    figs = tuple((f"input channel {i}" + (" (padded)" if p else ""), np.pad(x[i], p)) for i in range(c))
    figs += tuple((f"filter {j}, channel {i}", w[j, i]) for j in range(f) for i in range(c))
    figs += tuple((f"output {j}", y[j]) for j in range(f))
    q = ("The picture shows a convolution layer at work: its input (with any zero padding drawn), its filters "
         "and its outputs. Read off the configuration.")
    oh = y.shape[1]
    steps = [f"Input channels: one grid per channel → {c}.", f"Kernels: one output map per filter → {f}.",
             f"Kernel size: each filter channel is {k}×{k} → {k}.",
             f"Padding: the ring of zeros around each input is {p} wide → {p}." if p else
             "Padding: no ring of added zeros → 0.",
             f"Stride: the output is {oh}×{oh}, and ({h} + 2·{p} − {k}) / s + 1 = {oh} holds for s = {s} → {s}.",
             f"Answer: {c}, {f}, {k}, {p}, {s}"]
    parts = (Part("input channels", c, "int"), Part("kernels", f, "int"), Part("kernel size", k, "int"),
             Part("padding", p, "int"), Part("stride", s, "int"))
    return ("Read the configuration", q, parts,
            "Count the grids; the stride is the one that makes the output-size formula give the output you see.",
            steps, figs, dict(x=x, w=w, s=s, p=p))


def _im2col(rng, level):
    c = 1 if level < 3 else 2
    h = int(rng.integers(3, 5))
    k, s = 2, (1 if level == 1 else int(rng.integers(1, 3)))
    p = 0 if level < 3 else int(rng.integers(0, 2))
    x = _ints(rng, 0, 9, (c, h, h))
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
    figs = tuple((f"x channel {i}", x[i]) for i in range(c))
    return ("im2col", q, (Part("shape (rows, columns)", cols.shape, "ints"), Part(f"column {j}", cols[:, j], "numbers")),
            "Each column is one window unrolled; count the windows for the columns.", steps, figs,
            dict(x=x, k=k, s=s, p=p, j=j))


def _toeplitz(rng, level):
    n = int(rng.integers(4, 8))
    k = int(rng.integers(2, 4))
    s = 1 if level == 1 else int(rng.integers(1, 3))
    p = 0 if level < 3 else 1
    w = _ints(rng, -2, 3, k)
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
    return ("A Toeplitz row", q, (Part(f"row {r} ({n} numbers)", t[r], "numbers"),),
            "Each row is w shifted: by the stride from one row to the next.", steps, (("w", w[None]),),
            dict(n=n, w=w, s=s, p=p, r=r))


def _receptive(rng, level):
    count = int(rng.integers(2, 4 if level == 1 else 5))
    layers = []
    for _ in range(count):
        k = int(rng.choice([2, 3, 5]))
        s = 1 if level == 1 else int(rng.integers(1, 3))
        d = 1 if level < 3 else int(rng.integers(1, 3))
        layers.append((k, s, d))
    steps_rf = receptive_field(layers)
    rows = "\n".join(f"| {i} | {k} | {s} | {d} |" for i, (k, s, d) in enumerate(layers, start=1))
    q = ("A stack of layers (kernel size k, stride s, dilation d):\n\n| layer | k | s | d |\n|---|---|---|---|\n"
         f"{rows}\n\nHow many input pixels (along one axis) does one output of the last layer see?")
    steps = ["Start with r0 = 1 and jump j0 = 1; each layer adds (k − 1)·d·j and multiplies j by s."]
    steps += [st.formula + f" (then j{st.layer} = {st.jump})" for st in steps_rf]
    steps.append(f"Answer: {steps_rf[-1].size}")
    return ("Receptive field", q, (Part("receptive field", steps_rf[-1].size, "int"),),
            "Grow the field layer by layer: r += (k − 1)·d·jump, and the jump multiplies by each stride.", steps, (),
            dict(layers=layers))


def _grad_w(rng, level):
    h = 3 if level == 1 else 4
    s = 1 if level < 3 else 2
    x = _ints(rng, -1, 3, (1, h, h))
    w = _ints(rng, -1, 2, (1, 1, 2, 2))
    oh = (h - 2) // s + 1
    g = _ints(rng, -2, 2, (1, oh, oh))
    grads = conv2d_backward(x, w, g, stride=s)
    a, b = int(rng.integers(0, 2)), int(rng.integers(0, 2))
    value = float(grads.grad_w[0, 0, a, b])
    q = (f"y = conv2d(x, w) with a 2×2 kernel, stride {s}, no padding. Given dL/dy, what is dL/dw[{a}, {b}]?")
    steps = [f"w[{a}, {b}] multiplies, in every window, the input {a} rows and {b} columns from the window's corner.",
             f"dL/dw[{a}, {b}] = Σ over outputs of dL/dy × that input: " + explain_grad_w(x, w, g, (0, 0, a, b), s),
             f"Answer: {num(value)}"]
    return ("One gradient of the weights", q, (Part(f"dL/dw[{a}, {b}]", value, "number"),),
            "Each weight's gradient sums dL/dy times the input value that weight touched, over all outputs.",
            steps, (("x", x[0]), ("w", w[0, 0]), ("dL/dy", g[0])), dict(x=x, w=w, g=g, s=s, a=a, b=b))


KINDS: dict[str, tuple[str, Callable]] = {
    "output_size": ("Output size (padding, stride, dilation)", _out_size),
    "dropped": ("Inputs a valid convolution drops", _dropped),
    "tf_same": ("TensorFlow \"same\" padding", _tf_same),
    "conv_cell": ("One output of a 1D / 2D convolution", _conv_cell),
    "pooling": ("Max and average pooling", _pooling),
    "params": ("Parameters and multiply–adds", _params),
    "read_config": ("Read a configuration from a picture", _read_config),
    "im2col": ("im2col shape and a column", _im2col),
    "toeplitz": ("A row of the Toeplitz matrix", _toeplitz),
    "receptive_field": ("Receptive field of a stack", _receptive),
    "grad_w": ("One cell of dL/dW", _grad_w),
}


def make_exercise(kind: str, seed: int = 0, level: int = 1) -> Exercise:
    """The exercise of this kind for this seed and level (1 easy … 3 hard): the same every time."""
    if kind not in KINDS:
        raise ConvlabError(f"no exercise kind {kind!r}; choose from: {', '.join(KINDS)}")
    if level not in LEVELS:
        raise ConvlabError(f"level {level!r}: use 1, 2 or 3")
    if not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ConvlabError(f"seed {seed!r}: use a whole number from 0 to {2**32 - 1}")
    rng = np.random.default_rng([int(seed), list(KINDS).index(kind), level])
    title, question, parts, hint, steps, figs, data = KINDS[kind][1](rng, level)
    return Exercise(kind, int(seed), level, title, question, tuple(parts), hint, tuple(steps), tuple(figs), data)


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
    """Back from URL parameters; ConvlabError with what is wrong for a damaged link."""
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


# ---------------------------------------------------------------- worksheets

def _grid_md(a: np.ndarray) -> str:
    a = np.atleast_2d(a)
    head = "| " + " | ".join(f"c{j}" for j in range(a.shape[1])) + " |\n|" + "---|" * a.shape[1] + "\n"
    return head + "\n".join("| " + " | ".join(num(v) for v in row) + " |" for row in a)


def worksheet_markdown(exercises: Sequence[Exercise], title: str = "ConvLab worksheet") -> str:
    """A printable worksheet: the questions with their matrices, then the answer key with worked solutions."""
    out = [f"# {title}", ""]
    for i, ex in enumerate(exercises, start=1):
        out += [f"## {i}. {ex.title}", "", ex.question, ""]
        for name, grid in ex.figures:
            out += [f"**{name}**", "", _grid_md(grid), ""]
        out += [f"- {p.prompt}: ________" for p in ex.parts] + [""]
    out += ["---", "", "# Answer key", ""]
    for i, ex in enumerate(exercises, start=1):
        out += [f"## {i}. {ex.title}", ""] + [f"- {p.prompt}: **{format_answer(p)}**" for p in ex.parts] + [""]
        out += [f"{j}. {step}" for j, step in enumerate(ex.solution, start=1)] + [""]
    return "\n".join(out)


def _grid_html(name: str, a: np.ndarray) -> str:
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(num(v))}</td>" for v in row) + "</tr>" for row in np.atleast_2d(a))
    return f'<figure><figcaption>{html.escape(name)}</figcaption><table class="grid">{rows}</table></figure>'


def _md_inline(text: str) -> str:
    """The little Markdown questions use (tables and **bold**) as HTML, everything escaped first."""
    lines, out, table = text.split("\n"), [], []
    for line in lines + [""]:
        if line.startswith("|"):
            if not set(line.replace("|", "").strip()) <= {"-"}:
                table.append("<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in line.strip("|").split("|"))
                             + "</tr>")
            continue
        if table:
            out.append('<table class="plain">' + "".join(table) + "</table>")
            table = []
        if line.strip():
            out.append("<p>" + re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(line)) + "</p>")
    return "".join(out)


def worksheet_html(exercises: Sequence[Exercise], title: str = "ConvLab worksheet") -> str:
    """The worksheet as one print-friendly HTML page (the answer key starts on a new page). Print it or
    save it as PDF from the browser."""
    css = ("body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;line-height:1.45}"
           "section{break-inside:avoid;margin-bottom:1.6em}figure{display:inline-block;margin:.3em 1.2em .3em 0}"
           "figcaption{font-size:.85em;color:#444}table.grid{border-collapse:collapse}"
           "table.grid td{border:1px solid #888;min-width:2em;height:2em;text-align:center;font-variant-numeric:tabular-nums}"
           "table.plain{border-collapse:collapse}table.plain td{border:1px solid #bbb;padding:.15em .6em}"
           ".blank{display:inline-block;border-bottom:1px solid #000;min-width:10em}"
           ".key{break-before:page}@media print{body{margin:0}}")
    body = [f"<h1>{html.escape(title)}</h1>"]
    for i, ex in enumerate(exercises, start=1):
        parts = "".join(f"<li>{html.escape(p.prompt)}: <span class='blank'></span></li>" for p in ex.parts)
        figs = "".join(_grid_html(n, g) for n, g in ex.figures)
        body.append(f"<section><h2>{i}. {html.escape(ex.title)}</h2>{_md_inline(ex.question)}{figs}<ul>{parts}</ul></section>")
    body.append('<div class="key"><h1>Answer key</h1>')
    for i, ex in enumerate(exercises, start=1):
        answers = "".join(f"<li>{html.escape(p.prompt)}: <b>{html.escape(format_answer(p))}</b></li>" for p in ex.parts)
        steps = "".join(f"<li>{html.escape(s)}</li>" for s in ex.solution)
        body.append(f"<section><h2>{i}. {html.escape(ex.title)}</h2><ul>{answers}</ul><ol>{steps}</ol></section>")
    body.append("</div>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{css}</style></head><body>{''.join(body)}</body></html>")
