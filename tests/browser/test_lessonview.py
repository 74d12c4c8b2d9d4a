"""The lesson view in a real browser, on every page that uses it, for random configurations: stepping with the
keyboard shows convlab's numbers, clicking an output lights exactly its receptive field, stepping reruns nothing
(the step reaches the URL once the stepping pauses), and projector mode is readable at 1280×720.
"""

import random

import numpy as np
import pytest

import convlab
from chromium import wait_idle
from lessonview_kit import (assert_readable, cells, headline, lines, open_view, press, runs, step_in_browser, text,
                            url, view, wait_for_url_step, wait_step, watch_steps, watched_steps)

SEEDS = [0, 1, 2]


def conv1d_case(seed: int):
    rng = random.Random(seed)
    n = rng.randint(5, 12)
    x = [rng.randint(-4, 6) for _ in range(n)]
    k = rng.randint(1, 4)
    w = [rng.choice([-2, -1, 1, 2, 3, 0.5]) for _ in range(k)]
    params = dict(x=", ".join(map(str, x)), w=", ".join(map(str, w)), stride=rng.randint(1, 3),
                  dilation=rng.randint(1, 2), padding=rng.choice(["valid", "same", "full"]))
    if seed % 2:
        params["bias"] = rng.choice([-1.5, 2])
    return params


@pytest.mark.parametrize("seed", SEEDS)
def test_conv1d_keyboard_steps_show_convlabs_numbers_without_reruns(server, browser, seed):
    params = conv1d_case(seed)
    trace = convlab.conv1d_steps(np.array(params["x"].split(", "), float), np.array(params["w"].split(", "), float),
                                 bias=params.get("bias"), stride=params["stride"], padding=params["padding"],
                                 dilation=params["dilation"])
    page, errors = open_view(browser, url(server, "conv1d", **params), f"lessonview-conv1d-{seed}")
    target = random.Random(seed).randint(1, len(trace) - 1) if len(trace) > 1 else 0
    before = runs(page)
    assert step_in_browser(page, "ArrowRight", target) == target, "stepping must be drawn without the server"
    assert runs(page) - before <= 1                          # at most the one report of the pause
    st = trace[target]
    # the window: exactly the taps of this step, in the padded input
    assert set(cells(page, "input", active=True)) == {(0, 0, c) for c in st.cols}
    # outputs revealed so far are convlab's, the rest still empty
    out = cells(page, "output")
    for k in range(len(trace)):
        assert out[(0, 0, k)] == (text(trace.output[k]) if k <= target else ""), k
    # the kernel rides under the window with each product written out
    products = view(page).locator("[data-cell=product]").all_inner_texts()
    assert products == [text(v) for v in st.products]
    assert headline(page).endswith(f"= {text(trace.output[target])}")
    # once the stepping pauses, the step goes back to Python (one rerun) and into the URL
    wait_for_url_step(page, target)
    assert runs(page) - before == (1 if target else 0)
    # Home, End and clicking an output cell
    press(page, "Home")
    wait_step(page, 0)
    press(page, "End")
    wait_step(page, len(trace) - 1)
    pick = len(trace) // 2
    view(page).locator(f"[data-cell=output][data-c='{pick}']").click()
    wait_step(page, pick)
    assert set(cells(page, "input", active=True)) == {(0, 0, c) for c in trace[pick].cols}
    assert not errors, errors
    page.close()


def test_play_pause_and_the_one_set_of_controls(server, browser):
    page, errors = open_view(browser, url(server, "conv1d"), "lessonview-conv1d-play")
    assert page.locator(".js-plotly-plot").count() == 0                       # no Plotly frames any more
    assert page.get_by_role("button", name="Next step").count() == 1
    before = runs(page)
    watch_steps(page)
    page.get_by_role("button", name="Play").click()
    wait_step(page, 3)                                                        # plays to the end and stops
    assert page.get_by_role("button", name="Play").get_attribute("aria-pressed") == "false"
    assert watched_steps(page) == [(1, before), (2, before), (3, before)]    # every step drawn with no run started
    page.get_by_role("button", name="Previous step").click()
    wait_step(page, 2)
    assert not errors, errors
    page.close()


