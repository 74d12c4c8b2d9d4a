"""The lesson view's documents (convlab/view/payload.py): everything the browser replays, checked against torch.

AppTest cannot run the view's JavaScript, so these tests check what it is sent; tests/browser/test_lessonview.py
checks what it draws from it.
"""

import json

import numpy as np
import pytest
import torch.nn.functional as F

import convlab
import oracle
from oracle import drawn, each_seed, per_seed
from convlab.view import payload


def unpack(a: dict) -> np.ndarray:
    return np.array([-np.inf if v is None else v for v in a["v"]], dtype=float).reshape(a["s"])


def channels_read(view: dict, g: int) -> list[int]:
    """The input channels output plane g reads, from the document alone (view.js's groupOf): its own (pool), its
    filter's group (conv with groups), or all of them."""
    if view["kind"] == "pool":
        return [g]
    per = view["w"]["s"][1] if "w" in view else view["x"]["s"][0]
    first = g // (view["y"]["s"][0] // view.get("groups", 1)) * per
    return list(range(first, first + per))


def taps(view: dict, i: int) -> list[tuple[int, int, int]]:
    """(channel, row, col) of the padded input that step i reads, from the document's geometry alone (view.js)."""
    g, r, q = np.unravel_index(i, view["y"]["s"])
    (kh, kw), (sh, sw), (dh, dw) = view["k"], view["s"], view["d"]
    return [(c, r * sh + a * dh, q * sw + b * dw) for c in channels_read(view, g) for a in range(kh) for b in range(kw)]


@pytest.mark.parametrize("dims", [1, 2])
@per_seed(range(40))
def test_conv_documents_replay_torch(seed, dims):
    if (found := oracle.conv_case(dims, seed)) is None:
        return                                               # refused: tests/convolution/test_conv.py checks that
    c, _, steps_fn = found
    trace = steps_fn(**c, flip=bool(seed % 2))
    view = json.loads(payload.encode(payload.conv_view(trace)))
    x, w, y, sums = unpack(view["x"]), unpack(view["w"]), unpack(view["y"]), unpack(view["sums"])
    pads = trace.padding if dims == 2 else ((0, 0), trace.padding)
    want = (oracle.conv1d if dims == 1 else oracle.conv2d)(c["x"], c["w"], c["bias"], c["stride"],
                                                           trace.padding if dims == 1 else pads, c["dilation"],
                                                           flip=bool(seed % 2))
    np.testing.assert_allclose(y.reshape(want.shape), want, atol=1e-10, err_msg=str(seed))
    assert view["pad"] == [*pads[0], *pads[1]]
    for i, step in enumerate(trace):
        cells = taps(view, i)
        g = np.unravel_index(i, view["y"]["s"])[0]
        products = np.array([x[cc, rr, qq] for cc, rr, qq in cells]) * w[g].ravel()
        np.testing.assert_array_equal(products, step.products.ravel())          # the browser's products
        np.testing.assert_allclose(sums.reshape(-1, sums.shape[-1])[i].sum() + view["bias"][g], y.ravel()[i],
                                   atol=1e-10)


def first_valid(make_case, steps, rng):
    """The first random configuration convlab accepts (a kernel may not fit the input), and its trace."""
    while True:
        case = make_case(rng)
        try:
            return case, steps(**case)
        except convlab.ConvlabError:
            continue


