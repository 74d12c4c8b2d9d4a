"""AppTest: activations and vanishing gradients: values and slopes at the chosen x, σ′ ≤ 0.25, per-layer gradient
norms of the four deep nets (plain / skips), and the first epochs trained side by side."""

import re

import pytest

from apptest_kit import figures, finish_experiment, open_page, shown, values

PAGE = "pages/deep/activations.py"


def test_values_and_slopes_at_the_chosen_x():
    at = open_page(PAGE, timeout=90)
    options = at.select_slider(key="ac_x").options        # issue 24: the slider's −5 with a true minus sign
    assert options[0] == "−5" and "−0.1" in options and not [o for o in options if "-" in o], options
    at.select_slider(key="ac_x").set_value(-2.0).run()
    table = at.table[0].value                   # numbers as written, with a true minus sign (U+2212; issue 24)
    assert table.loc["f(−2)", "Leaky ReLU (0.1)"] == "−0.2" and table.loc["f(−2)", "ELU"] == "−0.8647"
    assert table.loc["f′(−2)", "Leaky ReLU (0.1)"] == "0.1"
    assert float(table.loc["f′(−2)", "sigmoid"]) == pytest.approx(0.104993585, abs=5e-5)
    assert table.loc["f(−2)", "maxout"] == "2"                          # max(x, −x) by default: |x|
    assert not any("-" in v for v in [*table.index, *table.to_numpy().ravel()])     # no hyphen for a minus anywhere
    at.number_input(key="ac_w2").set_value(0.0).run()                   # max(x, 0): ReLU
    assert at.table[0].value.loc["f(−2)", "maxout"] == "0"
    assert at.success[0].value.startswith("✓") and "autograd" in at.success[0].value
    curves = figures(at)[0]
    assert [a["text"] for a in curves["layout"]["annotations"]] == ["ReLU", "Leaky ReLU (0.1)", "ELU", "tanh", "sigmoid",
                                                                    "maxout"]


def test_the_gradient_highway_on_the_page():
    at = open_page(PAGE, timeout=90, depth="16")
    assert r"0.25^{16} = 2.328 \times 10^{-10}" in at.latex[-1].value
    norms = figures(at)[1]
    first = {t["name"]: values(t["y"])[0] for t in norms["data"]}
    assert first["sigmoid, plain"] < 1e-10 < 1e-3 < first["sigmoid, skips"]
    assert first["ReLU, skips"] > 1e3 * first["ReLU, plain"]
    assert "sigmoid, plain: **" in shown(at) and at.success[1].value.startswith("✓")
    # issue 24: the norms (1.8e−11) and the badges' largest difference (2.7e−16) with a true minus sign
    assert "e−" in shown(at) and not re.search(r"-\d", shown(at)), re.findall(r".{20}-\d.{5}", shown(at))
    markers = [t for t in figures(at)[0]["data"] if t.get("mode") == "markers"]     # the hover at x: U+2212 too
    assert markers and all(t["hovertemplate"] == "%{customdata}<extra></extra>" for t in markers)
    assert not [v for t in markers for v in t["customdata"] if "-" in v]
    at.slider(key="ac_depth").set_value(4).run()
    assert len(figures(at)[1]["data"][0]["x"]) == 5                      # conv 1 … conv 4, classifier


@pytest.mark.slow
def test_the_four_nets_train_side_by_side():
    at = open_page(PAGE, timeout=90, depth="8", epochs="1")
    at.button(key="activations_run").click().run()
    exp = finish_experiment(at, "activations")
    history = next(f for f in figures(at) if f["layout"]["yaxis"].get("title", {}).get("text", "").endswith("conv 1"))
    assert len(history["data"]) == 4 and all(len(t["x"]) > 5 for t in history["data"])
    acc = {r["run"]: r["test_acc"] for r in exp.records() if r["kind"] == "epoch"}
    assert acc["ReLU, skips"] > acc["sigmoid, plain"]
