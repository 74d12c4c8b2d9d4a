"""DNA sequences for 1D convolution (seed 003: "1D convolutions on DNA sequences"): a procedural dataset
with a planted motif, and what a trained 1D CNN's filters have learned (sequence logos).

A sequence of length L is one-hot encoded as 4 channels (A, C, G, T): x is (4, L), and a
1D conv filter of width k is a (4, k) table of scores, one per base and position. Sliding
it along the sequence scores every k-mer; max-pooling over all positions then answers
"is the motif anywhere?" wherever it sits. Half the sequences carry a copy of the motif
(TATA-box-like) with up to `mutations` bases changed; the others carry no window within
`mutations` changes of it, so the label is exactly "a near-copy is present".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convlab._core.validate import as_array, nonneg_int, positive_int
from convlab.datasets.base import Dataset
from convlab.errors import ConvlabError

__all__ = ["BASES", "MOTIFS", "DNA_CLASSES", "DNADataset", "one_hot", "decode", "make_dna", "mismatches",
           "filter_pwm", "logo_heights", "consensus", "motif_match", "rank_filters"]

BASES = "ACGT"
DNA_CLASSES = ("no motif", "motif")
# name -> motif; all six long so a 60-base sequence rarely holds a near-copy by chance
MOTIFS = {"TATA box": "TATAAA", "E-box": "CACGTG", "GC box": "GGGCGG", "−35 box": "TTGACA"}


@dataclass(frozen=True)
class DNADataset(Dataset):
    """A Dataset of one-hot DNA (N, 4, L) that also knows its motif and where each copy was planted."""

    motif: str = "TATAAA"
    mutations: int = 1
    sites_train: np.ndarray | None = None     # (N_train,) start of the planted copy, −1 where there is none
    sites_test: np.ndarray | None = None


def one_hot(seq: str) -> np.ndarray:
    """A DNA string as (4, L) float32, rows A, C, G, T.

    >>> one_hot("GAT").astype(int)
    array([[0, 1, 0],
           [0, 0, 0],
           [1, 0, 0],
           [0, 0, 1]])
    """
    if not isinstance(seq, str) or not seq:
        raise ConvlabError(f"a DNA sequence must be a non-empty string of A, C, G, T; got {seq!r}")
    up = seq.strip().upper()
    bad = next((ch for ch in up if ch not in BASES), None)
    if bad is not None:
        raise ConvlabError(f"the sequence contains {bad!r}: use only the bases A, C, G and T")
    idx = np.array([BASES.index(ch) for ch in up])
    return np.eye(4, dtype=np.float32)[:, idx]


def decode(x) -> str:
    """(4, L) one-hot (or scores: the largest row wins at each position) back to a string.

    >>> decode(one_hot("TATAAA"))
    'TATAAA'
    """
    a = as_array(x, "x", (2,), "(4, L)")
    if a.shape[0] != 4:
        raise ConvlabError(f"x has {a.shape[0]} rows; DNA has 4 (A, C, G, T)")
    return "".join(BASES[i] for i in a.argmax(axis=0))


def mismatches(codes: np.ndarray, motif: str) -> np.ndarray:
    """For base codes (..., L) (0..3), the number of mismatches of every window with the motif: (..., L − m + 1).

    >>> mismatches(np.array([3, 0, 3, 0, 0, 0, 1]), "TATAAA")
    array([0, 4])
    """
    m = np.array([BASES.index(ch) for ch in motif])
    windows = np.lib.stride_tricks.sliding_window_view(codes, len(m), axis=-1)      # (..., L − m + 1, m)
    return (windows != m).sum(axis=-1)


def _check(n: int, length: int, motif: str, mutations: int) -> tuple[int, int, str, int]:
    n, length = positive_int(n, "n"), positive_int(length, "length")
    one_hot(motif)                                   # only A, C, G, T
    up = motif.strip().upper()
    mutations = nonneg_int(mutations, "mutations")
    if mutations > 2:
        raise ConvlabError(f"mutations {mutations}: use 0, 1 or 2 changed bases per planted copy")
    if not 4 <= len(up) <= 12:
        raise ConvlabError(f"motif {up!r} has {len(up)} bases: use 4 to 12")
    if not 2 * len(up) <= length <= 400:
        raise ConvlabError(f"length {length}: use {2 * len(up)} to 400 bases (at least twice the motif)")
    if not 20 <= n <= 20_000:
        raise ConvlabError(f"n {n}: use 20 to 20,000 sequences")
    return n, length, up, mutations


def make_dna(n: int = 2000, length: int = 60, motif: str = "TATAAA", mutations: int = 1, seed: int = 0,
             test_fraction: float = 0.2) -> DNADataset:
    """Random DNA, half of it with a planted copy of `motif` (up to `mutations` bases changed), one-hot.

    Classes: 0 "no motif", 1 "motif"; the last test_fraction of the (shuffled) sequences is the test
    set. One-hot inputs are already on one scale, so the statistics are mean 0 and std 1 (no change).

    >>> d = make_dna(200, length=30, seed=1)
    >>> d.x_train.shape, d.classes, int(d.sites_train.max()) <= 30 - 6
    ((160, 4, 30), ('no motif', 'motif'), True)
    >>> seq = d.x_train[int(np.flatnonzero(d.y_train)[0])]
    >>> int(mismatches(seq.argmax(0), "TATAAA").min()) <= 1
    True
    """
    n, length, motif, mutations = _check(n, length, motif, mutations)
    rng = np.random.default_rng(seed)
    m = np.array([BASES.index(ch) for ch in motif])
    y = np.arange(n) % 2
    rng.shuffle(y)
    codes, sites = np.empty((n, length), dtype=np.int64), np.full(n, -1)
    for i, label in enumerate(y):
        while True:                      # no near-copy by chance: resample (about 1 in 4 for a 6-mer in 60 bases)
            seq = rng.integers(0, 4, size=length)
            if mismatches(seq, motif).min() > mutations:
                break
        if label:
            copy = m.copy()
            changed = rng.choice(len(m), size=int(rng.integers(0, mutations + 1)), replace=False)
            copy[changed] = (copy[changed] + rng.integers(1, 4, size=len(changed))) % 4     # a different base
            sites[i] = int(rng.integers(0, length - len(m) + 1))
            seq[sites[i]: sites[i] + len(m)] = copy
        codes[i] = seq
    x = np.eye(4, dtype=np.float32)[codes].transpose(0, 2, 1)                      # (N, 4, L)
    n_test = int(round(n * test_fraction))
    tr, te = slice(0, n - n_test), slice(n - n_test, n)
    return DNADataset("dna", x[tr], y[tr].astype(np.int64), x[te], y[te].astype(np.int64), DNA_CLASSES,
                      np.zeros(4, np.float32), np.ones(4, np.float32), motif, mutations, sites[tr], sites[te])


def filter_pwm(weights, bias, x, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """What makes each filter fire: base frequencies of the k-mers at each sequence's strongest position.

    weights (F, 4, k), bias (F,), x (N, 4, L) one-hot. A sequence counts for filter f when its best
    score reaches threshold × the filter's best score over all sequences (as in DeepBind and Basset).
    Returns (pwm (F, 4, k) with columns summing to 1, counts (F,) sequences used).
    """
    w = as_array(weights, "weights", (3,), "(F, 4, k)")
    b = as_array(bias, "bias", (1,), "(F,)")
    xa = as_array(x, "x", (3,), "(N, 4, L)")
    k = w.shape[2]
    if w.shape[1] != 4 or xa.shape[1] != 4 or b.shape[0] != w.shape[0] or xa.shape[2] < k:
        raise ConvlabError(f"filter_pwm needs weights (F, 4, k), bias (F,) and x (N, 4, L ≥ k); got "
                           f"{w.shape}, {b.shape}, {xa.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(xa, k, axis=2)            # (N, 4, P, k)
    scores = np.einsum("nbpk,fbk->nfp", windows, w) + b[None, :, None]           # (N, F, P)
    best, where = scores.max(axis=2), scores.argmax(axis=2)                       # (N, F)
    pwm, counts = np.zeros_like(w), np.zeros(w.shape[0], dtype=int)
    for f in range(w.shape[0]):
        top = best[:, f].max()
        keep = np.flatnonzero(best[:, f] >= threshold * top) if top > 0 else np.arange(0)
        counts[f] = len(keep)
        if len(keep):
            pwm[f] = windows[keep, :, where[keep, f], :].sum(axis=0) / len(keep)  # (4, k)
        else:
            pwm[f] = 0.25
    return pwm, counts


def logo_heights(pwm) -> np.ndarray:
    """Letter heights of a sequence logo: frequency × information content (2 − entropy, in bits).

    >>> logo_heights([[1, 0.25], [0, 0.25], [0, 0.25], [0, 0.25]])
    array([[2., 0.],
           [0., 0.],
           [0., 0.],
           [0., 0.]])
    """
    p = as_array(pwm, "pwm", (2, 3), "(4, k) or (F, 4, k)")
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nansum(np.where(p > 0, p * np.log2(p), 0.0), axis=-2, keepdims=True)
    return p * (2.0 - entropy)


def consensus(weights) -> str:
    """The best-scoring base at each position of a (4, k) filter or PWM."""
    return decode(weights)


def motif_match(weights, motif: str) -> tuple[int, int]:
    """(offset, matching bases) of the best alignment of motif with a (4, k) filter's consensus.

    The motif slides over the filter window (or the window over the motif when k is shorter).

    >>> motif_match(one_hot("GTATAAAC"), "TATAAA")
    (1, 6)
    """
    cons, mot = consensus(weights), motif.upper()
    short, long_ = (mot, cons) if len(mot) <= len(cons) else (cons, mot)
    scores = [sum(a == b for a, b in zip(short, long_[i:i + len(short)])) for i in range(len(long_) - len(short) + 1)]
    best = int(np.argmax(scores))
    return best, int(scores[best])


def rank_filters(weights, bias, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Filters ordered by how well their max-pooled response separates motif from no-motif sequences.

    The score of filter f is the gap between its mean max-pooled ReLU response on motif and on
    no-motif sequences, in units of its overall standard deviation. Returns (order, scores).
    """
    w = as_array(weights, "weights", (3,), "(F, 4, k)")
    xa = as_array(x, "x", (3,), "(N, 4, L)")
    labels = np.asarray(y)
    windows = np.lib.stride_tricks.sliding_window_view(xa, w.shape[2], axis=2)   # (N, 4, P, k)
    scores = np.einsum("nbpk,fbk->nfp", windows, w) + np.asarray(bias, dtype=float)[None, :, None]
    pooled = np.maximum(scores, 0).max(axis=2)                                     # (N, F): "is it anywhere?"
    gap = pooled[labels == 1].mean(axis=0) - pooled[labels == 0].mean(axis=0)
    score = gap / np.maximum(pooled.std(axis=0), 1e-9)
    return np.argsort(-score), score
