"""AppTest: the batch-normalization lesson: the four lines with the page's numbers, typed batches, bad input, the
backward pass, running statistics, and the experiment through the job pool."""

import numpy as np
import pytest

import convlab
from apptest_kit import figures, finish_experiment, open_page, shown, values
from convlab.deep.norm import example_batch

PAGE = "pages/deep/batchnorm.py"


def cells(fig: dict, index: int) -> np.ndarray:
    return values(fig["data"][index]["z"])


def test_the_default_batch_through_the_four_lines_equals_convlab_and_torch():
    at = open_page(PAGE, timeout=90)
    x = example_batch(4, 3, 2, 2, seed=0)[:, :2]
    steps = convlab.batch_norm_steps(x, 2.0, 1.0)
    text = shown(at)
    assert "m = N·H·W = 4·2·2 = 16" in text
    assert steps.mean_expression(0) in text and steps.var_expression(0) in text
    forward = figures(at)[0]
    np.testing.assert_allclose(cells(forward, 0), x[0, 0])                  # x, sample 0
    np.testing.assert_allclose(cells(forward, 4), steps.x_hat[0, 0])       # x̂, sample 0
    np.testing.assert_allclose(cells(forward, 8), steps.y[0, 0])           # y = 2x̂ + 1, sample 0
    assert sum(s.value.startswith("✓") for s in at.success) == 3 and not at.error
    at.radio(key="bn_channel").set_value(1).run()
    assert steps.mean_expression(1) in shown(at)


def test_a_typed_batch_a_new_size_and_bad_input():
    at = open_page(PAGE, timeout=90, c="1", x0="1 2; 3 4 | 5 6; 7 8", gamma="1", beta="0")
    assert "μ = (1 + 2 + 3 + 4 + 5 + 6 + … (2 more)) / 8 = 4.5" in shown(at)
    at.number_input(key="bn_n").set_value(3).run()                 # a new random batch of 3 samples
    assert "m = N·H·W = 3·2·2 = 12" in shown(at)
    at.text_area(key="bn_x0").input("1 2; 3 x").run()
    assert "'x'" in at.error[0].value and not at.exception
    at.text_area(key="bn_x0").input("1 2 | 3 4").run()
    at.number_input(key="bn_c").set_value(2).run()
    assert "channel 1 has 3 sample(s)" in at.error[0].value
    at = open_page(PAGE, timeout=90, gamma="1, 2, 3")
    assert "gamma has 3 values but x has 2 channel(s)" in at.error[0].value
    at = open_page(PAGE, timeout=90, n="99", eps="-1")
    text = shown(at)
    assert "URL value n=99 was ignored" in text and "URL value eps=-1 was ignored" in text and not at.error


def test_backward_and_running_statistics_show_torchs_numbers():
    at = open_page(PAGE, timeout=90)
    at.selectbox(key="bn_grad").set_value("ones").run()
    assert "∂L/∂β = Σ ∂L/∂y = **16**" in shown(at)                     # Σ of sixteen ones
    backward = figures(at)[1]
    np.testing.assert_allclose(cells(backward, 4), 0, atol=1e-12)          # L = Σ y does not depend on x
    at.slider(key="bn_momentum").set_value(1.0).run()
    from ui.models import shared_dataset
    digits = shared_dataset("digits").x_train
    order = np.random.default_rng(0).permutation(len(digits))[:40]
    last = digits[order].reshape(10, 4, 1, 8, 8)[-1]
    assert f"running mean **{last.mean():.4f}**" in shown(at)              # momentum 1: the last batch's own
    assert sum(s.value.startswith("✓") for s in at.success) == 3


def test_batch_size_chart_shows_noise_shrinking():
    at = open_page(PAGE, timeout=90)
    chart = next(f for f in figures(at) if f["layout"].get("xaxis", {}).get("title", {}).get("text") == "batch size N")
    spread = values(chart["data"][0]["y"])
    assert spread[0] > spread[-1] and len(spread) == 7


@pytest.mark.slow
def test_the_experiment_trains_both_nets_through_the_pool():
    at = open_page(PAGE, timeout=90, epochs="1")
    at.button(key="batchnorm_run").click().run()
    exp = finish_experiment(at, "batchnorm")
    assert exp.job.snapshot().state == "done"
    curves = next(f for f in figures(at) if any(t.get("name") == "with batch norm" for t in f["data"]))
    assert {t["name"] for t in curves["data"]} >= {"with batch norm", "without batch norm"}
    epochs = [r for r in exp.records() if r["kind"] == "epoch"]
    assert {r["run"] for r in epochs} == {"with batch norm", "without batch norm"}
    at.selectbox(key="bn_act").set_value("relu").run()                   # other settings: the old result goes
    assert "Press Run" in shown(at)


def test_the_gradients_are_written_with_a_true_minus_sign():
    """Issue 24: "∂L/∂μ = **-1.371**" used a hyphen for minus; the page writes U+2212 (convlab.format_signed)."""
    import re
    at = open_page(PAGE, timeout=90)
    [line] = [s for s in shown(at).splitlines() if s.startswith("∂L/∂β")]
    numbers = re.findall(r"\*\*([^*]+)\*\*", line)
    assert len(numbers) == 4 and any(n.startswith("−") for n in numbers), numbers
    assert not re.search(r"-\d", line), line


def test_on_a_projector_the_chosen_tab_is_kept_in_the_url():
    """Issue 24: the sections are tabs on a projector; the one chosen is in the URL (tab=<label>) like the page's other
    state, so a reload or a link opens it again; the first tab, or a label the page does not have, leaves no tab=."""
    at = open_page(PAGE, timeout=90, projector="1", tab="Backward")
    assert [t.label for t in at.tabs] == ["Forward", "Backward", "Training vs eval", "Batch size", "Experiment"]
    assert at.session_state["bn_tab"] == "Backward" and at.query_params["tab"] == "Backward"
    at.session_state["bn_tab"] = "Batch size"                  # the teacher opens another tab
    at.run()
    assert at.query_params["tab"] == "Batch size" and not at.exception
    at.session_state["bn_tab"] = "Forward"
    at.run()
    assert "tab" not in at.query_params
    at = open_page(PAGE, timeout=90, projector="1", tab="Nope")
    assert at.session_state["bn_tab"] == "Forward" and "tab" not in at.query_params and not at.exception


def test_numbers_are_written_with_a_true_minus_sign():
    """Issue 24: no hyphen-minus before a digit in x̂'s written-out sum (ε = 1e−05), the torch badges (2.2e−16) and the
    grids' hover (Plotly's own %{z:.4g} wrote "-0.9933"; the cells' text has U+2212)."""
    import re
    at = open_page(PAGE, timeout=90)
    text = shown(at)
    assert "+ 1e−05)" in text and not re.search(r"-\d", text), re.findall(r".{20}-\d.{5}", text)
    forward = figures(at)[0]
    heatmaps = [t for t in forward["data"] if t.get("type") == "heatmap"]
    assert heatmaps and all(t["hovertemplate"].endswith("= %{text}<extra></extra>") for t in heatmaps)
    texts = [s for t in heatmaps for row in t["text"] for s in row]
    assert any(s.startswith("−") for s in texts) and not [s for s in texts if re.search(r"-\d", s)]
