"""Bundled sample images (no downloads): scikit-learn's two photos, a digit and a generated shape."""

from __future__ import annotations

import numpy as np

from convlab.errors import ConvlabError

__all__ = ["SAMPLES", "sample_image"]

SAMPLES = ("china.jpg", "flower.jpg", "a digit", "a shape")


def sample_image(name: str, max_side: int = 256) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1], at most max_side pixels per side.

    >>> sample_image("a digit").shape
    (64, 64, 3)
    """
    if name in ("china.jpg", "flower.jpg"):
        from PIL import Image
        from sklearn.datasets import load_sample_image
        img = Image.fromarray(load_sample_image(name))
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return np.asarray(img, dtype=np.float32) / 255.0
    if name == "a digit":
        from convlab.data import load_digits
        d = load_digits()
        grey = d.x_test[0, 0].repeat(8, axis=0).repeat(8, axis=1)
        return np.repeat(grey[..., None], 3, axis=2).astype(np.float32)
    if name == "a shape":
        from convlab.data import make_shapes
        s = make_shapes(8, size=64, seed=1)
        return np.transpose(s.x_train[0], (1, 2, 0)).astype(np.float32)
    raise ConvlabError(f"no sample {name!r}; choose from: {', '.join(SAMPLES)}")
