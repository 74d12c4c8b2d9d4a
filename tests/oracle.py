"""torch.nn.functional as the oracle: the same computation in PyTorch, float64, no batch axis.

Padding is passed explicitly as (before, after) amounts through F.pad, so asymmetric
(TensorFlow "same") padding is checked too; the amounts themselves are tested
separately against the formulas in tests/convolution/test_arithmetic.py.

One comparison helper, `check_op(ours, theirs, inputs, kwargs, torch_kwargs, ...)`, like tinygrad's
helper_test_op: it runs the convlab function and the torch reference on the same inputs (float64 tensors for
torch), compares shape and values with the test's tolerance, checks that convlab refuses what torch refuses
(`refuses=`), and, where convlab has a gradient (`backward=`: conv2d_backward, pool2d_backward, batch_norm_backward
...), compares it with autograd's for an upstream gradient drawn from the seed.

Seeded random configurations: each seed is its own test id, so one failing seed hides no other and a node id
(`test_conv3d.py::test_conv3d_steps_reproduce_the_output[seed7]`) or `-k` picks it. How depends on the count:

- up to PER_SEED_MAX (20) seeds: `each_seed`, one id per seed ("seed7"). Where convlab may refuse a configuration
  (kernel larger than the padded input), `valid_seeds` leaves refused seeds out at collection, as `valid_cases`
  skipped them, so every id checks something (one cheap call per seed at collection, cached per (make_case, fn)).
- more (25 to 60 seeds, CASES = 300, and the 80 to 200 of some tests): `per_seed` (each_seed switches to it), chunks
  of 10 seeds per id ("seeds0-9"). A chunk still runs every seed on its own and fails naming every failing seed
  with its message (an unexpected error with its traceback); refused configurations are skipped inside it.
  Why chunks: a test item costs pytest and xdist more (setup, report, the transfer between processes) than one
  small configuration. Measured on the shared 2-core machine (touched files, -n 2, fast marker): one id per seed up
  to 60 seeds gave 2245 ids and ran about 20-35% longer than the 517 ids before; chunks above 20 seeds keep the
  count near a thousand.
Loops that drew configurations one after another from one generator use `drawn`, which keeps the draw order, so
the cases are the same.

A bound over the whole population of seeds ("most random cases are valid ones") is a test of its own.
"""

from __future__ import annotations

import ast
import operator
import os
import traceback

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def T(a, grad=False) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def torch_conv2d(x, w, bias=None, *, stride=1, pads=((0, 0), (0, 0)), dilation=1, flip=False, groups=1):
    """Tensors x (C,H,W), w (O,C/g,KH,KW), pads ((t,b),(l,r)) -> tensor (O,OH,OW)."""
    (t, bo), (l, r) = pads
    return F.conv2d(F.pad(x[None], (l, r, t, bo)), w.flip(-1, -2) if flip else w, bias, stride=stride,
                    dilation=dilation, groups=groups)[0]


def torch_conv1d(x, w, bias=None, *, stride=1, pads=(0, 0), dilation=1, flip=False, groups=1):
    """Tensors x (C,L), w (O,C/g,K), pads (before, after) -> tensor (O,OL)."""
    return F.conv1d(F.pad(x[None], tuple(pads)), w.flip(-1) if flip else w, bias, stride=stride, dilation=dilation,
                    groups=groups)[0]


def conv2d(x, w, b, stride, pads, dilation, flip=False) -> np.ndarray:
    """x (C,H,W), w (O,C,KH,KW), pads ((t,b),(l,r)) -> (O,OH,OW)."""
    return torch_conv2d(T(x), T(w), None if b is None else T(b), stride=stride, pads=pads, dilation=dilation,
                        flip=flip).numpy()


def conv1d(x, w, b, stride, pads, dilation, flip=False) -> np.ndarray:
    """x (C,L), w (O,C,K), pads (before, after)."""
    return torch_conv1d(T(x), T(w), None if b is None else T(b), stride=stride, pads=pads, dilation=dilation,
                        flip=flip).numpy()


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

# One id per seed up to this many seeds, 10-seed chunks above (see the module docstring).
PER_SEED_MAX = 20


def case(make_case, seed: int):
    """The configuration of one seed: make_case(np.random.default_rng(seed))."""
    return make_case(np.random.default_rng(seed))


def valid_case(make_case, fn, seed: int):
    """The seed's configuration, or None where fn refuses it (ConvlabError: kernel larger than the padded input)."""
    from convlab import ConvlabError
    c = case(make_case, seed)
    try:
        fn(**c)
    except ConvlabError:
        return None
    return c


