"""Every bundled data set by name, with its default settings."""

from __future__ import annotations

from convlab.datasets.base import DATASETS, Dataset
from convlab.datasets.digits import load_digits
from convlab.datasets.shapes import make_shapes
from convlab.errors import ConvlabError

__all__ = ["load_dataset"]


def load_dataset(name: str, seed: int | None = None) -> Dataset:
    """"digits", "digits32" (upsampled ×4), "shapes", "dna" or "faces" with their default settings. seed=None: the
    dataset's own default (0; for "faces" the bundled faces model's own training set, convlab.datasets.faces.FACES_SEED);
    another seed gives another sample or split."""
    if seed is None:
        if name == "faces":
            from convlab.datasets.faces import make_faces
            return make_faces()
        seed = 0
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
        from convlab.datasets.faces import make_faces
        return make_faces(seed=seed)
    raise ConvlabError(f"dataset {name!r} is not one of: {', '.join(DATASETS)}")
