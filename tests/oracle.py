"""torch.nn.functional as the oracle: the same computation in PyTorch, float64, no batch axis.

Padding is passed explicitly as (before, after) amounts through F.pad, so asymmetric
(TensorFlow "same") padding is checked too; the amounts themselves are tested
separately against the formulas in tests/convolution/test_arithmetic.py.
"""

from __future__ import annotations

import ast
import operator
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def T(a, grad=False) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def conv2d(x, w, b, stride, pads, dilation, flip=False) -> np.ndarray:
    """x (C,H,W), w (O,C,KH,KW), pads ((t,b),(l,r)) -> (O,OH,OW)."""
    (t, bo), (l, r) = pads
    xt = F.pad(T(x)[None], (l, r, t, bo))
    wt = T(w).flip(-1, -2) if flip else T(w)
    return F.conv2d(xt, wt, None if b is None else T(b), stride=stride, dilation=dilation)[0].numpy()


def conv1d(x, w, b, stride, pads, dilation, flip=False) -> np.ndarray:
    """x (C,L), w (O,C,K), pads (before, after)."""
    xt = F.pad(T(x)[None], pads)
    wt = T(w).flip(-1) if flip else T(w)
    return F.conv1d(xt, wt, None if b is None else T(b), stride=stride, dilation=dilation)[0].numpy()


def random_conv2d_case(rng: np.random.Generator):
    """A random valid conv2d configuration with every padding form convlab accepts."""
    c, o = rng.integers(1, 4, size=2)
    kh, kw = rng.integers(1, 5, size=2)
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
    spans = [(k - 1) * d + 1 for k, d in zip((kh, kw), dilation)]
    h, w = (int(rng.integers(max(1, sp - 2), sp + 7)) for sp in spans)
    choice = rng.integers(0, 6)
    padding = [
        lambda: int(rng.integers(0, 3)),
        lambda: "same",
        lambda: "full",
        lambda: "valid",
        lambda: (int(rng.integers(0, 3)), int(rng.integers(0, 3))),
        lambda: ((int(rng.integers(0, 3)), int(rng.integers(0, 3))), (int(rng.integers(0, 3)), int(rng.integers(0, 3)))),
    ][choice]()
    x = rng.normal(size=(c, h, w))
    wt = rng.normal(size=(o, c, kh, kw))
    b = rng.normal(size=o)
    return dict(x=x, w=wt, bias=b, stride=stride, padding=padding, dilation=dilation)


def random_conv1d_case(rng: np.random.Generator):
    c, o = rng.integers(1, 4, size=2)
    k, stride, dilation = int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 3))
    span = (k - 1) * dilation + 1
    n = int(rng.integers(max(1, span - 2), span + 9))
    padding = [int(rng.integers(0, 3)), "same", "full", "valid",
               (int(rng.integers(0, 3)), int(rng.integers(0, 3)))][rng.integers(0, 5)]
    return dict(x=rng.normal(size=(c, n)), w=rng.normal(size=(o, c, k)), bias=rng.normal(size=o),
                stride=stride, padding=padding, dilation=dilation)


# How many random configurations each torch-comparison test draws (seeds 0..CASES-1).
CASES = int(os.environ.get("CONVLAB_RANDOM_CASES", "300"))


def per_seed(seeds, size: int = 10):
    """Parametrize a test of one seed, `test(seed)`, over chunks of `size` seeds (ids like "seeds0-9"): a test item
    costs pytest and xdist more than one small configuration does, and hundreds of items of a few milliseconds each
    add up. Every seed of a chunk is still checked, and a chunk fails naming each failing seed with its message,
    so one bad seed hides no other; `-k "seeds10-19"` picks a chunk.

    >>> @per_seed(range(3), size=2)
    ... def test_positive(seed):
    ...     assert seed >= 0
    >>> [p.id for p in test_positive.pytestmark[0].args[1]]
    ['seeds0-1', 'seeds2-2']
    """
    import pytest
    seeds = list(seeds)
    chunks = [seeds[i:i + size] for i in range(0, len(seeds), size)]

    def wrap(test):
        def run(seeds):
            failures = []
            for seed in seeds:
                try:
                    test(seed)
                except AssertionError as err:
                    failures.append(f"seed {seed}: {err}")
            assert not failures, f"{len(failures)} of {len(seeds)} seeds failed:\n" + "\n".join(failures)
        run.__name__, run.__qualname__, run.__doc__, run.__module__ = (test.__name__, test.__qualname__, test.__doc__,
                                                                       test.__module__)
        ids = [f"seeds{c[0]}-{c[-1]}" for c in chunks]
        return pytest.mark.parametrize("seeds", [pytest.param(c, id=i) for c, i in zip(chunks, ids)])(run)
    return wrap


