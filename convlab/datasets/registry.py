"""Every bundled data set by name, with its default settings."""

from __future__ import annotations

from convlab.datasets.base import DATASETS, Dataset
from convlab.datasets.digits import load_digits
from convlab.datasets.shapes import make_shapes
from convlab._core.validate import nonneg_int
from convlab.errors import ConvlabError

__all__ = ["load_dataset"]


def load_dataset(name: str, seed: int = 0) -> Dataset:
    """"digits", "digits32" (upsampled ×4), "shapes", "dna" or "faces" with their default settings; seed 0 is the
    default sample or split, another seed another one. For "faces", seed 0 is the bundled faces model's own training
    set (make_faces with convlab.datasets.faces.FACES_SEED), seed s is make_faces with FACES_SEED + s.

    >>> load_dataset("digits", seed="x")
    Traceback (most recent call last):
    ...
    convlab.errors.ConvlabError: seed must be a whole number; got 'x'
    """
    seed = nonneg_int(seed, "seed")                  # text, 1.5 or −1 once escaped as numpy's TypeError/ValueError
    if name == "digits":
        return load_digits(seed=seed)
    if name == "digits32":
        return load_digits(upsample=4, seed=seed)
    if name == "shapes":
        return make_shapes(seed=seed)
    if name == "dna":
        from convlab.sequences.dna import make_dna
        return make_dna(seed=seed)
    if name == "faces":
        from convlab.datasets.faces import FACES_SEED, make_faces
        return make_faces(seed=FACES_SEED + seed)
    raise ConvlabError(f"dataset {name!r} is not one of: {', '.join(DATASETS)}")
