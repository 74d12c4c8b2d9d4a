"""AppTest: optimisers on a loss surface: paths and the table from convlab, checked against torch.optim; one step's
equations with its numbers; other surfaces and hyperparameters; bad URL values; the six on the digits CNN."""

import re

import numpy as np
import pytest

from apptest_kit import figures, finish_experiment, open_page, shown, values
from convlab import format_signed
from convlab.deep.optim import OPTIMIZERS, SURFACES, optimize_path

PAGE = "pages/deep/optimizers.py"


def test_paths_equations_and_the_torch_check():
    at = open_page(PAGE, timeout=90)
    paths = figures(at)[0]
    assert len(paths["frames"]) == 80 and paths["layout"]["sliders"][0]["steps"][-1]["label"] == "120"
    s = SURFACES["ravine"]
    faint = [t for t in paths["data"] if t.get("opacity") == 0.45]
    adam = optimize_path(s, "adam", 120, lr=s.lr["adam"])
    np.testing.assert_allclose(values(faint[-1]["x"]), adam.points[:, 0])
    assert at.success[0].value.startswith("✓") and "torch.optim" in at.success[0].value
    latex = [m.value for m in at.latex]
    assert any(r"\hat m_{1}" in line for line in latex)
    captions = " ".join(c.value for c in at.caption)     # issue 24: eps = 1e−08 with a true minus sign, not 1e-08
    assert "eps = 1e−08" in captions and not re.search(r"-\d", captions), captions
    at.selectbox(key="op_show").set_value("momentum").run()
    at.slider(key="op_t").set_value(3).run()
    momentum = optimize_path(s, "momentum", 120, lr=s.lr["momentum"])
    lines = [m.value.strip("$\n") for m in at.latex]                   # st.latex wraps each line in $$
    assert any(line.startswith("\\begin{aligned} v_{3} &= \\mu\\, v_{2} + g_{3} \\\\ &= 0.9") for line in lines)
    assert any(f"{momentum.points[3][0]:.4g}" in line for line in lines)


def test_other_surfaces_hyperparameters_and_start_points():
    at = open_page(PAGE, timeout=90, surface="saddle", steps="50", scale="2")
    table = at.dataframe[0].value
    assert list(table.index) == list(OPTIMIZERS) and table.loc["sgd", "lr"] == "0.2"
    # numbers written with a true minus sign (issue 24): the saddle's f goes below 0, and no cell has a hyphen for it
    path = optimize_path(SURFACES["saddle"], "sgd", 50, lr=2 * SURFACES["saddle"].lr["sgd"])
    assert table.loc["sgd", "final f"] == format_signed(path.losses[-1]) and "−" in "".join(table["final f"])
    assert not any("-" in v for v in table.drop(columns="note").to_numpy().ravel())     # eps's exponent too: 1e−08
    at.toggle(key="op_own").set_value(True).run()
    at.number_input(key="op_x0").set_value(-1.5).run()
    assert "Start (−1.5, 1)" in shown(at)                                # a true minus sign (issue 24)
    at.slider(key="op_beta1").set_value(0.0).run()
    assert at.dataframe[0].value.loc["adam", "beta1"] == "0" and at.success[0].value.startswith("✓")
    at.slider(key="op_momentum").set_value(0.0).run()                   # Nesterov without momentum: torch refuses too
    assert "Nesterov needs a momentum μ above 0" in at.error[0].value and not at.exception
    at = open_page(PAGE, timeout=90, beta2="2", surface="bowl", t="999")
    text = shown(at)
    assert "URL value beta2=2 was ignored" in text and "URL value surface=bowl was ignored" in text and not at.error


def test_a_diverging_learning_rate_is_explained():
    at = open_page(PAGE, timeout=90, scale="3", show="sgd", t="100")       # ravine: 1.35 × 4 > 2 across the valley
    assert "diverged" in at.dataframe[0].value.loc["sgd", "note"]
    assert "sgd diverged after" in shown(at)


@pytest.mark.slow
def test_the_six_on_the_digits_cnn():
    at = open_page(PAGE, timeout=90, epochs="1")
    at.button(key="optimizers_run").click().run()
    exp = finish_experiment(at, "optimizers")
    assert sorted({r["run"] for r in exp.records() if r["kind"] == "epoch"}) == sorted(OPTIMIZERS)
    curves = next(f for f in figures(at) if f["layout"].get("annotations")
                  and any(t.get("name") == "nesterov" and t.get("mode") == "lines" for t in f["data"]))
    assert {t["name"] for t in curves["data"]} >= set(OPTIMIZERS)