@pytest.mark.parametrize("seed", range(8))
def test_grouped_documents_read_only_their_groups_channels(seed):
    """Grouped and depthwise conv2d: each step's taps, products and per-channel sums are those of the channels its
    filter reads, and they add up to torch's F.conv2d(groups=g)."""
    case, trace = first_valid(oracle.random_grouped_case, convlab.conv2d_steps, np.random.default_rng(500 + seed))
    view = json.loads(payload.encode(payload.conv_view(trace)))
    x, w, y, sums = unpack(view["x"]), unpack(view["w"]), unpack(view["y"]), unpack(view["sums"])
    g, per = case["groups"], case["x"].shape[0] // case["groups"]
    assert view["groups"] == g and w.shape[1] == per and sums.shape[-1] == per
    want = F.conv2d(oracle.T(x)[None], oracle.T(w), oracle.T(case["bias"]), stride=case["stride"],
                    dilation=case["dilation"], groups=g)[0].numpy()
    np.testing.assert_allclose(y, want, atol=1e-10)
    for i, step in enumerate(trace):
        o = np.unravel_index(i, y.shape)[0]
        assert channels_read(view, o) == list(step.channels)
        cells = taps(view, i)
        products = np.array([x[c, r, q] for c, r, q in cells]) * w[o].ravel()
        np.testing.assert_array_equal(products, step.products.ravel())
        np.testing.assert_allclose(sums.reshape(-1, per)[i], step.channel_sums, atol=1e-10)
        for k, c in enumerate(step.channels):            # each channel's sum is torch's conv of that channel alone
            part = F.conv2d(oracle.T(x[c:c + 1])[None], oracle.T(w[o:o + 1, k:k + 1]), stride=case["stride"],
                            dilation=case["dilation"])[0, 0].numpy()
            assert sums.reshape(-1, per)[i, k] == pytest.approx(part[np.unravel_index(i, y.shape)[1:]], abs=1e-10)


@pytest.mark.parametrize("seed", range(8))
def test_conv3d_documents_replay_torch_slice_by_slice(seed):
    """The "conv3d" kind: the padded volume, the kernels and every step's partial sum per channel and kernel depth
    slice, which add up (with the bias) to F.conv3d."""
    case, trace = first_valid(oracle.random_conv3d_case, convlab.conv3d_steps, np.random.default_rng(700 + seed))
    view = json.loads(payload.encode(payload.conv3d_view(trace)))
    x, w, y, sums = unpack(view["x"]), unpack(view["w"]), unpack(view["y"]), unpack(view["sums"])
    want = oracle.conv3d(case["x"], case["w"], case["bias"], case["stride"], trace.padding, case["dilation"],
                         case["groups"])
    np.testing.assert_allclose(y, want, atol=1e-10)
    assert view["pad"] == [v for pair in trace.padding for v in pair] and x.shape[1:] == np.shape(trace.padded)[1:]
    (kd, kh, kw), (sd, sh, sw), (dd, dh, dw) = view["k"], view["s"], view["d"]
    per = w.shape[1]
    for i, step in enumerate(trace):
        o, d, r, q = np.unravel_index(i, y.shape)
        first = o // (y.shape[0] // view["groups"]) * per
        assert list(step.channels) == list(range(first, first + per))
        for k in range(per):
            for j in range(kd):                          # the browser's products on kernel slice j, summed
                patch = x[first + k, d * sd + j * dd][np.ix_(r * sh + np.arange(kh) * dh, q * sw + np.arange(kw) * dw)]
                assert (patch * w[o, k, j]).sum() == pytest.approx(sums[o, d, r, q, k, j], abs=1e-10)
        assert sums[o, d, r, q].sum() + view["bias"][o] == pytest.approx(y[o, d, r, q], abs=1e-10)
    assert trace.output.shape == want.shape


def test_conv3d_document_marks_the_slices_rows_and_columns_no_window_reads():
    trace = convlab.conv3d_steps(np.ones((6, 7, 5)), np.ones((2, 3, 2)), stride=(3, 2, 2))
    sizes = [convlab.explain_output_size(n, k, s) for n, k, s in zip((6, 7, 5), (2, 3, 2), (3, 2, 2))]
    view = payload.conv3d_view(trace, sizes)
    assert view["dropped"] == {"depths": [2, 5], "rows": [], "cols": [4]}