def test_conv1d_projector_is_readable(server, browser):
    page, errors = open_view(browser, url(server, "conv1d", projector=1), "projector-conv1d", width=1280, height=720)
    assert_readable(page, "projector-conv1d")
    assert not errors, errors
    page.close()


def grids_text(a) -> str:
    """(N, H, W) numbers as the pages' grid text: rows ';', grids '|'."""
    from convlab.parse import format_grids
    return format_grids(a)


def conv2d_case(seed: int):
    rng = np.random.default_rng(100 + seed)
    c, o = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    h, w = int(rng.integers(3, 8)), int(rng.integers(3, 8))
    k = int(rng.integers(1, 4))
    x = rng.integers(-3, 6, size=(c, h, w))
    wt = rng.choice([-2, -1, 0, 1, 2, 0.5], size=(o, c, k, k))
    bias = rng.integers(-2, 3, size=o)
    params = dict(x=grids_text(x), w=grids_text(wt.reshape(-1, k, k)), bias=", ".join(map(str, bias)),
                  stride=int(rng.integers(1, 3)), dilation=int(rng.integers(1, 3)),
                  padding=["valid", "same", "full"][seed % 3])
    try:
        trace = convlab.conv2d_steps(x, wt, bias, stride=params["stride"], padding=params["padding"],
                                     dilation=params["dilation"])
    except convlab.ConvlabError:
        params["dilation"] = 1
        trace = convlab.conv2d_steps(x, wt, bias, stride=params["stride"], padding=params["padding"])
    return params, trace


def receptive_field(trace, i: int, channels=None) -> set:
    """(channel, row, col) of the padded input that step i reads: convlab's own rows and cols of that step."""
    st = trace[i]
    chans = channels if channels is not None else range(np.shape(trace.padded)[0] if np.ndim(trace.padded) == 3 else 1)
    return {(c, r, q) for c in chans for r in st.rows for q in st.cols}


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_keyboard_and_clicks_follow_convlab(server, browser, seed):
    params, trace = conv2d_case(seed)
    page, errors = open_view(browser, url(server, "conv2d", **params), f"lessonview-conv2d-{seed}")
    n = len(trace)
    target = int(np.random.default_rng(seed).integers(0, n))
    before = runs(page)
    assert step_in_browser(page, "End") == n - 1
    assert step_in_browser(page, "Home") == 0
    assert step_in_browser(page, "ArrowRight", target) == target, "stepping must be drawn without the server"
    assert runs(page) - before <= 1                          # at most the one report of the pause
    st = trace[target]
    assert set(cells(page, "input", active=True)) == receptive_field(trace, target)
    out = cells(page, "output")
    flat = trace.output.ravel()
    for k, (o, r, q) in enumerate(np.ndindex(trace.output.shape)):
        assert out[(o, r, q)] == (text(flat[k]) if k <= target else ""), (o, r, q)
    # the products of each channel, in the detail, and the kernels of this step's filter
    products = cells(page, "product")
    kernels = cells(page, "kernel")
    for (c, a, b), value in np.ndenumerate(st.products.reshape(-1, *st.products.shape[-2:])):
        assert products[(c, a, b)] == text(value)
        assert kernels[(c, a, b)] == text(trace.kernels[st.filter, c, a, b])
    assert f"= {text(trace.output[st.out_index])}" in headline(page) + " ".join(lines(page))
    # a click on another output cell lights exactly its receptive field
    pick = int(np.random.default_rng(seed + 7).integers(0, n))
    o, r, q = np.unravel_index(pick, trace.output.shape)
    view(page).locator(f"[data-cell=output][data-g='{o}'][data-r='{r}'][data-c='{q}']").click()
    wait_step(page, pick)
    assert set(cells(page, "input", active=True)) == receptive_field(trace, pick)
    wait_for_url_step(page, pick)
    assert not errors, errors
    page.close()


