"""conv1d/conv2d, their step traces, and pooling against torch.nn.functional."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convlab
import oracle
from oracle import CASES, case, cases, check_op, each_seed, per_seed, valid_seeds


def _check_conv(dims: int, c: dict, label: str, **tol):
    """conv1d/conv2d (flip off and on) against F.conv1d/F.conv2d with the same explicit padding; where torch refuses
    (the kernel does not fit), convlab must refuse with its own message."""
    x, w = c["x"], c["w"]
    pads = (convlab.resolve_padding(x.shape[1], w.shape[2], c["stride"], c["padding"], c["dilation"]) if dims == 1 else
            convlab.resolve_padding2d(x.shape[1:], w.shape[2:], c["stride"], c["padding"], c["dilation"]))
    ours, theirs = (convlab.conv1d, oracle.torch_conv1d) if dims == 1 else (convlab.conv2d, oracle.torch_conv2d)
    for flip in (False, True):
        kw = dict(stride=c["stride"], dilation=c["dilation"], flip=flip)
        check_op(ours, theirs, dict(x=x, w=w, bias=c["bias"]), dict(kw, padding=c["padding"]), dict(kw, pads=pads),
                 refuses="larger than the padded input", label=f"{label} flip={flip}", **tol)


@per_seed(range(CASES))
def test_conv2d_matches_torch_over_random_configs(seed):
    _check_conv(2, case(oracle.random_conv2d_case, seed), f"seed {seed}", rtol=1e-10, atol=1e-10)


@per_seed(range(CASES))
def test_conv1d_matches_torch_over_random_configs(seed):
    _check_conv(1, case(oracle.random_conv1d_case, seed), f"seed {seed}", rtol=1e-10, atol=1e-10)


def test_most_random_conv2d_cases_are_valid_ones():
    """The random conv2d configurations mostly fit (each refusal is checked against torch's above)."""
    refused = 2 * sum(not oracle.kernel_fits(c) for _seed, c in cases(oracle.random_conv2d_case))  # flip off and on
    assert refused < CASES // 2, "most random cases must be valid ones"


def test_same_padding_matches_torch_same_for_stride_one():
    """torch's padding='same' (stride 1) and convlab's TensorFlow rule agree, odd and even kernels."""
    rng = np.random.default_rng(0)
    for k in range(1, 7):
        for d in (1, 2, 3):
            x, w = rng.normal(size=(2, 3, 11, 9)), rng.normal(size=(2, 3, k, k))
            want = F.conv2d(oracle.T(x), oracle.T(w[0:2, 0:3]), padding="same", dilation=d).numpy()
            got = np.stack([convlab.conv2d(x[i], w, padding="same", dilation=d) for i in range(2)])
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_shapes_without_channel_or_filter_axes():
    x, w = np.arange(20.0).reshape(4, 5), np.ones((2, 2))
    assert convlab.conv2d(x, w).shape == (3, 4)
    assert convlab.conv2d(x[None], w[None, None]).shape == (1, 3, 4)
    assert convlab.conv1d(np.arange(6.0), [1, 2]).shape == (5,)
    assert convlab.conv1d(np.ones((2, 6)), np.ones((3, 2, 2))).shape == (3, 5)
    # nested lists and torch tensors are accepted too
    np.testing.assert_array_equal(convlab.conv2d(x.tolist(), torch.ones(2, 2)), convlab.conv2d(x, w))


def test_flip_is_true_convolution():
    """flip=True is the textbook sum x[n - m] w[m]: numpy's np.convolve in 'valid' mode."""
    rng = np.random.default_rng(1)
    for n, k in [(8, 3), (5, 5), (9, 4)]:
        x, w = rng.normal(size=n), rng.normal(size=k)
        np.testing.assert_allclose(convlab.conv1d(x, w, flip=True), np.convolve(x, w, mode="valid"), atol=1e-12)
        np.testing.assert_allclose(convlab.conv1d(x, w, flip=True, padding="full"), np.convolve(x, w, mode="full"), atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2])