@pytest.mark.parametrize("seed", range(4))
def test_unit_documents_hold_the_units_numbers_and_steps(seed):
    """The "unit" kind: a conv unit's window, filter and channel sums (they add up, with the bias, to torch's value),
    one step per channel then the sum and the activation; a pool unit's window and value."""
    import torch.nn as nn

    from convlab.networks.maps import layer_maps
    from convlab.networks.units import unit_at

    torch = pytest.importorskip("torch")
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(3, 2, (1, 3)),
                          nn.Flatten(), nn.Linear(2 * 4 * 2, 2)).double().eval()
    x = np.random.default_rng(seed).normal(size=(2, 9, 8))
    layers = layer_maps(model, x)
    conv = unit_at(layers, x, 1, seed % 3, 4, 7)                    # the ReLU unit: its conv unit, then the ReLU
    view = json.loads(payload.encode(payload.unit_view(conv, x, "the input", "unit")))
    assert view["mode"] == "conv" and view["act"] == "relu" and view["n"] == 2 + 2
    window, weight = unpack(view["x"]), unpack(view["w"])
    np.testing.assert_allclose(window, conv.window) and np.testing.assert_allclose(weight, conv.weight)
    np.testing.assert_allclose((window * weight).sum(axis=(1, 2)), view["sums"], atol=1e-12)
    assert sum(view["sums"]) + view["bias"] == pytest.approx(layers[0].maps[seed % 3, 4, 7], abs=1e-12)
    assert view["activated"] == pytest.approx(layers[1].maps[seed % 3, 4, 7], abs=1e-12)
    assert view["box"] == [3, 6, 3, 3] and unpack(view["maps"]).shape == (2, 9, 8)
    pool = unit_at(layers, x, 2, 1, 2, 3)
    view = json.loads(payload.encode(payload.unit_view(pool, layers[1].maps, "relu", "unit")))
    assert view["mode"] == "max" and view["n"] == 5 and view["channels"] == [1]
    assert unpack(view["x"]).max() == view["value"] == pytest.approx(layers[2].maps[1, 2, 3], abs=1e-12)


def test_whole_numbers_travel_as_ints_and_padding_of_max_pool_as_null():
    view = payload.pool_view(convlab.pool2d_steps([[1.0, 2.5], [3.0, -4.0]], 2, padding=1))
    assert view["x"]["v"][:4] == [None, None, None, None] and 2.5 in view["x"]["v"]
    text = payload.encode(view).decode()
    assert "Infinity" not in text and "NaN" not in text and "1.0" not in text
    assert payload.encode(view) == payload.encode(view)
    other = payload.encode(payload.pool_view(convlab.pool2d_steps([[1.0, 2.5], [3.0, -4.0]], 2)))
    assert json.loads(other)["id"] != json.loads(payload.encode(view))["id"]       # new content, new id


def _pool_document_case(rng, _i):
    c, h, w = int(rng.integers(1, 4)), int(rng.integers(2, 12)), int(rng.integers(2, 12))
    k = int(rng.integers(1, min(h, w) + 1))
    s, p = int(rng.integers(1, 4)), int(rng.integers(0, k // 2 + 1))
    return rng.normal(size=(c, h, w)), k, s, p


POOL_DOCUMENT_CASES = drawn(60, 3, _pool_document_case)


@pytest.mark.parametrize("mode", ["max", "avg"])
@each_seed(range(len(POOL_DOCUMENT_CASES)))
def test_pool_documents_replay_torch(mode, seed):
    x, k, s, p = POOL_DOCUMENT_CASES[seed]
    view = json.loads(payload.encode(payload.pool_view(convlab.pool2d_steps(x, k, s, p, mode))))
    xp, y = unpack(view["x"]), unpack(view["y"])
    xt = oracle.T(x)[None]
    want = F.max_pool2d(xt, k, s, p) if mode == "max" else F.avg_pool2d(xt, k, s, p, count_include_pad=True)
    np.testing.assert_allclose(y, want[0].numpy(), atol=1e-12, err_msg=str(seed))
    for i in range(y.size):
        values = [xp[cc, rr, qq] for cc, rr, qq in taps(view, i)]
        agg = max(values) if mode == "max" else np.mean([0.0 if v == -np.inf else v for v in values])
        assert agg == pytest.approx(y.ravel()[i], abs=1e-12), (seed, i)
        if mode == "max":
            ar, ac = unpack(view["argmax"]).reshape(-1, 2)[i].astype(int)
            assert xp[np.unravel_index(i, y.shape)[0], ar, ac] == y.ravel()[i]


def _dropped_case(rng, i):
    h, w = int(rng.integers(3, 14)), int(rng.integers(3, 14))
    k, s, d = int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 3))
    return h, w, k, s, d, ["valid", "same", int(rng.integers(0, 3))][i % 3]


