"""AppTest: the pooling page."""

from apptest_kit import figure, open_page, rendered, shown, values

PAGE = "pages/convolution/pooling.py"


def _pooled_texts(fig):
    return [t["text"] for t in fig["frames"][-1]["data"] if t.get("type") == "heatmap"]


def test_seed002_max_pool_marks_the_max():
    at = open_page(PAGE)
    assert "max(1, 1, 5, 6) = 6 — the max sits at row 1, column 1" in shown(at)
    fig = figure(at)
    assert [["6", "8"], ["3", "4"]] in _pooled_texts(fig)
    stars = [t for t in fig["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert stars and round(stars[0]["x"][0]) == 1 and round(stars[0]["y"][0]) == 1


def test_average_pooling_and_stepping():
    at = open_page(PAGE)
    at.radio(key="pl_mode").set_value("avg").run()
    assert "(1 + 1 + 5 + 6) / 4 = 3.25" in shown(at)
    assert [["3.25", "5.25"], ["2", "2"]] in _pooled_texts(figure(at))
    at.button(key="pl_step.next").click().run()
    assert "(2 + 4 + 7 + 8) / 4 = 5.25" in shown(at)


def test_seed001_three_channels_pool_per_channel():
    at = open_page(PAGE)
    at.selectbox(key="pl_preset").set_value("Seed 001: three channels, 3×3 max pool").run()
    fig = figure(at)
    assert [["3"]] in _pooled_texts(fig) and [["2"]] in _pooled_texts(fig) and [["1"]] in _pooled_texts(fig)
    at.button(key="pl_step.next").click().run()
    assert "channel 1: max(1, 1, 1, 2, 0, 1, 1, 0, 0) = 2" in shown(at)


def test_shift_section_and_folded_kernel():
    at = open_page(PAGE)
    assert "moves with the input" in shown(at)
    w_star = values(figure(at, 3)["data"][1]["z"])
    assert w_star.shape == (3, 3) and abs(w_star[1, 0] - 0.5) < 1e-12
    at.number_input(key="pl_dx").set_value(3).run()
    assert not at.exception and "of the pooled values are unchanged" in shown(at)


def test_bad_input():
    at = open_page(PAGE, size="9")
    assert "URL value size=9 was ignored" in shown(at)
    at.number_input(key="pl_size").set_value(5).run()
    assert "kernel 5×5 is larger than the padded input 4×4" in rendered(at.error[0].value)
    at.number_input(key="pl_size").set_value(2).run()
    at.number_input(key="pl_pad").set_value(2).run()
    assert "padding 2 is more than half the pooling window 2" in rendered(at.error[0].value)
    at.number_input(key="pl_pad").set_value(0).run()
    at.text_input(key="pl_w").set_value("1 2; x 4").run()
    assert "'x' (number 1) is not a number" in rendered(at.error[0].value) and not at.exception