@per_seed(range(60))
def test_steps_reproduce_the_output(seed, dims):
    if (found := oracle.conv_case(dims, seed)) is None:
        return                                               # refused: checked against torch above
    c, conv, steps_fn = found
    out = conv(**c)
    steps = steps_fn(**c)
    assert len(steps) == out.size, seed
    np.testing.assert_allclose(steps.output, out, atol=1e-12)
    seen = []
    for st in steps:
        seen.append(st.out_index)
        np.testing.assert_allclose(st.products, st.patch * st.kernel, atol=0)
        assert st.value == pytest.approx(st.products.sum() + st.bias)
        assert st.value == pytest.approx(out[st.out_index], abs=1e-10)
        assert st.bias == c["bias"][st.filter]
        np.testing.assert_allclose(st.channel_sums.sum() + st.bias, st.value, atol=1e-10)
        # the window's coordinates point at the patch in the padded input
        padded = steps.padded if dims == 2 else steps.padded[:, None, :]
        rows = st.rows if dims == 2 else (0,)
        np.testing.assert_array_equal(padded[:, list(rows)][:, :, list(st.cols)].reshape(st.patch.shape), st.patch)
    assert seen == [tuple(i) for i in np.ndindex(out.shape)], "steps must follow the output's order"


def test_steps_with_flip_multiply_the_flipped_kernel():
    steps = convlab.conv2d_steps(np.arange(9.0).reshape(3, 3), [[1, 2], [3, 4]], flip=True)
    np.testing.assert_array_equal(steps[0].kernel, [[4, 3], [2, 1]])
    assert steps[0].expression() == "4×0 + 3×1 + 2×3 + 1×4 = 13"


def test_steps_multichannel_expression_groups_channels_and_adds_bias():
    x = np.array([[[1, 2], [3, 4]], [[0, 1], [1, 0]]])
    steps = convlab.conv2d_steps(x, np.ones((1, 2, 2, 2)), bias=[0.5])
    assert steps[0].expression() == "[1×1 + 1×2 + 1×3 + 1×4] + [1×0 + 1×1 + 1×1 + 1×0] + 0.5 = 12.5"
    np.testing.assert_array_equal(steps[0].channel_sums, [10, 2])


def test_step_trace_is_lazy_and_indexable():
    steps = convlab.conv2d_steps(np.zeros((300, 300)), np.ones((3, 3)))
    assert len(steps) == 298 * 298
    assert steps[-1].out_index == (297, 297) and steps[-1].start == (297, 297)
    assert [s.out_index for s in steps[0:2]] == [(0, 0), (0, 1)]
    with pytest.raises(convlab.ConvlabError, match="there are 88804 steps"):
        steps[10**6]


# ---------------------------------------------------------------- pooling

def _random_pool_case(rng):
    c = int(rng.integers(1, 4))
    kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
    stride = None if rng.random() < 0.3 else tuple(int(v) for v in rng.integers(1, 4, size=2))
    padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
    h, w = int(rng.integers(max(1, kh - 2 * padding[0]), kh + 7)), int(rng.integers(max(1, kw - 2 * padding[1]), kw + 7))
    # small integers make ties common, which checks torch's tie-breaking too
    x = rng.integers(-3, 4, size=(c, h, w)).astype(float) if rng.random() < 0.5 else rng.normal(size=(c, h, w))
    return dict(x=x, kernel_size=(kh, kw), stride=stride, padding=padding)