DROPPED_CASES = drawn(80, 4, _dropped_case)


@per_seed(range(len(DROPPED_CASES)))
def test_dropped_cells_are_exactly_those_no_window_reads(seed):
    h, w, k, s, d, pad = DROPPED_CASES[seed]
    try:
        trace = convlab.conv2d_steps(np.ones((h, w)), np.ones((k, k)), stride=s, padding=pad, dilation=d)
    except convlab.ConvlabError:
        return                                               # the kernel does not fit
    (t, b), (l, r) = trace.padding
    rows = convlab.explain_output_size(h, k, s, (t, b), d)
    cols = convlab.explain_output_size(w, k, s, (l, r), d)
    view = payload.conv_view(trace, dropped=payload.dropped_axes(rows, cols, trace.padding))
    read = {(rr, qq) for i in range(len(trace)) for _, rr, qq in taps(view, i)}
    dropped = {(rr, qq) for rr in range(t, t + h) for qq in range(l, l + w)
               if rr in view["dropped"]["rows"] or qq in view["dropped"]["cols"]}
    inside = {(rr, qq) for rr in range(t, t + h) for qq in range(l, l + w)}
    assert dropped == inside - read, seed


def test_windows_document_counts_the_windows_over_each_cell():
    for n, m, k, s, d, pad in [(7, 7, 3, 3, 1, "valid"), (13, 9, 6, 5, 1, "same"), (7, 7, 3, 2, 2, "valid"),
                               (9, 5, 2, 1, 3, 2)]:
        rows, cols = (convlab.explain_output_size(v, k, s, pad, d) for v in (n, m))
        view = payload.windows_view(rows, cols)
        counts = np.zeros(view["x"]["s"][1:])
        for i in range(rows.output * cols.output):
            for _, rr, qq in taps(view, i):
                counts[rr, qq] += 1
        np.testing.assert_array_equal(unpack(view["x"])[0], counts)


def _stamp_case(rng, _i):
    o, c = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    x, w = rng.normal(size=(o, int(rng.integers(1, 5)), int(rng.integers(1, 5)))), rng.normal(size=(o, c, 3, 2))
    return x, w, int(rng.integers(1, 4)), int(rng.integers(1, 3))


STAMP_CASES = drawn(40, 6, _stamp_case)


@each_seed(range(len(STAMP_CASES)))
def test_stamps_add_up_to_the_transposed_convolution(seed):
    x, w, s, d = STAMP_CASES[seed]
    view = payload.stamp_view(x, w, stride=s, dilation=d)
    full = unpack(view["y"])
    np.testing.assert_allclose(full, F.conv_transpose2d(oracle.T(x)[None], oracle.T(w), stride=s,
                                                        dilation=d)[0].numpy(), atol=1e-12)
    acc = np.zeros_like(full)                       # the running sums the browser shows, stamp by stamp
    for i in range(x.size):
        g, r, q = np.unravel_index(i, x.shape)
        for a in range(3):
            for b in range(2):
                acc[:, r * s + a * d, q * s + b * d] += x[g, r, q] * w[g, :, a, b]
    np.testing.assert_allclose(acc, full, atol=1e-12, err_msg=str(seed))


def _links_case(rng, i):
    c, o = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    x, w = rng.integers(-3, 4, size=(c, 5, 4)).astype(float), rng.integers(-2, 3, size=(o, c, 2, 3)).astype(float)
    return x, w, rng.normal(size=o), int(rng.integers(1, 3)), ["valid", "same", "full"][i % 3]


