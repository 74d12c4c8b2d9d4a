"""Bundled sample images (no downloads): scikit-learn's two photos, the photos inside scikit-image's wheel,
a digit and a generated shape.

scikit-image's photos are read straight from the files its wheel installs (skimage/data/*.png, *.jpg),
never through its fetch or download functions, so they load with no network and no cache.
"""

from __future__ import annotations

import pathlib

import numpy as np

from convlab.errors import ConvlabError

__all__ = ["SAMPLES", "SKIMAGE_PHOTOS", "TEXTURES", "sample_image", "skimage_file"]

# sample name -> file inside skimage/data (each ships in the scikit-image 0.26 wheel)
SKIMAGE_PHOTOS = {
    "astronaut": "astronaut.png", "coffee": "coffee.png", "chelsea (cat)": "chelsea.png", "rocket": "rocket.jpg",
    "camera": "camera.png", "horse": "horse.png", "coins": "coins.png", "moon": "moon.png",
    "motorcycle": "motorcycle_left.png", "hubble deep field": "hubble_deep_field.jpg", "retina": "retina.jpg",
    "immunohistochemistry": "ihc.png", "page": "page.png", "text": "text.png", "clock": "clock_motion.png",
    "brick": "brick.png", "grass": "grass.png", "gravel": "gravel.png",
}
TEXTURES = ("brick", "grass", "gravel")          # photos of textures: held-out checks for the faces model
SAMPLES = ("china.jpg", "flower.jpg", *SKIMAGE_PHOTOS, "a digit", "a shape")


def skimage_file(filename: str) -> bytes:
    """The bytes of a file that ships inside scikit-image's wheel (skimage/data/), read from disk.

    >>> skimage_file("camera.png")[:4]
    b'\\x89PNG'
    """
    import importlib.util

    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        raise ConvlabError("scikit-image is not installed: pip install scikit-image==0.26.0")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "data" / filename
    if not path.is_file():
        raise ConvlabError(f"{filename} is not in this scikit-image installation: use scikit-image 0.26.0")
    return path.read_bytes()


def sample_image(name: str, max_side: int = 256) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1], at most max_side pixels per side.

    >>> sample_image("a digit").shape, sample_image("astronaut", 64).shape
    ((64, 64, 3), (64, 64, 3))
    """
    if name in ("china.jpg", "flower.jpg"):
        from PIL import Image
        from sklearn.datasets import load_sample_image
        img = Image.fromarray(load_sample_image(name))
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return np.asarray(img, dtype=np.float32) / 255.0
    if name in SKIMAGE_PHOTOS:
        from convlab.images.load import load_image
        return load_image(skimage_file(SKIMAGE_PHOTOS[name]), max_side=max_side)
    if name == "a digit":
        from convlab.datasets.digits import load_digits
        d = load_digits()
        grey = d.x_test[0, 0].repeat(8, axis=0).repeat(8, axis=1)
        return np.repeat(grey[..., None], 3, axis=2).astype(np.float32)
    if name == "a shape":
        from convlab.datasets.shapes import make_shapes
        s = make_shapes(8, size=64, seed=1)
        return np.transpose(s.x_train[0], (1, 2, 0)).astype(np.float32)
    raise ConvlabError(f"no sample {name!r}; choose from: {', '.join(SAMPLES)}")
