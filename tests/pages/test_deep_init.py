"""AppTest: initialisation: equal filters stay equal while random ones differ, variance and dead units per layer at
initialisation and after two SGD steps, torch.nn.init's numbers, and the training experiment."""

import numpy as np
import pytest

from apptest_kit import figures, finish_experiment, open_page, shown, values

PAGE = "pages/deep/init.py"


def test_equal_filters_stay_equal_and_random_ones_differ():
    at = open_page(PAGE, timeout=90)
    text = shown(at)
    assert "step 0: **0**, step 20: **0**, step 40: **0**, step 60: **0**" in text
    assert "Identical filters get identical gradients" in text
    values_fig = figures(at)[1]
    np.testing.assert_array_equal(values(values_fig["data"][0]["z"]), values(values_fig["data"][1]["z"]))
    at.selectbox(key="in_sym").set_value("he").run()
    assert "Random starts differ" in shown(at)
    values_fig = figures(at)[1]
    assert not np.array_equal(values(values_fig["data"][0]["z"]), values(values_fig["data"][1]["z"]))


def test_variance_per_layer_and_the_knock_out():
    at = open_page(PAGE, timeout=90, depth="10", width="16")
    variance = figures(at)[2]
    by_name = {t["name"]: t for t in variance["data"] if t.get("showlegend", True) is not False}
    small = values(by_name["too small N(0, 0.01²)"]["y"])
    assert small[-1] < 1e-8 * small[0]
    he = values(by_name["He"]["y"])
    assert he.max() / he.min() < 100
    assert "n_in = 16·3·3 = 144" in shown(at) and "√(2/n_in) = **0.1179**" in shown(at)
    assert at.success[0].value.startswith("✓") and "torch.nn.init" in at.success[0].value     # the table's scheme
    at.radio(key="in_when").set_value("steps").run()
    assert "Loss before each step" in shown(at)
    table = at.dataframe[0].value                                    # too large N(0, 0.3²) after two steps
    dead = [float(v.rstrip("%")) for v in table.loc["dead units"]]
    assert max(dead) >= 50, dead                                     # knocked out by the first huge steps
    at.radio(key="in_show").set_value("he").run()
    dead_he = [float(v.rstrip("%")) for v in at.dataframe[0].value.loc["dead units"]]
    assert max(dead_he) < 40, dead_he
    # the means are signed (a tanh net's too: ReLU's are ≥ 0): written with a true minus sign (U+2212; issue 24)
    at.selectbox(key="in_act").set_value("tanh").run()
    means = list(table.loc["mean"]) + list(at.dataframe[0].value.loc["mean"])
    assert any(m.startswith("−") for m in means) and not any("-" in m for m in means), means


@pytest.mark.slow
def test_training_from_each_initialisation():
    at = open_page(PAGE, timeout=90, depth="6", width="8", epochs="1")
    at.button(key="init_run").click().run()
    exp = finish_experiment(at, "init")
    status = exp.job.result.status
    assert "**He**: done" in shown(at) and set(status) == {"zeros", "too small N(0, 0.01²)", "too large N(0, 0.3²)",
                                                            "Xavier", "He"}
    acc = {r["run"]: r["test_acc"] for r in exp.records() if r["kind"] == "epoch"}
    assert acc["zeros"] < 0.2 < acc["He"]                               # zeros never leaves chance