LINKS_CASES = drawn(30, 8, _links_case)


@each_seed(range(len(LINKS_CASES)))
def test_matrix_links_light_the_toeplitz_row_and_the_im2col_column_of_each_window(seed):
    x, w, bias, stride, pad = LINKS_CASES[seed]
    trace = convlab.conv2d_steps(x, w, bias, stride=stride, padding=pad)
    T = convlab.conv_matrix(x.shape, w, stride=stride, padding=pad, sparse=False)
    cols = convlab.im2col(x, (2, 3), stride=stride, padding=pad)
    links = payload.matrix_links(trace, T, cols, bias)
    panels = {p["id"]: unpack(p["a"]).reshape(unpack(p["a"]).shape[-2:]) for p in links["panels"]}
    np.testing.assert_allclose(panels["T"] @ panels["x"].ravel() + np.repeat(bias, cols.shape[1]),
                               trace.output.ravel(), atol=1e-10)
    np.testing.assert_allclose(panels["W"] @ panels["X"] + panels["b"], panels["Y"], atol=1e-10)
    support = convlab.conv_matrix(x.shape, np.ones_like(w), stride=stride, padding=pad, sparse=False)
    for i, hl in enumerate(links["hl"]):
        lit = sorted(k % T.shape[1] for k in hl["T"]["c"])
        assert lit == list(np.flatnonzero(support[i])), (seed, i)          # row i's entries that can be non-zero
        assert sorted(hl["x"]["c"]) == lit and hl["y"]["c"] == [i]
        o_, p_ = divmod(i, cols.shape[1])
        assert hl["X"]["k"] == [p_] and hl["W"]["r"] == [o_] and hl["Y"]["c"] == [i]


@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1), (1, 2), (3, 1)])
def test_backward_entries_are_sums_of_the_products_they_light(stride, pad):
    """Every dL/dW and dL/dX entry the view explains equals autograd, and is the sum of its written products."""
    rng = np.random.default_rng(stride * 10 + pad)
    x, w = rng.integers(-2, 4, size=(2, 6, 5)).astype(float), rng.integers(-2, 3, size=(2, 2, 3, 2)).astype(float)
    xt, wt = oracle.T(x, grad=True), oracle.T(w, grad=True)
    y = F.conv2d(xt[None], wt, stride=stride, padding=pad)[0]
    dy = rng.normal(size=tuple(y.shape))
    y.backward(oracle.T(dy))
    grads = convlab.conv2d_backward(x, w, dy, stride=stride, padding=pad)
    for view, want in ((payload.grad_w_view(x, w, dy, grads, stride, pad), wt.grad.numpy()),
                       (payload.grad_x_view(x, w, dy, grads, stride, pad), xt.grad.numpy())):
        panels = [unpack(p["a"]).ravel() for p in view["panels"]]
        np.testing.assert_allclose(view["values"], want.ravel(), atol=1e-10)
        for i, terms in enumerate(view["terms"]):
            total = sum(panels[a][ia] * panels[b][ib] for a, ia, b, ib in terms)
            assert total == pytest.approx(want.ravel()[i], abs=1e-10), (view["label"], i)
            ids = [p["id"] for p in view["panels"]]
            for a, ia, b, ib in terms:                     # every factor of the sum is lit
                assert ia in view["hl"][i][ids[a]] and ib in view["hl"][i][ids[b]]


def test_a_frozen_figure_sends_the_same_spec():
    """ui.widgets.frozen_figure: what st.plotly_chart serialises equals the figure's own spec (made once)."""
    import plotly.io

    from convlab.figures.grids import grid_figure
    from ui.widgets import frozen_figure

    fig = grid_figure([np.arange(6.0).reshape(2, 3), np.eye(2)], ["a", "b"])
    frozen = frozen_figure(fig)
    assert json.loads(plotly.io.to_json(frozen.to_dict(), validate=False)) == json.loads(plotly.io.to_json(fig))
    assert frozen.to_dict() is frozen.to_dict()