def conv_case(dims: int, seed: int):
    """The seed's random conv1d (dims 1) or conv2d (dims 2) configuration with the function and its step trace:
    (case, conv, steps), or None where convlab refuses it (the oracle tests check that refusal against torch)."""
    import convlab
    make, conv, steps = ((random_conv1d_case, convlab.conv1d, convlab.conv1d_steps) if dims == 1
                         else (random_conv2d_case, convlab.conv2d, convlab.conv2d_steps))
    c = valid_case(make, conv, seed)
    return None if c is None else (c, conv, steps)


_VALID: dict = {}


def valid_seeds(make_case, fn, n: int = CASES) -> list[int]:
    """The seeds among 0..n-1 whose configuration fn accepts (what valid_cases yields), cached per (make_case, fn)."""
    known = _VALID.setdefault((make_case, fn), [])
    for seed in range(len(known), n):
        known.append(valid_case(make_case, fn, seed) is not None)
    return [seed for seed in range(n) if known[seed]]


def _signature_with(test, old: str, new: str):
    import inspect
    sig = inspect.signature(test)
    return sig.replace(parameters=[p.replace(name=new) if p.name == old else p for p in sig.parameters.values()])


def each_seed(seeds):
    """Parametrize `test(seed, ...)` with one test id per seed ("seed7"); more than PER_SEED_MAX seeds go in
    per_seed's chunks of 10 instead.

    >>> @each_seed([0, 3])
    ... def test_positive(seed):
    ...     assert seed >= 0
    >>> [p.id for p in test_positive.pytestmark[0].args[1]]
    ['seed0', 'seed3']
    """
    import pytest
    seeds = list(seeds)
    if len(seeds) > PER_SEED_MAX:
        return per_seed(seeds)
    return pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed{s}") for s in seeds])


def per_seed(seeds, size: int = 10):
    """Parametrize a test of one seed, `test(seed, ...)`, over chunks of `size` seeds (ids like "seeds0-9"): a test
    item costs pytest and xdist more than one small configuration does, and hundreds of items of a few milliseconds
    each add up. Every seed of a chunk is still checked, and a chunk fails naming each failing seed with its message,
    so one bad seed hides no other; `-k "seeds10-19"` picks a chunk. Other parameters of the test (`dims`, `mode`)
    are passed through.

    >>> @per_seed(range(3), size=2)
    ... def test_positive(seed):
    ...     assert seed >= 0
    >>> [p.id for p in test_positive.pytestmark[-1].args[1]]
    ['seeds0-1', 'seeds2-2']
    """
    import pytest
    seeds = list(seeds)
    chunks = [seeds[i:i + size] for i in range(0, len(seeds), size)]

    def wrap(test):
        def run(seeds, **params):
            failures = []
            for seed in seeds:
                try:
                    test(seed=seed, **params)
                except (AssertionError, pytest.fail.Exception) as err:
                    failures.append(f"seed {seed}: {err}")
                except Exception as err:                     # an error, not a wrong number: keep where it came from
                    failures.append(f"seed {seed}: " + "".join(traceback.format_exception(err)[-3:]))
            assert not failures, f"{len(failures)} of {len(seeds)} seeds failed:\n" + "\n".join(failures)
        run.__name__, run.__qualname__, run.__doc__, run.__module__ = (test.__name__, test.__qualname__, test.__doc__,
                                                                       test.__module__)
        run.__signature__ = _signature_with(test, "seed", "seeds")
        run.pytestmark = list(getattr(test, "pytestmark", []))
        ids = [f"seeds{c[0]}-{c[-1]}" for c in chunks]
        return pytest.mark.parametrize("seeds", [pytest.param(c, id=i) for c, i in zip(chunks, ids)])(run)
    return wrap


def kernel_fits(c: dict) -> bool:
    """Whether the (dilated) kernel of a conv1d/2d/3d configuration fits its padded input: the condition under which
    torch computes and convlab must too, without running either (for the bounds over all seeds: "most random cases
    are valid ones"; the per-seed tests check that convlab refuses exactly where torch does)."""
    import convlab
    w = np.shape(c["w"])
    dims, sizes, kernel = len(w) - 2, np.shape(c["x"])[1:], w[2:]
    if dims == 1:
        pads = [convlab.resolve_padding(sizes[0], kernel[0], c["stride"], c["padding"], c["dilation"])]
    else:
        resolve = convlab.resolve_padding2d if dims == 2 else convlab.resolve_padding3d
        pads = resolve(sizes, kernel, c["stride"], c["padding"], c["dilation"])
    dilation = np.broadcast_to(c["dilation"], (dims,))
    return all((k - 1) * d + 1 <= n + a + b for k, d, n, (a, b) in zip(kernel, dilation, sizes, pads))


