"""AppTest: a sound as a waveform (1D convolution) and as a spectrogram (2D convolution), against torch."""

import json

import numpy as np
import torch
import torch.nn.functional as F

from apptest_kit import figure, figures, open_page, shown, values
from convlab.sequences.signals import SPECTRO_KERNELS, make_audio, wave_kernel

PAGE = "pages/sequences/audio.py"


def _clip(sound, example=0, noise=0.3):
    data = make_audio(30, length=2048, noise=noise, seed=0, test_fraction=0.0)
    label = ("tone", "chirp", "clicks").index(sound)
    return data.x_train[np.flatnonzero(data.y_train == label)[example], 0].astype(float)


def test_both_paths_equal_torch():
    at = open_page(PAGE)
    x = _clip("chirp")
    w = torch.tensor(wave_kernel("matched tone", 1000))
    want1 = F.conv1d(torch.tensor(x)[None, None], w[None, None], padding=len(w) // 2)[0, 0].numpy()
    np.testing.assert_allclose(values(figure(at, 0)["data"][1]["y"]), want1, atol=1e-9)
    spec = torch.stft(torch.tensor(x), 128, 32, window=torch.hann_window(128, dtype=torch.float64), center=False,
                      return_complex=True).abs()
    np.testing.assert_allclose(values(figure(at, 2)["data"][0]["z"]), np.log1p(spec.numpy()), atol=1e-9)
    k = torch.tensor(SPECTRO_KERNELS["slanted line (rising pitch: chirp up)"])
    want2 = F.conv2d(torch.log1p(spec)[None, None], k[None, None], padding=2)[0, 0].numpy()
    np.testing.assert_allclose(values(figure(at, 2)["data"][1]["z"]), want2, atol=1e-9)
    assert len(at.success) == 3 and all(s.value.startswith("✓") for s in at.success)


def test_changing_sound_window_and_kernels():
    at = open_page(PAGE)
    at.radio(key="au_sound").set_value("clicks").run()
    at.selectbox(key="au_k1").set_value("difference").run()
    at.selectbox(key="au_fft").set_value("64").run()
    x = _clip("clicks")
    np.testing.assert_allclose(values(figure(at, 0)["data"][1]["y"]), np.convolve(x, [1, -1])[1:], atol=1e-12)
    assert "a 33 × 61 grid" not in shown(at) and "a 33 × 125 grid" in shown(at)
    table = at.table[0].value
    assert list(table.columns) == ["tone", "chirp", "clicks"]
    clicks = table["clicks"].astype(float)
    assert clicks["2D vertical line (all pitches at once: click)"] > table["tone"].astype(float)[
        "2D vertical line (all pitches at once: click)"]


def test_noise_slider_changes_the_clip():
    at = open_page(PAGE, noise="0")
    quiet = values(figure(at, 0)["data"][0]["y"])
    np.testing.assert_allclose(quiet, _clip("chirp", noise=0.0), atol=1e-6)
    at.slider(key="au_noise").set_value(0.8).run()
    assert not np.allclose(values(figure(at, 0)["data"][0]["y"]), quiet)


def test_a_rising_chirp_rises_in_the_spectrogram_and_its_kernel():
    """Issue 24: 0 Hz at the bottom (the y axis runs upward: not reversed), and the 2D kernel drawn the same way up,
    so "rising pitch: chirp up" rises in both."""
    at = open_page(PAGE)
    spectro = figure(at, 2)["layout"]
    assert spectro["yaxis"].get("autorange") != "reversed" and spectro["yaxis2"].get("autorange") != "reversed"
    k = np.array(SPECTRO_KERNELS["slanted line (rising pitch: chirp up)"])
    [drawn] = [f for f in figures(at) if "frequency up" in json.dumps(f["layout"])]
    z = np.array(values(drawn["data"][0]["z"]), dtype=float)
    np.testing.assert_allclose(z, k[::-1])          # row 0 of the array (0 Hz) is the figure's last row
    # its numbers, in the cells and when hovered, with a true minus sign (U+2212; issue 24), never a hyphen
    text = drawn["data"][0]["text"]
    assert text[0][0] == "−1.5" and not [t for row in text for t in row if "-" in t]
    assert "%{text}" in drawn["data"][0]["hovertemplate"] and "%{z}" not in drawn["data"][0]["hovertemplate"]
