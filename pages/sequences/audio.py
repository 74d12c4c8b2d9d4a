"""Sound (seeds 003, 004): 1D convolution on a waveform next to 2D convolution on its spectrogram."""

import numpy as np
import streamlit as st

import convlab
from convlab.figures.grids import grid_figure
from convlab.figures.sequences import signal_figure, spectro_figure
from convlab.sequences.signals import (AUDIO_CLASSES, RATE, SPECTRO_KERNELS, WAVE_KERNELS, detector_responses,
                                       make_audio, wave_kernel)
from convlab.convolution.checks import check_conv
from convlab.sequences.checks import check_spectrogram
from ui.state import font_size
from ui.urlstate import Choice, Float, Int, Schema
from ui.widgets import chart, torch_badge
from ui.lesson_page import lesson
from ui.memo import figure, shared

P = "au"
responses = shared(entries=64, megabytes=1)(detector_responses)      # the same table for every student at a setting
SCHEMA = Schema(
    Choice("sound", "chirp", AUDIO_CLASSES), Int("example", 0, 0, 9), Float("noise", 0.3, 0.0, 1.0),
    Choice("k1", "matched tone", WAVE_KERNELS), Int("freq", 1000, 100, 3900),
    Choice("k2", tuple(SPECTRO_KERNELS)[1], tuple(SPECTRO_KERNELS)), Choice("fft", "128", ("64", "128", "256")),
)


@st.cache_resource(max_entries=8, show_spinner=False)
def clips(noise: float):
    """Read-only and shared: 10 clips of each class for this noise level."""
    return make_audio(30, length=2048, noise=noise, seed=0, test_fraction=0.0)


page = lesson(P, SCHEMA, "Sound: waveform and spectrogram",
              "Seed 004: audio is a 1D grid (one value per sample); its Fourier transform over short windows, the "
              "spectrogram, is a 2D grid (frequency × time). The same sound can go through a 1D or a 2D convolution.")
with st.sidebar:
    st.radio("Sound", AUDIO_CLASSES, key=page.key("sound"), horizontal=True)
    st.number_input("Example", 0, 9, key=page.key("example"))
    st.slider("Noise", 0.0, 1.0, step=0.05, key=page.key("noise"))
    st.selectbox("1D kernel (waveform)", WAVE_KERNELS, key=page.key("k1"))
    if page["k1"] == "matched tone":
        st.slider("Its frequency (Hz)", 100, 3900, step=50, key=page.key("freq"))
    st.selectbox("2D kernel (spectrogram)", list(SPECTRO_KERNELS), key=page.key("k2"))
    st.selectbox("Window n_fft (samples)", ["64", "128", "256"], key=page.key("fft"), help="hop = n_fft / 4")

@shared(entries=256, megabytes=64)
def sound_views(noise: float, sound: str, example: int, k1: str, freq: int, k2: str, n_fft: int):
    """The clip, both convolutions and their three checks against torch, once per setting for every session (keyed
    by these few values: a rerun that changed none of them recomputes nothing)."""
    data = clips(noise)
    x = data.x_train[np.flatnonzero(data.y_train == AUDIO_CLASSES.index(sound))[example], 0].astype(float)
    hop = n_fft // 4
    w1 = wave_kernel(k1, freq)
    y1 = convlab.conv1d(x, w1, padding="same")
    spec = convlab.spectrogram(x, n_fft, hop)
    w2 = SPECTRO_KERNELS[k2]
    y2 = convlab.conv2d(np.log1p(spec), w2, padding="same")
    checks = (check_conv(1, y1, x, w1, padding="same"), check_spectrogram(spec, x, n_fft, hop),
              check_conv(2, y2, np.log1p(spec), w2, padding="same"))
    return x, w1, y1, spec, w2, y2, checks


data = clips(float(page["noise"]))
n_fft = int(page["fft"])
hop = n_fft // 4
x, w1, y1, spec, w2, y2, checks = sound_views(float(page["noise"]), page["sound"], page["example"], page["k1"],
                                              page["freq"], page["k2"], n_fft)

left, right = st.columns(2)
with left:
    st.subheader("Waveform → 1D convolution")
    chart(figure(signal_figure, [("waveform", x), (f"after the 1D kernel ({len(w1)} weights)", y1)], x_title="sample",
                 font_size=font_size() - 4, height=380), page.key("wave"))
    st.markdown(f"{len(x)} samples at {RATE:,} Hz ({len(x) / RATE * 1000:.0f} ms). The kernel slides along time "
                f"only; strongest response |y| = **{np.abs(y1).max():.2f}**.")
    chart(figure(signal_figure, [(f"the 1D kernel: {len(w1)} weights", w1)], x_title="tap",
                 font_size=font_size() - 4, height=200), page.key("k1_fig"))
    torch_badge(checks[0])
with right:
    st.subheader("Spectrogram → 2D convolution")
    chart(figure(spectro_figure, np.log1p(spec), y2, RATE, n_fft, hop, font_size=font_size() - 4), page.key("spec"))
    st.markdown(f"Each column: the frequencies in {n_fft} samples ({n_fft / RATE * 1000:.0f} ms), every {hop} "
                f"samples: a {spec.shape[0]} × {spec.shape[1]} grid. The 5×5 kernel slides along time and frequency; "
                f"strongest response **{y2.max():.2f}**.")
    # drawn like the spectrogram beside it: the lowest frequency at the bottom (a rising chirp's kernel rises)
    chart(figure(grid_figure, [w2[::-1]], ["the 2D kernel (frequency up, time across)"], font_size=font_size() - 4,
                 cell=30), page.key("k2_fig"))
    torch_badge(checks[1])
    torch_badge(checks[2])

st.header("Which detector fires for which sound?")
st.caption("The strongest response of each hand-made kernel to example 0 of each sound. In the spectrogram a tone "
           "is a horizontal line, a chirp a slanted one and a click a vertical one: a kernel of that shape finds it. "
           "Try n_fft 256: longer windows make the chirp steep enough for the vertical kernel. On the waveform, a "
           "kernel matched to one pitch finds a tone only near that pitch.")
table = {}
for c, name in enumerate(AUDIO_CLASSES):
    clip = data.x_train[np.flatnonzero(data.y_train == c)[0], 0].astype(float)
    table[name] = responses(clip, n_fft, hop, page["freq"])
st.table({sound: {k: f"{v:.2f}" for k, v in row.items()} for sound, row in table.items()})
