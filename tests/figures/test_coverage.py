"""The coverage chart shows what a student must see: padding, indices, taps, uncovered cells."""

import numpy as np
import pytest

import convlab
from convlab.figures import coverage_figure
from convlab.figures.coverage import COVERED, PAD, TAP, UNCOVERED


def test_seed002_chart_marks_the_uncovered_input():
    fig = coverage_figure(convlab.explain_output_size(7, 3, stride=3))
    z, text = np.array(fig.data[0].z), np.array(fig.data[0].text)
    assert z.shape == (3, 7)                                     # input row + 2 windows
    assert list(text[0]) == [str(i) for i in range(7)]
    assert z[0, 6] == UNCOVERED and (z[0, :6] == COVERED).all()
    assert list(np.nonzero(z[1] == TAP)[0]) == [0, 1, 2] and list(np.nonzero(z[2] == TAP)[0]) == [3, 4, 5]
    assert fig.layout.yaxis.autorange == "reversed"              # matrix orientation: input on top


def test_same_padding_and_dilation_in_the_chart():
    fig = coverage_figure(convlab.explain_output_size(13, 6, stride=5, padding="same"))
    z, text = np.array(fig.data[0].z), np.array(fig.data[0].text)
    assert z.shape == (4, 16) and (z[0, [0, 14, 15]] == PAD).all() and text[0, 0] == "0"
    fig = coverage_figure(convlab.explain_output_size(9, 3, dilation=2))
    assert list(np.nonzero(np.array(fig.data[0].z)[1] == TAP)[0]) == [0, 2, 4]


def test_too_large_for_a_chart_is_explained():
    with pytest.raises(convlab.ConvlabError, match="at most 60 cells"):
        coverage_figure(convlab.explain_output_size(100, 3))