def pool_case(seed: int):
    rng = np.random.default_rng(200 + seed)
    c, h, w = int(rng.integers(1, 4)), int(rng.integers(3, 9)), int(rng.integers(3, 9))
    size = int(rng.integers(1, 4))
    params = dict(x=grids_text(rng.integers(0, 10, size=(c, h, w))), mode=["max", "avg"][seed % 2], size=size,
                  stride=int(rng.integers(0, 3)), pad=int(rng.integers(0, size // 2 + 1)))
    x = rng.integers(0, 10, size=(c, h, w))
    params["x"] = grids_text(x)
    trace = convlab.pool2d_steps(x, size, params["stride"] or None, params["pad"], params["mode"])
    return params, trace


@pytest.mark.parametrize("seed", SEEDS)
def test_pooling_keyboard_and_clicks_follow_convlab(server, browser, seed):
    params, trace = pool_case(seed)
    page, errors = open_view(browser, url(server, "pooling", **params), f"lessonview-pooling-{seed}")
    target = int(np.random.default_rng(seed).integers(0, len(trace)))
    before = runs(page)
    assert step_in_browser(page, "ArrowRight", target) == target, "stepping must be drawn without the server"
    assert runs(page) - before <= 1                          # at most the one report of the pause
    st = trace[target]
    assert set(cells(page, "input", active=True)) == receptive_field(trace, target, [st.channel])
    out = cells(page, "output")
    for k, idx in enumerate(np.ndindex(trace.output.shape)):
        assert out[idx] == (text(trace.output[idx]) if k <= target else "")
    if params["mode"] == "max":
        (t, _), (l, _) = trace.padding
        marked = view(page).evaluate("(root) => [...root.querySelectorAll('[data-max=true]')]"
                                     ".map(c => [Number(c.dataset.g), Number(c.dataset.r), Number(c.dataset.c)])")
        assert marked == [[st.channel, st.argmax[0] + t, st.argmax[1] + l]]
    assert lines(page)[0].replace("−", "-").endswith(f"= {text(st.value).replace('−', '-')}")
    pick = len(trace) - 1
    view(page).locator("[data-cell=output]").last.click()
    wait_step(page, pick)
    assert set(cells(page, "input", active=True)) == receptive_field(trace, pick, [trace[pick].channel])
    assert not errors, errors
    page.close()


# The pages' defaults on a projector: tests/browser/test_pages.py::test_every_page_is_readable_on_a_projector
# (the same font and right-edge checks, and more). Here, the larger grids.
@pytest.mark.parametrize("path, params", [
    ("conv2d", {"x": grids_text(np.arange(3 * 36).reshape(3, 6, 6) % 7), "w": grids_text(np.ones((6, 3, 3))),
                "bias": "1, -1", "padding": "same"}),
    ("pooling", {"x": grids_text(np.arange(3 * 64).reshape(3, 8, 8) % 10), "size": 3, "stride": 2, "pad": 1}),
], ids=["conv2d-3ch-2f", "pooling-3ch"])
def test_projector_is_readable(server, browser, path, params):
    name = f"projector-{path}-{len(params)}"
    page, errors = open_view(browser, url(server, path, projector=1, **params), name, width=1280, height=720)
    assert_readable(page, name)
    assert not errors, errors
    page.close()


def test_matrix_links_follow_the_window(server, browser):
    x = np.arange(1, 17).reshape(1, 4, 4) % 5
    params = {"x": grids_text(x), "w": "1 0 -1; 2 1 0 | 0 1 1; -1 0 2", "bias": "1, -1", "padding": "same"}
    trace = convlab.conv2d_steps(x, np.array([[[[1, 0, -1], [2, 1, 0]]], [[[0, 1, 1], [-1, 0, 2]]]]), [1, -1],
                                 padding="same")
    T = convlab.conv_matrix(x.shape, np.ones((2, 1, 2, 3)), padding="same", sparse=False)    # T's possible non-zeros
    page, errors = open_view(browser, url(server, "matrix", **params), "lessonview-matrix")
    before = runs(page)
    for target in (5, 21):
        assert step_in_browser(page, "Home") == 0
        assert step_in_browser(page, "ArrowRight", target) == target
        lit_t = view(page).evaluate("(root) => [...root.querySelectorAll('[data-panel=T] [data-active=true]')]"
                                    ".map(c => [Number(c.dataset.r), Number(c.dataset.c)])")
        assert sorted(lit_t) == [[target, int(j)] for j in np.flatnonzero(T[target])]
        lit_x = view(page).evaluate("(root) => [...root.querySelectorAll('[data-panel=x] [data-active=true]')]"
                                    ".map(c => Number(c.dataset.c))")
        assert sorted(lit_x) == list(np.flatnonzero(T[target]))
        assert set(cells(page, "input", active=True)) == receptive_field(trace, target)
    assert runs(page) - before <= 4                          # at most one report per burst of keys
    # a click on a row of T picks that output
    view(page).locator("[data-panel=T] [data-r='9'][data-c='0']").click()
    wait_step(page, 9)
    assert set(cells(page, "input", active=True)) == receptive_field(trace, 9)
    assert not errors, errors
    page.close()


def test_backward_clicks_light_what_each_gradient_is_made_of(server, browser):
    params = {"x": "1 2 3 0; 0 1 2 3; 3 0 1 2; 2 3 0 1", "w": "1 0; 0 -1", "stride": 2, "pad": 1, "loss": "square"}
    page, errors = open_view(browser, url(server, "backward", **params), "lessonview-backward")
    x = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], float)
    w = np.array([[1.0, 0], [0, -1]])
    y = convlab.conv2d(x, w, stride=2, padding=1)
    from convlab.convolution.backward import loss_gradient
    dy = loss_gradient(y, "square")
    g = convlab.conv2d_backward(x, w, dy, stride=2, padding=1)
    # dL/dW[0, 0, 1, 0]: X at rows 1 + 2i, cols 0 + 2j of the padded input, times dL/dY[i, j]
    view(page, 0).locator("[data-cell=output][data-r='1'][data-c='0']").click()
    wait_step(page, 2, 0)
    lit = view(page, 0).evaluate("(root) => [...root.querySelectorAll('[data-panel=x] [data-active=true]')]"
                                 ".map(c => [Number(c.dataset.r), Number(c.dataset.c)])")
    assert sorted(lit) == [[1 + 2 * i, 2 * j] for i in range(3) for j in range(3)]
    assert headline(page, 0).endswith(f"= {text(g.grad_w.ravel()[2])}")
    # dL/dX[0, 2, 1]: the dL/dY entries whose windows read it, times the weight that touched it
    view(page, 1).locator("[data-cell=output][data-r='2'][data-c='1']").click()
    wait_step(page, 9, 1)
    assert headline(page, 1).endswith(f"= {text(g.grad_x[2, 1])}")
    lit = view(page, 1).evaluate("(root) => [...root.querySelectorAll('[data-panel=dy] [data-active=true]')]"
                                 ".map(c => [Number(c.dataset.r), Number(c.dataset.c)])")
    want = [[i, j] for i in range(3) for j in range(3) for a in range(2) for b in range(2)
            if 2 * i + a - 1 == 2 and 2 * j + b - 1 == 1]
    assert sorted(lit) == sorted(want)
    # the transposed convolution: at the last stamp the output (cropped) is dL/dX
    press(page, "End", index=2)
    wait_step(page, 8, 2)
    out = cells(page, "output", 2)
    for (r, c), v in np.ndenumerate(g.grad_x):
        assert out[(0, r + 1, c + 1)] == text(v)
    assert not errors, errors
    page.close()


def test_backward_pooling_input_survives_a_bad_kernel(server, browser):
    """Issue 12: after a bad kernel was typed and fixed, the "Pooling input" box was empty."""
    page, errors = open_view(browser, url(server, "backward"), "backward-bad-kernel")
    box = page.get_by_label("Pooling input (2×2 windows, stride 2)")
    field = page.get_by_label("Kernels (filter by filter, one per channel)", exact=True)
    for value in ("abc", "1 0; 0 -1"):
        field.fill(value)
        field.press("Control+Enter")
        wait_idle(page)
    page.wait_for_selector("[data-testid='lesson-view']")
    assert box.input_value() == "1 3 2 1; 4 2 0 1; 1 1 5 2; 0 3 2 4"
    page.get_by_text("avg", exact=True).click()
    wait_idle(page)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("path, params, active", [
    ("conv2d", {"x": grids_text(np.arange(3 * 256).reshape(3, 16, 16) % 9), "padding": "full", "bias": "1, 2, 3",
                "w": grids_text(np.ones((9, 7, 7)))}, 3 * 49),
    ("pooling", {"x": grids_text(np.arange(3 * 256).reshape(3, 16, 16) % 9), "size": 1}, 1),
    ("matrix", {"x": grids_text(np.arange(128).reshape(2, 8, 8) % 5), "w": grids_text(np.ones((4, 4, 4))),
                "bias": "0, 1", "padding": "full"}, 2 * 16),
    ("padding", {"n": 40, "m": 40, "k": 1, "s": 1, "padding": "explicit", "p": 10}, 1),
], ids=["conv2d", "pooling", "matrix", "padding"])
def test_the_largest_grids_the_pages_allow(server, browser, path, params, active):
    """Every size: the view draws the biggest configuration each page accepts and steps through it."""
    page, errors = open_view(browser, url(server, path, **params), f"lessonview-largest-{path}")
    n = int(view(page).locator(".lv-scrub").get_attribute("max")) + 1
    press(page, "End")
    wait_step(page, n - 1)
    assert len(cells(page, "input", active=True)) == active                # every tap of the last window, padding too
    press(page, "ArrowLeft")
    wait_step(page, n - 2)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert not errors, errors
    page.close()


def grouped_case(seed: int):
    """A random grouped (or depthwise) /conv2d configuration: C and O multiples of the groups, at most 4 each."""
    rng = np.random.default_rng(300 + seed)
    g = [2, 4, 2][seed % 3]
    c, o = g * int(rng.integers(1, 4 // g + 1)), g * int(rng.integers(1, 4 // g + 1))
    k = int(rng.integers(1, 4))
    x = rng.integers(-3, 6, size=(c, int(rng.integers(k, 7)), int(rng.integers(k, 7))))
    wt = rng.choice([-2, -1, 0, 1, 2, 0.5], size=(o, c // g, k, k))
    bias = rng.integers(-2, 3, size=o)
    params = dict(x=grids_text(x), w=grids_text(wt.reshape(-1, k, k)), bias=", ".join(map(str, bias)), groups=g,
                  stride=int(rng.integers(1, 3)), padding=["valid", "same", "full"][seed % 3])
    trace = convlab.conv2d_steps(x, wt, bias, stride=params["stride"], padding=params["padding"], groups=g)
    return params, trace


UNREAD = "(root) => [...root.querySelectorAll('figure[data-read=false]')].map(f => Number(f.dataset.channel))"


@pytest.mark.parametrize("seed", SEEDS)
def test_grouped_conv2d_lights_only_the_channels_its_filter_reads(server, browser, seed):
    """Groups on /conv2d: for every step reached by the keyboard or a click, the lit input cells are exactly the
    window on the filter's own channels (convlab's trace), the other channels are marked "not read by this filter",
    and the kernels, products and sums are those of the filter's channels only."""
    params, trace = grouped_case(seed)
    page, errors = open_view(browser, url(server, "conv2d", **params), f"lessonview-grouped-{seed}")
    n, c_in = len(trace), np.shape(trace.padded)[0]
    target = int(np.random.default_rng(seed).integers(n // 2, n))
    before = runs(page)
    assert step_in_browser(page, "ArrowRight", target) == target, "stepping must be drawn without the server"
    assert runs(page) - before <= 1                          # at most the one report of the pause
    st = trace[target]
    assert set(cells(page, "input", active=True)) == receptive_field(trace, target, st.channels)
    assert sorted(view(page).evaluate(UNREAD)) == sorted(set(range(c_in)) - set(st.channels))
    kernels, products = cells(page, "kernel"), cells(page, "product")
    for (k, a, b), value in np.ndenumerate(trace.kernels[st.filter]):
        assert kernels[(k, a, b)] == text(value)
        assert products[(k, a, b)] == text(st.products[k, a, b])
    said = lines(page)
    assert said[0].startswith(f"filter {st.filter} reads channel") and "not read by this filter" in said[0]
    for k, ch in enumerate(st.channels):                 # one written sum per channel read, and no other channel
        assert said[1 + k].startswith(f"channel {ch}: ") and said[1 + k].endswith(f"= {text(st.channel_sums[k])}")
    assert said[-1].endswith(f"= {text(st.value)}") and len(said) == 2 + len(st.channels)
    # a click on an output of the first filter: its group is lit, the others are marked
    pick = int(np.random.default_rng(seed + 5).integers(0, n // trace.output.shape[0]))
    o, r, q = np.unravel_index(pick, trace.output.shape)
    view(page).locator(f"[data-cell=output][data-g='{o}'][data-r='{r}'][data-c='{q}']").click()
    wait_step(page, pick)
    assert set(cells(page, "input", active=True)) == receptive_field(trace, pick, trace[pick].channels)
    assert sorted(view(page).evaluate(UNREAD)) == sorted(set(range(c_in)) - set(trace[pick].channels))
    wait_for_url_step(page, pick)
    assert not errors, errors
    page.close()


READ_3D = """(root, [role, onlyActive]) => [...root.querySelectorAll(`[data-cell="${role}"]`)]
  .filter(c => !onlyActive || c.dataset.active === 'true')
  .map(c => [Number(c.dataset.g), Number(c.dataset.d), Number(c.dataset.r), Number(c.dataset.c), c.textContent])"""


def cells3d(page, role: str, active: bool = False) -> dict:
    """{(g, d, r, c): text}: like cells(), with the depth (of the slice, or of the output plane)."""
    return {(g, d, r, c): t for g, d, r, c, t in view(page).evaluate(READ_3D, [role, active])}


@pytest.mark.parametrize("params", [
    {},
    {"volume": "phantom", "kernel": "3D Laplacian (blobs)", "padding": "same", "stride": 2, "depth": 6},
    {"volume": "torus", "kernel": "random integers", "size": 7},
], ids=["clip", "phantom-same-stride2", "torus"])
def test_conv3d_steps_every_output_slice_by_slice(server, browser, params):
    """/conv3d: the keyboard and a click on any output plane reach every output; the window sits on exactly the
    slices, rows and columns convlab's step reads, with the kernel's depth slices; the per-slice sums written out
    add up to convlab's value; no rerun while stepping."""
    from convlab.convolution.conv3d import KERNELS3D, make_volume
    import oracle

    volume = make_volume(params.get("volume", "clip"), params.get("depth", 5), params.get("size", 8))
    kernel = KERNELS3D[params.get("kernel", "change in depth / time (next − previous)")]
    trace = convlab.conv3d_steps(volume, kernel, stride=params.get("stride", 1), padding=params.get("padding", "valid"))
    name = f"lessonview-conv3d-{len(params)}"
    page, errors = open_view(browser, url(server, "conv3d", **params), name)
    n = len(trace)
    target = int(np.random.default_rng(n).integers(n // 2, n))           # a later depth plane
    before = runs(page)
    assert step_in_browser(page, "ArrowRight", target) == target, "stepping must be drawn without the server"
    assert runs(page) - before <= 1                          # at most the one report of the pause
    st = trace[target]
    window = {(0, d, r, c) for d in st.depths for r in st.rows for c in st.cols}
    assert set(cells3d(page, "input", active=True)) == window
    kernels = cells3d(page, "kernel")
    for (j, a, b), value in np.ndenumerate(kernel):
        assert kernels[(0, j, a, b)] == text(value)
    od, r, q = st.out_index
    out = cells3d(page, "output")                                         # the current plane, filled in so far
    plane = trace.output[od].ravel()
    for k in range(plane.size):
        flat = od * plane.size + k
        assert out[(0, od, k // trace.output.shape[2], k % trace.output.shape[2])] == \
            (text(plane[k]) if flat <= target else "")
    assert headline(page) == f"Y[{od}, {r}, {q}] = {text(st.value)}"
    said = lines(page)
    assert len(said) == len(st.depths) + 1
    for j, line in enumerate(said[:-1]):                                 # each kernel slice's products, written out
        assert line.startswith(f"W slice {j} × ")
        written, total = oracle.caption_value(line.split(": ", 1)[1])
        assert written == pytest.approx(total, abs=1e-9)
    written, total = oracle.caption_value(said[-1].split(" = ", 1)[1].replace(" (the slices' sums)", ""))
    assert written == pytest.approx(total, abs=1e-3) and said[-1].endswith(f"= {text(st.value)}")
    # a click on a cell of the first output plane (drawn small) goes there
    view(page).locator("[data-cell=plane][data-d='0'][data-r='1'][data-c='1']").click()
    pick = int(np.ravel_multi_index((0, 1, 1), trace.output.shape))
    wait_step(page, pick)
    assert set(cells3d(page, "input", active=True)) == {(0, d, rr, cc) for d in trace[pick].depths
                                                         for rr in trace[pick].rows for cc in trace[pick].cols}
    wait_for_url_step(page, pick)
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("params", [
    {},
    {"volume": "phantom", "kernel": "3D Laplacian (blobs)", "padding": "same", "stride": 2, "depth": 6},
], ids=["clip", "phantom-same-stride2"])
def test_conv3d_on_a_projector_shows_the_window_of_each_slice(server, browser, params):
    """/conv3d at 1280×720 with ?projector=1 (issue 24): the numbered slices are zoomed to the window. At a later step
    each column shows exactly the cells the window reads on its slice, with their values, × the kernel's slice, =
    the products and their Σ; the headline adds the Σs up to convlab's value; the output plane and a click on a small
    plane work as at full size; no rerun while stepping."""
    from convlab.convolution.conv3d import KERNELS3D, make_volume
    import oracle

    volume = make_volume(params.get("volume", "clip"), params.get("depth", 5), params.get("size", 8))
    kernel = KERNELS3D[params.get("kernel", "change in depth / time (next − previous)")]
    trace = convlab.conv3d_steps(volume, kernel, stride=params.get("stride", 1), padding=params.get("padding", "valid"))
    name = f"projector-lessonview-conv3d-{len(params)}"
    page, errors = open_view(browser, url(server, "conv3d", projector=1, **params), name, width=1280, height=720)
    n = len(trace)
    target = int(np.random.default_rng(n + 1).integers(n // 2, n))
    before = runs(page)
    assert step_in_browser(page, "ArrowRight", target) == target, "stepping must be drawn without the server"
    assert runs(page) - before <= 1                          # at most the one report of the pause
    st = trace[target]
    shown = cells3d(page, "input")
    assert set(shown) == {(0, d, r, c) for d in st.depths for r in st.rows for c in st.cols}     # the window only
    assert set(cells3d(page, "input", active=True)) == set(shown)
    for (j, a, b), value in np.ndenumerate(st.patch):
        assert shown[(0, st.depths[j], st.rows[a], st.cols[b])] == text(value)
    kernels = cells3d(page, "kernel")
    for (j, a, b), value in np.ndenumerate(kernel):
        assert kernels[(0, j, a, b)] == text(value)
    products = view(page).locator("[data-cell=product]").all_inner_texts()
    assert products == [text(v) for v in st.products.ravel()]
    sums = st.products.reshape(len(st.depths), -1).sum(axis=1)
    assert view(page).locator(".lv-sum").all_inner_texts() == [f"Σ = {text(s)}" for s in sums]
    od, r, q = st.out_index
    said = headline(page)
    assert said.startswith(f"Y[{od}, {r}, {q}] = ") and said.endswith(f" = {text(st.value)}"), said
    written, total = oracle.caption_value(said.split(" = ", 1)[1])
    assert written == pytest.approx(total, abs=1e-3)
    out = cells3d(page, "output")
    plane = trace.output[od].ravel()
    for k in range(plane.size):
        assert out[(0, od, k // trace.output.shape[2], k % trace.output.shape[2])] == \
            (text(plane[k]) if od * plane.size + k <= target else "")
    assert_readable(page, name)
    view(page).locator("[data-cell=plane][data-d='0'][data-r='1'][data-c='1']").click()
    pick = int(np.ravel_multi_index((0, 1, 1), trace.output.shape))
    wait_step(page, pick)
    assert set(cells3d(page, "input")) == {(0, d, rr, cc) for d in trace[pick].depths
                                          for rr in trace[pick].rows for cc in trace[pick].cols}
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("path, params", [
    ("conv3d", {"depth": 10, "size": 12, "padding": "same"}),
    ("variants", {"step": 10}),
    ("conv2d", {"x": grids_text(np.arange(4 * 25).reshape(4, 5, 5) % 7), "w": grids_text(np.ones((4, 3, 3))),
                "bias": "1, -1", "groups": 2, "padding": "same", "step": 30}),
], ids=["conv3d-largest", "variants", "conv2d-groups"])
def test_projector_is_readable_for_groups_and_3d(server, browser, path, params):
    name = f"projector-{path}-{len(params)}"
    page, errors = open_view(browser, url(server, path, projector=1, **params), name, width=1280, height=720)
    assert_readable(page, name)
    assert not errors, errors
    page.close()
