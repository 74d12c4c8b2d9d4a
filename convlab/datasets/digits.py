"""scikit-learn's handwritten digits (1797 8×8 images, in the wheel: nothing downloaded), optionally upsampled."""

from __future__ import annotations

import numpy as np

from convlab._core.validate import positive_int
from convlab.datasets.base import Dataset, split_dataset
from convlab.errors import ConvlabError

__all__ = ["load_digits"]


def load_digits(upsample: int = 1, test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn's 1797 handwritten digits, 8×8 greyscale (×upsample, nearest neighbour).

    >>> d = load_digits()
    >>> d.x_train.shape[1:], len(d.x_train) + len(d.x_test), d.classes[:3]
    ((1, 8, 8), 1797, ('0', '1', '2'))
    """
    from sklearn.datasets import load_digits as sk_digits      # bundled with scikit-learn: no download

    up = positive_int(upsample, "upsample")
    if up > 8:
        raise ConvlabError(f"upsample {up} is too large: use 1 to 8")
    raw = sk_digits()
    x = (raw.images / 16.0).astype(np.float32)[:, None]        # (N, 1, 8, 8), values 0..1
    if up > 1:
        x = x.repeat(up, axis=2).repeat(up, axis=3)
    return split_dataset("digits" if up == 1 else f"digits{8 * up}", x, raw.target.astype(np.int64), [str(i) for i in range(10)],
                  test_fraction, seed)
