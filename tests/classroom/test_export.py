"""Exports: GIFs (frame count, size, first frame = the figure's first step), PyTorch snippets run and
compared with convlab over random configurations, model snippets against build_model, CSV."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

import convlab
from convlab.classroom.export import (LABEL_H, MARGIN, MAX_FRAMES, TITLE_H, WINDOW, conv_snippet, grid_csv, model_snippet,
                            occlusion_gif, pool_snippet, render_frame, steps_gif)
from convlab.figures.theme import DIVERGING, rgb
from convlab.networks.models import PRESETS, build_model, preset


def frames(gif: bytes):
    im = Image.open(io.BytesIO(gif))
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append(im.convert("RGB"))
    return out


def test_conv2d_gif_frames_and_the_first_frame():
    x = np.arange(25.0).reshape(5, 5) - 12
    trace = convlab.conv2d_steps(x, [[1, 0], [0, -1]], padding=1, stride=2)
    gif, note = steps_gif(trace)
    got = frames(gif)
    assert note == "" and len(got) == len(trace) == 9
    first = render_frame(trace, 0)
    assert got[0].size == first.size
    diff = np.abs(np.asarray(got[0], int) - np.asarray(first, int))
    assert diff.mean() < 3 and np.percentile(diff, 99) < 16                     # same picture, up to the palette
    # the orange outline sits around step 0's window (rows 0-1, cols 0-1 of the padded input, first panel)
    cell = (first.width - 2 * MARGIN - 2 * 24) // (7 + 2 + 3)
    a = np.asarray(first)[:, :MARGIN + 7 * cell]                              # the input panel
    ys, xs = np.nonzero(np.all(a == rgb(WINDOW), axis=2))
    assert (xs.min(), ys.min()) == (MARGIN, TITLE_H + LABEL_H)
    assert (xs.max(), ys.max()) == (MARGIN + 2 * cell - 1, TITLE_H + LABEL_H + 2 * cell - 1)
    # the current output cell is outlined in the same orange, as in the figures (output panel, row 0, col 0)
    out_x = MARGIN + (7 + 2) * cell + 2 * 24
    assert tuple(first.getpixel((out_x, TITLE_H + LABEL_H + cell // 2))) == rgb(WINDOW)


def test_gif_cells_use_the_figures_colour_scale():
    """The GIF and the Plotly figures share one style: a cell at the largest |value| gets the scale's colour at
    1 / 1.6 of its end, 0 is the scale's white."""
    from convlab.figures.theme import diverging_rgb
    trace = convlab.conv1d_steps([0.0, 4.0, -4.0], [1.0])
    frame = render_frame(trace, 2, cell=40)
    y = TITLE_H + LABEL_H + 30
    picked = [tuple(frame.getpixel((MARGIN + c * 40 + 30, y))) for c in range(3)]      # input panel, 3 cells
    assert picked == [rgb(DIVERGING[2][1]), diverging_rgb(1 / 1.6), diverging_rgb(-1 / 1.6)]


def test_gifs_are_big_enough_for_a_slide():
    """Issue 13: the 1D GIF of the notes' example was 644×112 px; now its cells are 96 px and its text large."""
    gif, _ = steps_gif(convlab.conv1d_steps([1, 0, 2, 2, 3, 1], [3, 2, 2]))
    first = frames(gif)[0]
    assert first.width >= 1200 and first.height >= 96 + TITLE_H + LABEL_H
    assert render_frame(convlab.conv2d_steps(np.ones((4, 4)), np.ones((2, 2))), 0).width >= 800


@pytest.mark.slow                   # draws three animated GIFs of up to 80 frames: the longest test outside the browser
def test_gifs_are_capped_with_a_message_and_cover_pool_1d_and_occlusion():
    trace = convlab.conv2d_steps(np.random.default_rng(0).random((2, 16, 16)), np.ones((2, 2, 3, 3)), padding="same")
    gif, note = steps_gif(trace)
    assert len(frames(gif)) == MAX_FRAMES and f"shows {MAX_FRAMES} of the {len(trace)} steps" in note
    assert frames(gif)[0].width <= 1400
    pool = convlab.pool2d_steps([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], 2)
    assert len(frames(steps_gif(pool)[0])) == 4
    one = convlab.conv1d_steps([1, 0, 2, 2, 3, 1], [3, 2, 2])
    assert len(frames(steps_gif(one)[0])) == 4
    gif, note = occlusion_gif(np.zeros((1, 8, 8)), [(0, 0), (0, 4), (4, 0), (4, 4)], (4, 4), [0.9, 0.8, 0.2, 0.5], "3")
    got = frames(gif)
    assert len(got) == 4 and got[0].size == (320, 320 + TITLE_H)
    assert tuple(got[1].getpixel((4 * 40 + 60, TITLE_H + 60))) == (128, 128, 128)     # the occluder at (0, 4)


