"""The bundled datasets: deterministic, balanced, split without overlap, labels that match the pictures."""

import numpy as np

from convlab.datasets.shapes import SHAPE_CLASSES, make_shapes
from convlab.datasets.shapes import shape_mask as _mask
from convlab.datasets.digits import load_digits


def test_digits_split_and_normalisation():
    d = load_digits()
    assert d.x_train.shape == (1438, 1, 8, 8) and d.x_test.shape == (359, 1, 8, 8)
    assert d.x_train.min() >= 0 and d.x_train.max() <= 1
    z = d.normalise(d.x_train)
    assert abs(z.mean()) < 1e-5 and abs(z.std() - 1) < 1e-3
    assert np.bincount(d.y_test).min() >= 34                    # stratified: every digit in the test set
    again = load_digits()
    np.testing.assert_array_equal(d.y_test, again.y_test)
    assert load_digits(upsample=4).x_train.shape[1:] == (1, 32, 32)


def test_shapes_are_deterministic_and_balanced():
    a, b, c = make_shapes(200, seed=3), make_shapes(200, seed=3), make_shapes(200, seed=4)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    counts = np.bincount(np.concatenate([a.y_train, a.y_test]), minlength=4)
    assert counts.tolist() == [50, 50, 50, 50]


def test_shape_labels_match_the_drawn_shape():
    """Fill ratio of each mask within its bounding box tells the shapes apart: 1 for squares, π/4 for
    circles, 1/2 for triangles, well under 1/2 for crosses."""
    for kind, lo, hi in [("square", .95, 1.0), ("circle", .7, .86), ("triangle", .4, .62), ("cross", .3, .6)]:
        m = _mask(kind, 64, 32, 32, 14)
        rows, cols = np.nonzero(m)
        fill = m.sum() / ((np.ptp(rows) + 1) * (np.ptp(cols) + 1))
        assert lo <= fill <= hi, (kind, fill)
    s = make_shapes(80, size=32, seed=0, noise=0.0)
    for img, label in zip(s.x_train, s.y_train):
        fg = np.abs(img - img[:, :1, :1]).sum(axis=0) > 0.1     # pixels that differ from the corner (background)
        rows, cols = np.nonzero(fg)
        fill = fg.sum() / ((np.ptp(rows) + 1) * (np.ptp(cols) + 1))
        kind = SHAPE_CLASSES[label]
        assert {"square": fill > .9, "circle": .68 < fill < .9, "triangle": .35 < fill < .68,
                "cross": fill < .68}[kind], (kind, fill)


# ---------------------------------------------------------------- freehand drawings made like the data

def _strokes(lines, side=256, width=24, ellipse=None) -> np.ndarray:
    """A drawing as a student would make it: thick pen strokes on a blank canvas, ink = 1."""
    from PIL import Image, ImageDraw
    img = Image.new("L", (side, side), 0)
    pen = ImageDraw.Draw(img)
    for line in lines:
        pen.line(line, fill=255, width=width, joint="curve")
    if ellipse is not None:
        pen.ellipse(ellipse, outline=255, width=width)
    return np.asarray(img) / 255.0


def test_a_full_height_bitmap_drawn_eight_times_larger_comes_back_exactly():
    from convlab.datasets.drawings import digit_bitmap, drawing_to_image
    bitmap = np.zeros((32, 32), bool)
    bitmap[:, 12:20] = np.random.default_rng(0).random((32, 8)) < 0.6
    bitmap[0, 12] = bitmap[31, 19] = True                             # the ink spans 32 rows and 8 columns
    bitmap[:, 12] = bitmap[:, 19] = True
    drawing = np.kron(bitmap, np.ones((8, 8)))                        # 256×256, drawn at 8× the size
    np.testing.assert_array_equal(digit_bitmap(drawing), bitmap)
    counts = bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3))              # on pixels per 4×4 block: 0..16
    np.testing.assert_array_equal(drawing_to_image(drawing, "digits")[0] * 16, counts)
    big = drawing_to_image(drawing, "digits32")
    np.testing.assert_array_equal(big[0], np.kron(counts / 16, np.ones((4, 4))))


def test_where_and_how_large_a_digit_is_drawn_does_not_matter():
    from convlab.datasets.drawings import drawing_to_image
    one = _strokes([[(128, 30), (128, 226)]])
    small_in_a_corner = _strokes([[(40, 20), (40, 118)]], width=12)   # half the size, top left
    np.testing.assert_array_equal(drawing_to_image(one, "digits"), drawing_to_image(small_in_a_corner, "digits"))


def test_drawn_digits_are_read_by_the_bundled_model():
    """Draw a 1, a 7 and a 0 with a pen: the bundled digits model (trained on sklearn's digits) reads them."""
    import pathlib

    from convlab.datasets.drawings import drawing_to_image
    from convlab.networks.modelio import load_model
    from convlab.networks.training import predict_labels
    model = load_model((pathlib.Path(__file__).parents[2] / "assets" / "digits_small.safetensors").read_bytes())[0]
    data = load_digits()
    drawings = {1: _strokes([[(128, 30), (128, 220)]]), 7: _strokes([[(60, 40), (190, 40), (110, 220)]]),
                0: _strokes([], ellipse=(70, 30, 186, 226))}
    for digit, drawing in drawings.items():
        probs = predict_labels(model, data, drawing_to_image(drawing, "digits")[None])[0]
        assert int(probs.argmax()) == digit, (digit, probs.round(2))


def test_shapes_drawings_are_area_averaged_white_on_black():
    from convlab.datasets.drawings import drawing_to_image
    drawing = np.zeros((64, 64))
    drawing[:, :32] = 1.0
    drawing[0, 32] = 1.0                                              # a quarter of one 2×2 block
    x = drawing_to_image(drawing, "shapes")
    assert x.shape == (3, 32, 32) and (x[0] == x[1]).all() and (x[1] == x[2]).all()
    assert (x[0, :, :16] == 1).all() and x[0, 0, 16] == 0.25 and x[0, 1:, 16:].sum() == 0


def test_bad_drawings_are_explained():
    import pytest

    from convlab import ConvlabError
    from convlab.datasets.drawings import drawing_to_image
    with pytest.raises(ConvlabError, match="the drawing is empty: draw a digit first"):
        drawing_to_image(np.zeros((50, 50)), "digits")
    with pytest.raises(ConvlabError, match="one grey image"):
        drawing_to_image(np.zeros((5, 5, 3)), "digits")
    with pytest.raises(ConvlabError, match="dataset 'mnist' is not one of"):
        drawing_to_image(np.ones((5, 5)), "mnist")
