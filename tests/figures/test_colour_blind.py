"""The app's colour scales under a red–green colour-blindness simulation (issue 24): protanopia and deuteranopia
at full severity (Machado, Oliveira & Fernandes 2009, the matrices applied in linear RGB), with colour
differences as CIE ΔE*ab (1976). A difference of about 10 is plainly visible; 2.3 is just noticeable."""

import itertools

import numpy as np
import pytest

from convlab.figures.theme import (BLUE, DIVERGING, GROUPS, LIGHT_BLUE, LIGHT_ORANGE, ORANGE, WINDOW, diverging_rgb,
                                   rgb)

MACHADO = {   # severity 1.0
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}


def _linear(c):
    c = np.asarray(c, dtype=float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    f = lambda t: np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)   # noqa: E731
    x, y, z = f(xyz / np.array([0.95047, 1.0, 1.08883]))
    return np.array([116 * y - 16, 500 * (x - y), 200 * (y - z)])


def seen(colour, kind: str | None):
    """A colour ((r, g, b) 0–255) in Lab, as seen with `kind` of colour blindness (None: normal vision)."""
    lin = _linear(colour)
    return _lab(np.clip(MACHADO[kind] @ lin, 0, 1) if kind else lin)


def delta(a, b, kind) -> float:
    return float(np.linalg.norm(seen(a, kind) - seen(b, kind)))


KINDS = [None, *MACHADO]


def test_the_simulation_is_sound():
    """Red and green, plain for normal vision, nearly merge for both; grey stays grey."""
    red, green = (200, 60, 40), (60, 160, 40)
    assert delta(red, green, None) > 60
    assert delta(red, green, "deuteranopia") < delta(red, green, None) / 2
    assert delta(red, green, "protanopia") < delta(red, green, None) / 2
    assert delta((128, 128, 128), (128, 128, 128), "protanopia") == 0
    assert np.allclose(seen((128, 128, 128), "deuteranopia"), seen((128, 128, 128), None), atol=1.0)


@pytest.mark.parametrize("kind", KINDS)
def test_the_signed_scale_keeps_negative_zero_and_positive_apart(kind):
    """Blue–white–red: both ends far from white and from each other, and each half moves steadily away from white
    (the colour tells the size of a value, not only its sign)."""
    neg, zero, pos = (rgb(DIVERGING[0][1]), rgb(DIVERGING[2][1]), rgb(DIVERGING[4][1]))
    assert delta(neg, pos, kind) > 25, delta(neg, pos, kind)
    assert min(delta(neg, zero, kind), delta(pos, zero, kind)) > 25
    for sign in (-1, 1):
        away = [delta(diverging_rgb(sign * t), zero, kind) for t in np.linspace(0, 1, 11)]
        assert all(b > a for a, b in zip(away, away[1:])), (sign, np.round(away, 1))


@pytest.mark.parametrize("kind", KINDS)
def test_series_colours_stay_apart(kind):
    """The training curves' four series (Okabe–Ito) and the channel groups; the lesson view's window (orange) and
    its current output (blue); read and dropped input cells."""
    curves = [GROUPS[0], GROUPS[2], GROUPS[5], GROUPS[3]]
    for a, b in itertools.combinations(curves, 2):
        assert delta(rgb(a), rgb(b), kind) > 10, (a, b, delta(rgb(a), rgb(b), kind))
    assert delta(rgb(WINDOW), rgb(BLUE), kind) > 25
    assert delta(rgb(LIGHT_BLUE), rgb(LIGHT_ORANGE), kind) > 10
    assert delta(rgb(ORANGE), rgb(BLUE), kind) > 25