@per_seed(range(CASES))
def test_pool2d_matches_torch(seed):
    c = case(_random_pool_case, seed)
    k, s, p = c["kernel_size"], c["stride"] or c["kernel_size"], c["padding"]
    check_op(convlab.pool2d, lambda x: F.max_pool2d(x[None], k, s, p)[0], dict(x=c["x"]),
             dict(kernel_size=k, stride=c["stride"], padding=p), {}, label=f"seed {seed}")
    check_op(convlab.pool2d, lambda x: F.avg_pool2d(x[None], k, s, p)[0], dict(x=c["x"]),
             dict(kernel_size=k, stride=c["stride"], padding=p, mode="avg"), {}, atol=1e-12, label=f"seed {seed}")
    _, idx = F.max_pool2d(oracle.T(c["x"])[None], k, s, p, return_indices=True)
    am = convlab.pool2d_argmax(**c)
    np.testing.assert_array_equal(am[..., 0] * c["x"].shape[2] + am[..., 1], idx[0].numpy(), err_msg=f"seed {seed}")


# sizes the random cases (at most 10 on a side) never reach, where floor division drops a row or a column
UNEVEN_POOLS = [((1, 25, 25), (2, 2), None, (0, 0)), ((2, 25, 25), (3, 3), (2, 2), (1, 1)),
                ((1, 7, 31), (1, 4), (1, 3), (0, 0)), ((3, 13, 9), (4, 1), (3, 2), (2, 0))]


@pytest.mark.parametrize("shape,k,stride,p", UNEVEN_POOLS, ids=[f"{s[1]}x{s[2]}-k{k[0]}x{k[1]}" for s, k, _, _ in UNEVEN_POOLS])
def test_pool2d_on_uneven_sizes_matches_torch(shape, k, stride, p):
    x = np.random.default_rng(sum(shape)).normal(size=shape)
    s = stride or k
    check_op(convlab.pool2d, lambda x: F.max_pool2d(x[None], k, s, p)[0], dict(x=x),
             dict(kernel_size=k, stride=stride, padding=p), {}, label=str(shape))
    check_op(convlab.pool2d, lambda x: F.avg_pool2d(x[None], k, s, p)[0], dict(x=x),
             dict(kernel_size=k, stride=stride, padding=p, mode="avg"), {}, atol=1e-12, label=str(shape))
    if shape[1:] == (25, 25) and k == (2, 2):
        assert convlab.pool2d(x, (2, 2)).shape == (1, 12, 12)       # 25 // 2: the last row and column are dropped


@per_seed(range(CASES))
def test_pool1d_matches_torch(seed):
    c = case(_random_pool_case, seed)
    x = c["x"][:, 0, :] if c["x"].shape[1] else c["x"]
    k, p = c["kernel_size"][1], c["padding"][1]
    s = None if c["stride"] is None else c["stride"][1]
    args = dict(kernel_size=k, stride=s, padding=p)
    check_op(convlab.pool1d, lambda x: F.max_pool1d(x[None], k, s or k, p)[0], dict(x=x), args, {}, label=f"seed {seed}")
    check_op(convlab.pool1d, lambda x: F.avg_pool1d(x[None], k, s or k, p)[0], dict(x=x), dict(args, mode="avg"), {},
             atol=1e-12, label=f"seed {seed}")
    _, idx = F.max_pool1d(oracle.T(x)[None], k, s or k, p, return_indices=True)
    np.testing.assert_array_equal(convlab.pool1d_argmax(x, k, s, p), idx[0].numpy())


@each_seed(range(40))
def test_pool_steps_match_pool_and_mark_the_max(seed):
    c = case(_random_pool_case, seed)
    for mode in ("max", "avg"):
        steps = convlab.pool2d_steps(**c, mode=mode)
        out = convlab.pool2d(**c, mode=mode)
        assert len(steps) == out.size
        for st in steps:
            assert st.value == pytest.approx(out[st.out_index]), seed
            if mode == "max":
                r, q = st.argmax
                assert c["x"][st.channel, r, q] == st.value
                assert st.expression().startswith("max(")


def test_pool_without_channel_axis_keeps_shape():
    x = np.arange(16.0).reshape(4, 4)
    assert convlab.pool2d(x, 2).shape == (2, 2)
    assert convlab.pool2d_argmax(x, 2).shape == (2, 2, 2)
    assert convlab.pool1d(np.arange(6.0), 3).shape == (2,)


