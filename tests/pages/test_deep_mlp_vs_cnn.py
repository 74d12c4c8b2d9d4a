"""AppTest: MLP vs CNN: parameter counts layer by layer (checked against torch), their growth with the image, the
side-by-side training and the accuracy on shifted test images."""

import pytest

from apptest_kit import figures, finish_experiment, open_page, shown, values

PAGE = "pages/deep/mlp_vs_cnn.py"


def test_parameter_counts_and_their_growth():
    at = open_page(PAGE, timeout=90)
    text = shown(at)
    assert "**MLP**: 4,810 parameters" in text and "**CNN**: 6,090 parameters" in text
    sizes = at.dataframe[0].value
    assert sizes.loc["224×224 colour (ImageNet)", "MLP"] == f"{3 * 224 * 224 * 64 + 64 + 650:,}"
    assert at.success[0].value.startswith("✓")
    at.number_input(key="mc_hidden").set_value(128).run()
    assert f"**MLP**: {64 * 128 + 128 + 128 * 10 + 10:,} parameters" in shown(at)
    shifted = figures(at)[0]
    assert [a["text"] for a in shifted["layout"]["annotations"]] == [f"shifted {s} px" for s in range(4)]
    at = open_page(PAGE, timeout=90, hidden="100000")
    assert "URL value hidden=100000 was ignored" in shown(at)


@pytest.mark.slow
def test_training_side_by_side_and_the_shifted_test_set():
    at = open_page(PAGE, timeout=90, epochs="3")
    assert "When the experiment is done" in shown(at)
    at.button(key="mlp-vs-cnn_run").click().run()
    finish_experiment(at, "mlp-vs-cnn")
    shift = next(f for f in figures(at) if f["layout"].get("xaxis", {}).get("title", {}).get("text", "").startswith("test"))
    acc = {t["name"]: values(t["y"]) for t in shift["data"]}
    assert set(acc) == {"MLP", "CNN"}
    assert acc["MLP"][0] > 0.8 and acc["CNN"][0] > 0.8
    assert acc["CNN"][2] > acc["MLP"][2]                               # two pixels over: the CNN holds up better
    assert "**CNN**: 0 px:" in shown(at)
