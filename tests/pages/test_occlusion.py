"""AppTest: the occlusion page with the bundled models and with the student's own model."""

import numpy as np

from apptest_kit import figure, open_page, shown, values

PAGE = "pages/images/occlusion.py"


def test_digits_default_views():
    at = open_page(PAGE)
    assert "with 49 occluder positions" in shown(at)
    anim = figure(at, 0)
    assert len(anim["frames"]) == 49 and anim["frames"][8]["layout"]["title"]["text"].startswith("occluder at row 1, col 1")
    grid = values(figure(at, 1)["data"][1]["z"])
    assert grid.shape == (7, 7) and ((0 <= grid) & (grid <= 1)).all()
    heat = values(figure(at, 2)["data"][1]["z"])
    assert heat.shape == (8, 8) and np.abs(heat).max() > 0


def test_shapes_settings_and_target():
    at = open_page(PAGE, model="shapes", window="8", stride="4", baseline="blur", target="2")
    assert "Explaining class **triangle** with 49 occluder positions" in shown(at)
    at.number_input(key="oc_window").set_value(40).run()
    assert not at.exception and "URL value" not in shown(at)
    at = open_page(PAGE, model="shapes", window="4", stride="8")
    assert "stride 8×8 is larger than the window 4×4" in shown(at)


def test_my_model_needs_a_trained_one():
    at = open_page(PAGE, model="mine")
    assert "Train a model in the training lab first" in shown(at)