def drawn(n: int, rng_seed: int, draw) -> list:
    """n configurations drawn one after another from one generator, draw(rng, i) for i = 0..n-1: for tests that
    drew them in a loop from one np.random.default_rng(rng_seed); each_seed(range(n)) then indexes the list."""
    rng = np.random.default_rng(rng_seed)
    return [draw(rng, i) for i in range(n)]


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


# ---------------------------------------------------------------- one helper for "convlab against torch"

def _close(got, want, atol: float, rtol: float, what: str):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, torch {want.shape}"
    if atol == 0 and rtol == 0:
        np.testing.assert_array_equal(got, want, err_msg=what)
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


def check_op(ours, theirs, inputs: dict, kwargs: dict | None = None, torch_kwargs: dict | None = None, *,
             atol: float = 0.0, rtol: float = 1e-7, refuses=None, backward=None, upstream=None,
             grad_atol: float | None = None, grad_rtol: float | None = None, label: str = ""):
    """convlab against torch in one call, like tinygrad's helper_test_op.

    ours(**inputs, **kwargs) is the convlab function; theirs(**tensors, **torch_kwargs) the torch reference, where
    tensors are the inputs as float64 torch tensors (None stays None) and torch_kwargs defaults to kwargs. The forward
    values are compared in shape and value (np.testing.assert_allclose with atol/rtol, numpy's default rtol=1e-7
    unless given; exact equality when both are 0).

    backward, where convlab has a gradient: a function of the upstream gradient g returning {input name: convlab's
    gradient}; each is compared with autograd's .grad of that input after theirs(...).backward(g), with
    grad_atol/grad_rtol (default: atol/rtol). upstream is g itself, or a np.random.Generator that draws
    g ~ N(0, 1) in the output's shape.

    refuses: where torch raises RuntimeError (the kernel does not fit), convlab must raise ConvlabError whose message
    matches this pattern (True: any message); check_op then returns None. Otherwise it returns convlab's output.
    label goes into every failure message (put the seed in it).
    """
    import pytest

    from convlab import ConvlabError
    kwargs = kwargs or {}
    torch_kwargs = kwargs if torch_kwargs is None else torch_kwargs
    tensors = {k: None if v is None else T(v, grad=backward is not None) for k, v in inputs.items()}
    try:
        want = theirs(**tensors, **torch_kwargs)
    except RuntimeError:
        if refuses is None:
            raise
        with pytest.raises(ConvlabError, match=None if refuses is True else refuses):
            ours(**inputs, **kwargs)
        return None
    got = np.asarray(ours(**inputs, **kwargs))
    _close(got, want.detach().numpy(), atol, rtol, f"{label} forward")
    if backward is not None:
        g = upstream.normal(size=got.shape) if isinstance(upstream, np.random.Generator) else np.asarray(upstream)
        want.backward(T(g))
        ga, gr = atol if grad_atol is None else grad_atol, rtol if grad_rtol is None else grad_rtol
        for name, grad in backward(g).items():
            _close(grad, tensors[name].grad.numpy(), ga, gr, f"{label} d/d{name}")
    return got


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


def torch_conv3d(x, w, bias=None, *, stride=1, pads=((0, 0),) * 3, dilation=1, groups=1):
    """Tensors x (C,D,H,W), w (O,C/g,KD,KH,KW), pads ((f,bk),(t,b),(l,r)) -> tensor (O,OD,OH,OW)."""
    flat = [v for pair in reversed(pads) for v in pair]            # F.pad wants the last axis first
    return F.conv3d(F.pad(x[None], flat), w, bias, stride=stride, dilation=dilation, groups=groups)[0]


def conv3d(x, w, b, stride, pads, dilation, groups=1) -> np.ndarray:
    """x (C,D,H,W), w (O,C/g,KD,KH,KW), pads ((f,bk),(t,b),(l,r)) -> (O,OD,OH,OW)."""
    return torch_conv3d(T(x), T(w), None if b is None else T(b), stride=stride, pads=pads, dilation=dilation,
                        groups=groups).numpy()


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
