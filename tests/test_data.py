"""The bundled datasets: deterministic, balanced, split without overlap, labels that match the pictures."""

import numpy as np

from convlab.data import SHAPE_CLASSES, _mask, load_digits, make_shapes


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
