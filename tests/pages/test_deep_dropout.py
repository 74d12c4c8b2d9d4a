"""AppTest: the dropout lesson: masks and scaling with torch's numbers, train vs eval, the ensemble, the experiment."""

import numpy as np
import pytest

import convlab
from apptest_kit import figures, finish_experiment, open_page, shown, values
from convlab.deep.dropout import example_layer

PAGE = "pages/deep/dropout.py"


def test_masks_and_scaling_are_torchs():
    at = open_page(PAGE, timeout=90)
    x = example_layer(4, 8, 0)
    masks = figures(at)[0]
    np.testing.assert_array_equal(values(masks["data"][1]["z"]), convlab.dropout_mask(x.shape, 0.5, 0))
    np.testing.assert_allclose(values(masks["data"][2]["z"]), convlab.dropout(x, 0.5, seed=0))
    kept = convlab.dropout_mask(x.shape, 0.5, 0).sum(axis=1).astype(int)
    assert f"sample 0: {kept[0]}/8" in shown(at) and "1/(1 − 0.5) = 2" in shown(at)
    assert at.success[0].value.startswith("✓") and "dropout after torch.manual_seed" in at.success[0].value
    at.slider(key="dp_p").set_value(0.8).run()
    at.number_input(key="dp_seed").set_value(7).run()
    masks, x = figures(at)[0], example_layer(4, 8, 7)              # the seed draws the layer's values too
    np.testing.assert_allclose(values(masks["data"][0]["z"]), x)
    np.testing.assert_allclose(values(masks["data"][2]["z"]), convlab.dropout(x, 0.8, seed=7))
    assert "1/(1 − 0.8) = 5" in shown(at) and at.success[0].value.startswith("✓")
    at.slider(key="dp_p").set_value(0.0).run()
    np.testing.assert_allclose(values(figures(at)[0]["data"][2]["z"]), x)


def test_the_ensemble_view_and_bad_url_values():
    at = open_page(PAGE, timeout=90, p="1.5", train="7")
    text = shown(at)
    assert "URL value p=1.5 was ignored" in text and "URL value train=7 was ignored" in text
    assert "with an untrained network" in text
    ensemble = next(f for f in figures(at) if f["layout"]["annotations"][0]["text"].startswith("|average"))
    gap = values(ensemble["data"][0]["y"])
    assert gap[-1] < gap[0] / 3


@pytest.mark.slow
def test_overfitting_experiment_and_the_trained_ensemble():
    at = open_page(PAGE, timeout=90, train="100", epochs="10", noise="0.3")
    at.button(key="dropout_run").click().run()
    exp = finish_experiment(at, "dropout")
    epochs = [r for r in exp.records() if r["kind"] == "epoch"]
    assert len(epochs) == 20
    text = shown(at)
    assert "**no dropout**: training accuracy" in text and "**dropout p = 0.5**: training accuracy" in text
    assert "with the network trained with dropout below" in text
    curves = next(f for f in figures(at) if any(t.get("name") == "no dropout: train" for t in f["data"]))
    assert {"no dropout: test", "dropout p = 0.5: test", "dropout p = 0.5: train"} <= {t["name"] for t in curves["data"]}