@each_seed(valid_seeds(oracle.random_conv2d_case, convlab.conv2d, 60))
def test_window_cells_are_the_nonzeros_of_the_toeplitz_row(seed):
    c = case(oracle.random_conv2d_case, seed)
    kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
    steps = convlab.conv2d_steps(c["x"], c["w"], **kw)
    t = convlab.conv_matrix(c["x"].shape, np.ones_like(c["w"]), **kw)
    for i in range(0, len(steps), max(1, len(steps) // 7)):
        cells = steps.window_cells(i)
        flat = sorted(np.ravel_multi_index(tuple(zip(*cells)), c["x"].shape)) if cells else []
        assert flat == list(np.nonzero(t[i])[0]), seed


# ------------------------------------------------------------------ captions: "3×1 − 1×6", never "3×1 + -1×6"

MINUS = "\u2212"


@pytest.mark.parametrize("caption, want", [
    (lambda: convlab.conv1d_steps([6, 1], [-1, 3])[0].expression(), "−1×6 + 3×1 = −3"),          # negative first term
    (lambda: convlab.conv1d_steps([1, 2], [1, 1], bias=[-2])[0].expression(), "1×1 + 1×2 − 2 = 1"),  # negative bias
    (lambda: convlab.conv1d_steps([-1, 2], [3, -1])[0].expression(), "3×(−1) − 1×2 = −5"),      # negative input
    (lambda: convlab.conv2d_steps(np.array([[[2.0]], [[-1.0]]]), np.ones((1, 2, 1, 1)), bias=[1])[0].total_expression(),
     "2 − 1 + 1 = 2"),
    (lambda: convlab.conv2d_steps(np.array([[[2.0]], [[-1.0]]]), np.ones((1, 2, 1, 1)), bias=[-1])[0].expression(),
     "[1×2] + [1×(−1)] − 1 = 0"),
    (lambda: convlab.pool1d_steps([1, -2, 3, 0], 4, mode="avg")[0].expression(), "(1 − 2 + 3 + 0) / 4 = 0.5"),
    (lambda: convlab.pool1d_steps([-3, -2], 2, padding=1)[0].expression(), "max(−inf, −3) = −3"),
], ids=["first term", "bias", "input", "channel sums", "channel groups", "average", "max"])
def test_captions_use_a_minus_sign(caption, want):
    assert caption() == want


def _captions(seed):
    rng = np.random.default_rng(seed)
    c = int(rng.integers(1, 3))
    x = rng.integers(-3, 4, size=(c, int(rng.integers(3, 6)), int(rng.integers(3, 6)))).astype(float)
    w = rng.integers(-3, 4, size=(2, c, 2, 2)).astype(float)
    bias = rng.integers(-2, 3, size=2).astype(float)
    steps = convlab.conv2d_steps(x, w, bias, padding=int(rng.integers(0, 2)))
    out = [s.expression() for s in steps] + [s.total_expression() for s in steps]
    out += [e for s in steps for e in s.channel_expressions()]
    out += [s.expression() for s in convlab.pool2d_steps(x[0], 2, mode="avg")]
    return out


@pytest.mark.parametrize("seed", range(20))
def test_every_caption_reads_with_minus_signs_and_adds_up(seed):
    for text in _captions(seed):
        assert "-" not in text and f"+ {MINUS}" not in text and f"{MINUS} {MINUS}" not in text, text
        lhs, rhs = oracle.caption_value(text)
        assert lhs == pytest.approx(rhs), text


def _taps(d: dict, i: int) -> tuple[list[int], list[int]]:
    """Rows and columns of step i's window in to_dict's padded input, from its geometry alone."""
    _, oh, ow = np.shape(d["output"])
    _, r, q = np.unravel_index(i, np.shape(d["output"]))
    (kh, kw), (sh, sw), (dh, dw) = d["kernel_size"], d["stride"], d["dilation"]
    return [r * sh + a * dh for a in range(kh)], [q * sw + b * dw for b in range(kw)]


@pytest.mark.parametrize("dims", [1, 2])
@per_seed(range(40))
def test_to_dict_replays_every_step_like_torch(seed, dims):
    """The plain-data trace (what the lesson view replays in the browser) agrees with torch and with each step."""
    if (found := oracle.conv_case(dims, seed)) is None:
        return
    c, _, steps_fn = found
    steps = steps_fn(**c)
    d = steps.to_dict()
    pads = steps.padding if dims == 2 else ((0, 0), steps.padding)
    want = (oracle.conv1d if dims == 1 else oracle.conv2d)(c["x"], c["w"], c["bias"], c["stride"], steps.padding
                                                           if dims == 1 else pads, c["dilation"])
    np.testing.assert_allclose(np.reshape(d["output"], want.shape), want, atol=1e-10, err_msg=str(seed))
    x3 = np.asarray(c["x"]).reshape(-1, 1, np.shape(c["x"])[-1]) if dims == 1 else np.asarray(c["x"])
    np.testing.assert_array_equal(d["padded"], np.pad(x3, ((0, 0), *pads)))
    assert d["padding"] == [list(p) for p in pads]
    sums = np.asarray(d["sums"])
    for i, st in enumerate(steps):
        rows, cols = _taps(d, i)
        assert tuple(rows) == (st.rows if dims == 2 else (0,)) and tuple(cols) == st.cols, (seed, i)
        g, r, q = np.unravel_index(i, np.shape(d["output"]))
        patch = np.asarray(d["padded"])[:, rows][:, :, cols]                             # (C, KH, KW)
        np.testing.assert_array_equal(patch * np.asarray(d["kernels"])[g], st.products.reshape(patch.shape))
        np.testing.assert_allclose(sums[g, r, q], st.channel_sums, rtol=1e-13, atol=1e-13, err_msg=str(seed))
        assert sums[g, r, q].sum() + d["bias"][g] == pytest.approx(d["output"][g][r][q], abs=1e-10)


def _pool_dict_cases(n=60):
    """n pooling configurations drawn one after another from one generator (seed 5)."""
    rng, out = np.random.default_rng(5), []
    for _ in range(n):
        c, h, w = int(rng.integers(1, 4)), int(rng.integers(2, 10)), int(rng.integers(2, 10))
        k = int(rng.integers(1, min(h, w) + 1))
        s, p = int(rng.integers(1, 4)), int(rng.integers(0, k // 2 + 1))
        out.append((rng.normal(size=(c, h, w)), k, s, p))
    return out


POOL_DICT_CASES = _pool_dict_cases()


@pytest.mark.parametrize("mode", ["max", "avg"])
@each_seed(range(len(POOL_DICT_CASES)))
def test_pool_to_dict_windows_and_argmax_match_torch(mode, seed):
    x, k, s, p = POOL_DICT_CASES[seed]
    w = x.shape[2]
    steps = convlab.pool2d_steps(x, k, s, p, mode)
    d = steps.to_dict()
    xt = oracle.T(x)[None]
    if mode == "max":
        want, idx = F.max_pool2d(xt, k, s, p, return_indices=True)
        am = np.asarray(d["argmax"])
        np.testing.assert_array_equal(am[..., 0] * w + am[..., 1], idx[0].numpy(), err_msg=str(seed))
    else:
        want = F.avg_pool2d(xt, k, s, p, count_include_pad=True)
    np.testing.assert_allclose(d["output"], want[0].numpy(), atol=1e-12, err_msg=str(seed))
    for i, st in enumerate(steps):
        rows, cols = _taps(d, i)
        assert tuple(rows) == st.rows and tuple(cols) == st.cols, (seed, i)
