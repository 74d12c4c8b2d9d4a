"""The DNA dataset, the 1D motif CNN that learns it (≥ 95% test accuracy, seeded) and what its filters learned."""

import numpy as np
import pytest
import torch.nn.functional as F

import convlab
import oracle
from convlab.sequences.dna import (MOTIFS, consensus, decode, filter_pwm, logo_heights, make_dna, mismatches,
                                   motif_match, one_hot,
                         rank_filters)
from convlab.networks.models import layer_table, preset
from convlab.networks.training import TrainConfig, train
from convlab.networks.checks import check_layer_table


@pytest.fixture(scope="module")
def dna():
    return make_dna(seed=0)


def test_one_hot_round_trip_and_refusals():
    seq = "ACGTTGCA"
    x = one_hot(seq)
    assert x.shape == (4, 8) and (x.sum(axis=0) == 1).all() and decode(x) == seq
    with pytest.raises(convlab.ConvlabError, match="contains 'N': use only the bases A, C, G and T"):
        one_hot("ACGN")


def test_planted_copies_and_clean_negatives(dna):
    for x, y, site in zip(dna.x_train, dna.y_train, dna.sites_train):
        mm = mismatches(x.argmax(axis=0), dna.motif)
        if y:
            assert mm[site] <= dna.mutations
        else:
            assert site == -1 and mm.min() > dna.mutations        # no near-copy anywhere: the label is exact
    assert abs(dna.y_train.mean() - 0.5) < 0.05 and dna.input_shape == (4, 60)
    np.testing.assert_array_equal(make_dna(seed=0).x_test, dna.x_test)


def test_dna_is_in_the_training_labs_list(dna):
    from convlab.datasets.base import DATASETS
    from convlab.datasets.registry import load_dataset
    assert "dna" in DATASETS and load_dataset("dna").is_sequence
    assert not load_dataset("digits").is_sequence


def test_motif_model_table_is_the_torch_module():
    rows = layer_table(preset("motif"), (4, 60), 2)
    assert [r.name for r in rows] == ["conv 8×8", "relu", "global max pool", "classifier"]
    assert [r.output_shape for r in rows] == [(8, 53), (8, 53), (8,), (2,)]
    assert rows[0].params == 8 * 4 * 8 + 8 and rows[-1].params == 8 * 2 + 2
    assert check_layer_table(preset("motif"), (4, 60), 2).ok


@pytest.mark.slow
def test_the_motif_cnn_finds_the_motif(dna):
    """Seeded: ≥ 95% test accuracy, and the filter that best separates the classes spells the planted motif."""
    result = train(preset("motif"), dna, TrainConfig(lr=0.01, epochs=10, batch_size=32, seed=0, threads=1))
    assert result.status == "done" and result.test_accuracy >= 0.95, result.message
    conv = result.model[0]
    w, b = conv.weight.detach().double().numpy(), conv.bias.detach().double().numpy()
    order, _ = rank_filters(w, b, dna.x_test, dna.y_test)
    offset, matches = motif_match(w[order[0]], dna.motif)
    assert matches == len(dna.motif), consensus(w[order[0]])
    pwm, counts = filter_pwm(w, b, dna.x_test)
    assert motif_match(pwm[order[0]], dna.motif)[1] == len(dna.motif) and counts[order[0]] > 20
    # the model's first layer is convlab.conv1d on the one-hot sequence
    seq = dna.x_test[0]
    want = F.conv1d(oracle.T(seq)[None], oracle.T(w), oracle.T(b))[0].numpy()
    np.testing.assert_allclose(convlab.conv1d(seq, w, b), want, atol=1e-6)


def test_filter_pwm_finds_a_planted_filter(dna):
    """A filter that is exactly the motif's one-hot scores 6 on every exact copy: its PWM is the motif."""
    w = one_hot(dna.motif)[None].astype(float) * 2 - 1                    # +1 on the motif's bases, −1 elsewhere
    pwm, counts = filter_pwm(w, [-4.0], dna.x_test, threshold=0.99)
    assert consensus(pwm[0]) == dna.motif and counts[0] > 0
    np.testing.assert_allclose(pwm[0].sum(axis=0), 1.0)
    heights = logo_heights(pwm[0])
    assert heights.shape == (4, 6) and heights.sum(axis=0).max() <= 2 + 1e-9


def test_motif_match_alignments():
    assert motif_match(one_hot("CCTATAAACC"), "TATAAA") == (2, 6)
    assert motif_match(one_hot("TATA"), "TATAAA") == (0, 4)
    assert motif_match(one_hot("GGGGGG"), "TATAAA")[1] == 0


@pytest.mark.parametrize("name", list(MOTIFS))
def test_every_offered_motif_builds_a_clean_dataset(name):
    d = make_dna(200, motif=MOTIFS[name], seed=2)
    assert d.motif == MOTIFS[name] and set(np.unique(d.y_train)) == {0, 1}


@pytest.mark.parametrize("kwargs, message", [
    (dict(motif="TAXA"), "contains 'X'"), (dict(mutations=3), "mutations 3: use 0, 1 or 2"),
    (dict(length=8), "length 8: use 12 to 400"), (dict(n=5), "n 5: use 20 to 20,000"),
    (dict(motif="TAT"), "motif 'TAT' has 3 bases: use 4 to 12"),
])
def test_bad_dataset_settings(kwargs, message):
    with pytest.raises(convlab.ConvlabError, match=message):
        make_dna(**kwargs)
