"""The Dataset that every bundled data set is (a fixed split, normalisation statistics) and their names: scikit-learn's
digits (convlab.datasets.digits), drawn shapes (.shapes), DNA with a planted motif (convlab.sequences.dna) and faces
(.faces); load_dataset (.registry) loads any by name.

Nothing is downloaded. Every dataset comes with a fixed train/test split and the
normalisation statistics of their training part, so a page can show them. Images are
(N, C, H, W); sequences are (N, C, L) (one-hot DNA: 4 channels A, C, G, T).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


__all__ = ["Dataset", "DATASETS", "DATASET_LABELS", "dataset_from_parts", "split_dataset", "normalise"]

DATASETS = ("digits", "digits32", "shapes", "dna", "faces")   # digits32: the digits upsampled ×4 to 32×32
DATASET_LABELS = {"digits": "digits (8×8)", "digits32": "digits upsampled ×4 (32×32)",
                  "shapes": "shapes (32×32 colour)", "dna": "DNA: is the TATA motif there? (1D, 4×60)",
                  "faces": "faces (25×25 grey: face or not face)"}


def normalise(x: np.ndarray, mean: np.ndarray, std: np.ndarray, spatial: int = 2) -> np.ndarray:
    """Inputs as a model reads them: (x − mean) / std per channel, float32. x is one sample (C, *S) or a batch
    (N, C, *S) with `spatial` trailing axes S (2 for images, 1 for sequences).

    >>> normalise(np.ones((1, 2, 1, 1)), np.array([0.5, 1.0]), np.array([0.5, 2.0])).ravel().tolist()
    [1.0, 0.0]
    """
    per_channel = (-1,) + (1,) * spatial
    return ((np.asarray(x, dtype=np.float32) - mean.reshape(per_channel)) / std.reshape(per_channel)).astype(np.float32)


@dataclass(frozen=True)
class Dataset:
    """Images (N, C, H, W) or sequences (N, C, L), float32 in [0, 1]; labels (N,) int64; a fixed split and
    per-channel train statistics."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]
    mean: np.ndarray      # per channel, of the training images
    std: np.ndarray

    def normalise(self, x: np.ndarray) -> np.ndarray:
        """(x − mean) / std per channel, with the training set's statistics (one sample or a batch)."""
        return normalise(x, self.mean, self.std, spatial=len(self.input_shape) - 1)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def is_sequence(self) -> bool:
        """True for (C, L) sequences (1D convolution), False for (C, H, W) images."""
        return len(self.input_shape) == 2


def dataset_from_parts(name, x_train, y_train, x_test, y_test, classes) -> Dataset:
    """A Dataset from a split already made, with the training part's per-channel mean and std."""
    axes = (0, *range(2, x_train.ndim))                 # every axis but the channels
    mean = x_train.mean(axis=axes).astype(np.float32)
    std = np.maximum(x_train.std(axis=axes), 1e-6).astype(np.float32)
    return Dataset(name, x_train, y_train, x_test, y_test, tuple(classes), mean, std)


def split_dataset(name, x, y, classes, test_fraction, seed) -> Dataset:
    """A stratified train/test split (the same share of every class) with per-channel training statistics."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for c in range(len(classes)):                      # stratified: the same share of every class
        idx = np.flatnonzero(y == c)
        test[rng.choice(idx, size=int(round(len(idx) * test_fraction)), replace=False)] = True
    return dataset_from_parts(name, x[~test], y[~test], x[test], y[test], classes)
