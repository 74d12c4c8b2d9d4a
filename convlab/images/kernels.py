"""Kernels for real images: hand-made ones per channel or as 3-channel kernels, random ones, and kernels
learned without labels as k-means centroids of image patches (seed 004); activations and their slopes."""

from __future__ import annotations

from typing import Any

import numpy as np

from convlab._core.validate import as_array, positive_int
from convlab.errors import ConvlabError
from convlab.networks.layers import ACTIVATIONS, activation
from convlab.convolution.conv import conv2d
from convlab.convolution.pool import pool2d

# The hand-made kernels of the lessons (seed 003's X, edge detectors, blurs), by name.
_G = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16
KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], float),
    "box blur": np.full((3, 3), 1 / 9),
    "Gaussian blur": _G,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float),
    "Sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float),
    "Sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], float),
    "Laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], float),
    "X (seed 003)": np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], float),
}


__all__ = ["KERNELS", "ACTIVATIONS", "activate", "activation_slope", "hand_made", "custom_kernel",
           "random_kernels", "kmeans_kernels",
           "feature_maps", "to_chw"]



def to_chw(image: Any) -> np.ndarray:
    """(H, W, 3) as load_image returns it -> (3, H, W); (H, W) -> (1, H, W)."""
    a = as_array(image, "image", (2, 3), "(H, W) or (H, W, C)")
    return a[None] if a.ndim == 2 else np.transpose(a, (2, 0, 1))


def activate(x: Any, fn: str) -> np.ndarray:
    """ReLU, Leaky ReLU (max(0.1x, x), seed 003), ELU (α = 1), tanh or sigmoid, as torch defines them (the
    registry convlab.networks.layers.ACTIVATION_TYPES: the same parameters as the models' torch modules).

    >>> activate([-2.0, 0.0, 3.0], "relu").tolist(), activate([-2.0, 3.0], "leaky_relu").tolist()
    ([0.0, 0.0, 3.0], [-0.2, 3.0])
    """
    return activation(fn).f(np.asarray(x, dtype=float))


def activation_slope(x: Any, fn: str) -> np.ndarray:
    """The derivative, to show why ReLU keeps gradients alive (σ' ≤ 0.25, seed 000).

    >>> float(activation_slope([0.0], "sigmoid")[0]), activation_slope([-1.0, 1.0], "leaky_relu").tolist()
    (0.25, [0.1, 1.0])
    """
    return activation(fn).slope(np.asarray(x, dtype=float))


def hand_made(names, channels: int = 3, per_channel: bool = False) -> np.ndarray:
    """Hand-made kernels (see KERNELS) as (K, C, 3, 3): spread over the channels
    (one 3-channel kernel that sums the colours), or per channel (C·K kernels, each reading one channel).

    >>> hand_made(["Sobel x"], 3).shape, hand_made(["Sobel x"], 3, per_channel=True).shape
    ((1, 3, 3, 3), (3, 3, 3, 3))
    """
    unknown = [n for n in names if n not in KERNELS]
    if unknown:
        raise ConvlabError(f"no hand-made kernel {unknown[0]!r}; choose from: {', '.join(KERNELS)}")
    ks = [KERNELS[n] for n in names]
    if not per_channel:
        return np.stack([np.repeat(k[None] / channels, channels, axis=0) for k in ks])
    out = np.zeros((len(ks) * channels, channels, 3, 3))
    for i, k in enumerate(ks):
        for c in range(channels):
            out[i * channels + c, c] = k
    return out


def custom_kernel(text: str, channels: int = 3) -> np.ndarray:
    """A kernel typed as rows ("1 0 -1; 2 0 -2; 1 0 -1", at most 9×9) as (1, C, kh, kw), spread over the
    channels like the hand-made ones (each channel gets kernel / C, so grey images keep their scale).

    >>> custom_kernel("0 1 0; 1 -4 1; 0 1 0", 1)[0, 0].tolist()
    [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]
    """
    from convlab.parse import parse_grid
    k = parse_grid(text, "custom kernel", max_side=9)
    channels = positive_int(channels, "channels")
    return np.repeat(k[None, None] / channels, channels, axis=1)


def random_kernels(count: int, channels: int, size: int = 3, seed: int = 0) -> np.ndarray:
    """He-scaled normal random kernels (count, channels, size, size), reproducible by seed."""
    count, channels, size = positive_int(count, "count"), positive_int(channels, "channels"), positive_int(size, "size")
    rng = np.random.default_rng(seed)
    return rng.normal(0, np.sqrt(2 / (channels * size * size)), size=(count, channels, size, size))


def kmeans_kernels(image: Any, count: int = 8, size: int = 5, patches: int = 4000, seed: int = 0) -> np.ndarray:
    """Kernels learned without labels: k-means centroids of mean-removed, normalised image patches
    (count, C, size, size). Same image and seed, same kernels.

    >>> img = np.random.default_rng(0).random((32, 32, 3))
    >>> kmeans_kernels(img, 4, 3, patches=200).shape
    (4, 3, 3, 3)
    """
    from sklearn.cluster import MiniBatchKMeans

    x = to_chw(image)
    count, size = positive_int(count, "count"), positive_int(size, "size")
    c, h, w = x.shape
    if size > min(h, w):
        raise ConvlabError(f"patch size {size} is larger than the image {h}×{w}")
    rng = np.random.default_rng(seed)
    n = min(positive_int(patches, "patches"), (h - size + 1) * (w - size + 1))
    rows, cols = rng.integers(0, h - size + 1, n), rng.integers(0, w - size + 1, n)
    data = np.stack([x[:, r:r + size, q:q + size].ravel() for r, q in zip(rows, cols)])
    data = data - data.mean(axis=1, keepdims=True)
    data /= np.linalg.norm(data, axis=1, keepdims=True) + 1e-8
    if n < count:
        raise ConvlabError(f"only {n} patches for {count} kernels: use fewer kernels or a larger image")
    km = MiniBatchKMeans(n_clusters=count, random_state=seed, n_init=3, batch_size=256).fit(data)
    return km.cluster_centers_.reshape(count, c, size, size)


def feature_maps(image: Any, kernels: Any, activation: str | None = "relu", pool: int = 1,
                 padding: Any = "same") -> np.ndarray:
    """Convolve an image (H, W, C) with kernels (K, C, kh, kw), then activation and max pooling:
    (K, H', W') maps, one per kernel.

    >>> feature_maps(np.ones((3, 3, 1)), np.ones((1, 1, 3, 3))).tolist()
    [[[4.0, 6.0, 4.0], [6.0, 9.0, 6.0], [4.0, 6.0, 4.0]]]
    """
    maps = conv2d(to_chw(image), kernels, padding=padding)
    if activation:
        maps = activate(maps, activation)
    return pool2d(maps, pool) if positive_int(pool, "pool") > 1 else maps
