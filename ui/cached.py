"""Each lesson page's work, done once per distinct parameter set for every session of the server.

A class mostly looks at the same few configurations (the defaults, the notes' examples), so the traces,
the lesson-view documents, the torch checks and the texts are computed once and shared: bounded LRU caches
keyed on the page's small, hashable parameters (the typed text and the numbers). The results are treated
as read-only by every page. Bad input raises ConvlabError, which is never cached.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

import convlab
from convlab.arithmetic import SizeExplanation
from convlab.export import conv_snippet
from convlab.parse import format_vector, parse_vector
from convlab.verify import Check, check_conv
from ui.lessonview import payload

__all__ = ["Conv1DLesson", "conv1d_lesson", "size_latex", "CACHE_SIZE"]

CACHE_SIZE = 64          # parameter sets kept per page (a few hundred KB each at most)


def size_latex(e: SizeExplanation, axis: str = "o") -> str:
    r"""The output-size formula with the numbers in, as LaTeX: o = ⌊(n + P − F) / s⌋ + 1.

    >>> size_latex(convlab.explain_output_size(7, 3, stride=3)).endswith(r"\lfloor 2.33 \rfloor = 2")
    True
    """
    total = sum(e.padding)
    exact = e.exact_text
    last = f" = {e.output}" if exact == str(e.output) else f" = \\lfloor {exact} \\rfloor = {e.output}"
    return (f"{axis} = \\left\\lfloor \\frac{{n + P - F}}{{s}} \\right\\rfloor + 1 = \\left\\lfloor \\frac{{{e.n} + "
            f"{total} - {e.effective_kernel}}}{{{e.stride}}} \\right\\rfloor + 1{last}")


@dataclass(frozen=True)
class Conv1DLesson:
    trace: convlab.StepTrace
    body: bytes                    # the lesson view's document (payload.encode)
    size: SizeExplanation
    check: Check
    same_rows: tuple[str, ...]     # TensorFlow "same" next to the symmetric choices, one line each
    snippet: str
    grids: dict


@functools.lru_cache(maxsize=CACHE_SIZE)
def conv1d_lesson(x_text: str, w_text: str, bias: float, padding, stride: int, dilation: int,
                  flip: bool) -> Conv1DLesson:
    """The 1D page for one configuration; padding is a mode or a (before, after) pair."""
    x, w = parse_vector(x_text, "x"), parse_vector(w_text, "w")
    args = dict(bias=bias or None, stride=stride, padding=padding, dilation=dilation, flip=flip)
    trace = convlab.conv1d_steps(x, w, **args)
    size = convlab.explain_output_size(len(x), len(w), stride, padding, dilation)
    view = payload.conv_view(trace, dropped=payload.dropped_axes(None, size, ((0, 0), size.padding)),
                             bias=bool(bias))
    view["flip"] = flip
    rows = []
    for name, pads in convlab.same_padding_options(len(x), len(w), stride, dilation).items():
        try:
            y = convlab.conv1d(x, w, stride=stride, padding=pads, dilation=dilation, flip=flip)
            rows.append(f"**{name}** {pads}: y = [{format_vector(y)}] (length {len(y)})")
        except convlab.ConvlabError as err:
            rows.append(f"**{name}** {pads}: {err}")
    snippet = conv_snippet(x, w, args["bias"], stride, trace.padding, dilation, flip, dims=1)
    return Conv1DLesson(trace, payload.encode(view), size, check_conv(1, trace.output, x, w, **args), tuple(rows),
                        snippet, {"input": x, "kernel": w, "output": trace.output})


def frozen(a: np.ndarray) -> tuple:
    """An array as a small hashable key (shape and bytes) for the caches above."""
    a = np.ascontiguousarray(a, dtype=float)
    return a.shape, a.tobytes()