def cases(make_case, n: int = CASES):
    """Yield (seed, case) for seeds 0..n-1; put the seed in assertion messages to reproduce a failure."""
    for seed in range(n):
        yield seed, make_case(np.random.default_rng(seed))


def valid_cases(make_case, fn, n: int = CASES):
    """Like cases(), skipping configurations fn refuses (kernel larger than the padded input)."""
    from convlab import ConvlabError
    for seed, case in cases(make_case, n):
        try:
            fn(**case)
        except ConvlabError:
            continue
        yield seed, case


def random_grouped_case(rng: np.random.Generator, dims: int = 2):
    """A random grouped conv1d/conv2d configuration: C and O multiples of groups (depthwise included)."""
    g = int(rng.integers(1, 5))
    c, o = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    case = random_conv2d_case(rng) if dims == 2 else random_conv1d_case(rng)
    spatial = case["x"].shape[1:]
    case["x"] = rng.normal(size=(c, *spatial))
    case["w"] = rng.normal(size=(o, c // g, *case["w"].shape[2:]))
    case["bias"] = rng.normal(size=o)
    case["groups"] = g
    return case


def conv3d(x, w, b, stride, pads, dilation, groups=1) -> np.ndarray:
    """x (C,D,H,W), w (O,C/g,KD,KH,KW), pads ((f,bk),(t,b),(l,r)) -> (O,OD,OH,OW)."""
    flat = [v for pair in reversed(pads) for v in pair]            # F.pad wants the last axis first
    xt = F.pad(T(x)[None], flat)
    return F.conv3d(xt, T(w), None if b is None else T(b), stride=stride, dilation=dilation, groups=groups)[0].numpy()


def random_conv3d_case(rng: np.random.Generator):
    """A random valid conv3d configuration: odd and uneven sizes, per-axis strides and dilations, every padding form."""
    g = int(rng.integers(1, 3))
    c, o = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    kernel = tuple(int(v) for v in rng.integers(1, 4, size=3))
    stride = tuple(int(v) for v in rng.integers(1, 3, size=3))
    dilation = tuple(int(v) for v in rng.integers(1, 3, size=3))
    spans = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    size = tuple(int(rng.integers(max(1, sp - 1), sp + 5)) for sp in spans)
    padding = [lambda: int(rng.integers(0, 2)), lambda: "same", lambda: "valid", lambda: "full",
               lambda: tuple(int(v) for v in rng.integers(0, 2, size=3)),
               lambda: (int(rng.integers(0, 2)), (0, int(rng.integers(0, 3))), "same")][rng.integers(0, 6)]()
    return dict(x=rng.normal(size=(c, *size)), w=rng.normal(size=(o, c // g, *kernel)), bias=rng.normal(size=o),
                stride=stride, padding=padding, dilation=dilation, groups=g)


def caption_value(text: str) -> tuple[float, float]:
    """A written-out sum evaluated independently of convlab, and the value it says it has:
    "3×1 − 1×6 = −3" → (-3.0, -3.0). Only numbers, + − × /, parentheses and [channel groups] are accepted."""
    lhs, rhs = text.replace("×", "*").replace("\u2212", "-").replace("[", "(").replace("]", ")").rsplit(" = ", 1)
    return _evaluate(ast.parse(lhs, mode="eval").body), float(rhs)


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    raise AssertionError(f"not a written-out sum: {ast.unparse(node)}")


def random_cnn(seed: int):
    """A random small CNN (torch.nn) on an odd-sized image: (model, image (C, H, W), classes), float64."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    c, h, w = int(rng.integers(1, 4)), int(rng.integers(7, 26)), int(rng.integers(7, 26))
    layers, ch, size = [], c, (h, w)
    for _ in range(int(rng.integers(1, 4))):
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))             # 1×N kernels too
        stride, pad = int(rng.integers(1, 3)), int(rng.integers(0, 2))
        out = int(rng.integers(2, 7))
        nxt = tuple((s + 2 * pad - kk) // stride + 1 for s, kk in zip(size, k))
        if min(nxt) < 2:
            break
        layers += [nn.Conv2d(ch, out, k, stride=stride, padding=pad),
                   [nn.ReLU(), nn.LeakyReLU(0.1), nn.Tanh(), nn.ELU()][int(rng.integers(0, 4))]]
        ch, size = out, nxt
        if min(size) >= 4 and rng.random() < 0.6:                           # 25×25 through a 2×2 pool: floors
            layers.append(nn.MaxPool2d(2) if rng.random() < 0.5 else nn.AvgPool2d(2))
            size = (size[0] // 2, size[1] // 2)
    if not layers:
        layers = [nn.Conv2d(ch, 3, 1), nn.ReLU()]
        ch = 3
    classes = int(rng.integers(2, 6))
    model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(ch * size[0] * size[1], classes)).double().eval()
    return model, rng.normal(size=(c, h, w)), classes
