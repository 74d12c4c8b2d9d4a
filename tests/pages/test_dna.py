"""AppTest: the DNA page: one-hot input, a 1D CNN trained live through the job pool, its logos and activations."""

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from apptest_kit import figure, open_page, shown, values
from convlab.sequences.dna import make_dna

PAGE = "pages/sequences/dna.py"


def _wait_for(at, text, timeout=90):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        at.run()
        if text in shown(at):
            return
        time.sleep(0.3)
    raise AssertionError(f"never showed {text!r}: {shown(at)[-600:]}")


def test_one_hot_view_and_the_model_table():
    at = open_page(PAGE)
    data = make_dna(2000, 60, "TATAAA", 1, 0)
    site = int(data.sites_test[0])
    assert f"a copy of TATAAA at position {site}" in shown(at)
    onehot = values(figure(at, 0)["data"][0]["z"])
    np.testing.assert_array_equal(onehot, data.x_test[0])
    table = at.dataframe[0].value
    assert list(table["layer"]) == ["conv 8×8", "relu", "global max pool", "classifier"]
    assert list(table["parameters"]) == [8 * 4 * 8 + 8, 0, 0, 8 * 2 + 2]
    assert "Press Train" in shown(at)


def test_other_motif_and_a_sequence_without_it():
    at = open_page(PAGE, motif="E-box", mutations="0")
    data = make_dna(2000, 60, "CACGTG", 0, 0)
    plain = int(np.flatnonzero(data.y_test == 0)[0])
    at.number_input(key="dn_sample").set_value(plain).run()
    assert "**no motif**" in shown(at) and "a copy of CACGTG" not in shown(at)


@pytest.mark.slow
def test_training_live_finds_the_motif():
    at = open_page(PAGE)
    at.button(key="dn_train").click().run()
    _wait_for(at, "What the filters learned")
    text = shown(at)
    accuracy = float(text.split("Test accuracy **")[1].split("%")[0])
    assert accuracy >= 95
    assert "6 of 6 bases match TATAAA" in text
    # the activations shown are ReLU(conv1d) of the trained first layer on the sequence (torch as the oracle)
    job = at.session_state["dn_job"]
    conv = job.model[0]
    seq = torch.tensor(make_dna(2000, 60, "TATAAA", 1, 0).x_test[0]).double()
    want = F.relu(F.conv1d(seq[None], conv.weight.detach().double(), conv.bias.detach().double()))[0].numpy()
    np.testing.assert_allclose(values(figure(at, 4)["data"][0]["z"]), want, atol=1e-9)
    assert all(s.value.startswith("✓") for s in at.success)


@pytest.mark.slow
def test_changing_the_settings_after_training_keeps_the_analysis_on_the_trained_data():
    at = open_page(PAGE, epochs="2")
    at.button(key="dn_train").click().run()
    _wait_for(at, "What the filters learned")
    at.number_input(key="dn_length").set_value(40).run()
    assert "The settings changed after this model was trained" in shown(at) and not at.exception
    assert not at.error