def _run(code: str):
    ns = {}
    exec(compile(code, "<snippet>", "exec"), ns)             # noqa: S102  (our own generated code)
    return ns


@pytest.mark.parametrize("seed", range(40))
def test_conv_snippet_reproduces_convlab(seed, capsys):
    rng = np.random.default_rng(seed)
    dims = int(rng.integers(1, 3))
    c, o, n, k = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(5, 9)), int(rng.integers(1, 4))
    x = rng.normal(size=(c,) + (n,) * dims)
    w = rng.normal(size=(o, c) + (k,) * dims)
    b = rng.normal(size=o) if rng.random() < 0.5 else None
    s, d = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    mode = str(rng.choice(["valid", "same", "full", "explicit"]))
    pad = int(rng.integers(0, 3)) if mode == "explicit" else mode
    flip = bool(rng.random() < 0.3)
    if (k - 1) * d + 1 > n:
        d = 1
    if dims == 2:
        want = convlab.conv2d(x, w, b, stride=s, padding=pad, dilation=d, flip=flip)
        pads = convlab.resolve_padding2d((n, n), (k, k), s, pad, d)
    else:
        want = convlab.conv1d(x, w, b, stride=s, padding=pad, dilation=d, flip=flip)
        pads = convlab.resolve_padding(n, k, s, pad, d)
    ns = _run(conv_snippet(x, w, b, s, pads, d, flip, dims))
    np.testing.assert_allclose(ns["y"][0].numpy(), want, atol=1e-10)
    assert "tensor(" in capsys.readouterr().out


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool_snippet_reproduces_convlab(mode):
    x = np.random.default_rng(1).normal(size=(2, 7, 7))
    ns = _run(pool_snippet(x, 3, 2, 1, mode))
    np.testing.assert_allclose(ns["y"][0].numpy(), convlab.pool2d(x, 3, 2, 1, mode), atol=1e-12)
    ns = _run(pool_snippet(x[0, 0], 2, None, 0, mode, dims=1))
    np.testing.assert_allclose(ns["y"][0, 0].numpy(), convlab.pool1d(x[0, 0], 2, mode=mode), atol=1e-12)


SEQUENCE_SPEC = {"layers": [{"type": "conv", "filters": 6, "kernel": 5, "padding": 2}, {"type": "batchnorm"},
                            {"type": "act", "fn": "relu"}, {"type": "pool", "kernel": 2},
                            {"type": "residual", "kernel": 3}, {"type": "globalpool", "mode": "avg"},
                            {"type": "linear", "units": 8}]}


@pytest.mark.parametrize("name, shape", [(name, (3, 32, 32)) for name in PRESETS] + [("motif", (4, 60)),
                                                                                      ("sequence", (4, 31))])
def test_model_snippet_is_the_same_network(name, shape):
    spec = SEQUENCE_SPEC if name == "sequence" else preset(name)
    ns = _run(model_snippet(spec, shape, 4))
    torch.manual_seed(0)
    ours = build_model(spec, shape, 4)
    theirs = ns["model"]
    theirs.load_state_dict(ours.state_dict())                 # same names, same shapes
    x = torch.randn(2, *shape)
    ours.eval(), theirs.eval()
    torch.testing.assert_close(theirs(x), ours(x))


def test_grid_csv_round_trips():
    a = np.random.default_rng(2).normal(size=(3, 4))
    back = np.loadtxt(io.StringIO(grid_csv(a)), delimiter=",", skiprows=1)[:, 1:]
    np.testing.assert_array_equal(back, a)
    b = np.random.default_rng(3).normal(size=(2, 3, 3))
    rows = np.loadtxt(io.StringIO(grid_csv(b)), delimiter=",", skiprows=1)
    np.testing.assert_array_equal(rows[:, 2:].reshape(2, 3, 3), b)
    with pytest.raises(convlab.ConvlabError, match="axes"):
        grid_csv(np.zeros((1, 1, 1, 1)))
