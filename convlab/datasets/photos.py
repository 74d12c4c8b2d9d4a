"""Bundled sample images (no downloads): scikit-learn's two photos, the photos inside scikit-image's wheel,
a digit and a generated shape.

scikit-image's photos are read straight from the files its wheel installs (skimage/data/*.png, *.jpg),
never through its fetch or download functions, so they load with no network and no cache.
"""

from __future__ import annotations

import pathlib

import numpy as np

from convlab.errors import ConvlabError

__all__ = ["SAMPLES", "SKIMAGE_PHOTOS", "TEXTURES", "sample_image", "skimage_file", "PHOTOS", "HELD_OUT_PHOTOS",
           "UNUSED_PHOTOS", "TRAINING_PHOTOS", "package_photo", "training_photos"]

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


# every photo in the three wheels, by package and file; held out of training by name
PHOTOS = {
    "astronaut": ("skimage", "astronaut.png"), "grace hopper": ("matplotlib", "grace_hopper.jpg"),
    "coffee": ("skimage", "coffee.png"), "rocket": ("skimage", "rocket.jpg"), "chelsea (cat)": ("skimage", "chelsea.png"),
    "coins": ("skimage", "coins.png"), "clock": ("skimage", "clock_motion.png"),
    "motorcycle": ("skimage", "motorcycle_left.png"), "motorcycle (right view)": ("skimage", "motorcycle_right.png"),
    "flower.jpg": ("sklearn", "flower.jpg"), "camera": ("skimage", "camera.png"),
    "china.jpg": ("sklearn", "china.jpg"), "horse": ("skimage", "horse.png"), "moon": ("skimage", "moon.png"),
    "hubble deep field": ("skimage", "hubble_deep_field.jpg"), "retina": ("skimage", "retina.jpg"),
    "immunohistochemistry": ("skimage", "ihc.png"), "page": ("skimage", "page.png"), "text": ("skimage", "text.png"),
    "brick": ("skimage", "brick.png"), "grass": ("skimage", "grass.png"), "gravel": ("skimage", "gravel.png"),
    "cell": ("skimage", "cell.png"), "color": ("skimage", "color.png"), "logo": ("skimage", "logo.png"),
    "phantom": ("skimage", "phantom.png"), "microaneurysms": ("skimage", "microaneurysms.png"),
    "present": ("matplotlib", "Minduka_Present_Blue_Pack.png"), "matplotlib logo": ("matplotlib", "logo2.png"),
}
HELD_OUT_PHOTOS = ("astronaut", "grace hopper", "coffee", "rocket", "chelsea (cat)", "coins", "clock", "motorcycle",
                   "motorcycle (right view)", "flower.jpg")
UNUSED_PHOTOS = ("camera",)
TRAINING_PHOTOS = tuple(n for n in PHOTOS if n not in HELD_OUT_PHOTOS + UNUSED_PHOTOS)


def _package_dir(package: str) -> pathlib.Path:
    import importlib.util
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConvlabError(f"{package} is not installed: pip install -r requirements.txt")
    root = pathlib.Path(spec.submodule_search_locations[0])
    return root / {"skimage": "data", "sklearn": "datasets/images", "matplotlib": "mpl-data/sample_data"}[package]


def package_photo(name: str) -> np.ndarray:
    """A photo that ships inside an installed wheel (PHOTOS), grey (H, W) float32 in [0, 1], full size, read from
    disk (transparent pixels on white).

    >>> package_photo("grace hopper").shape
    (600, 512)
    """
    from PIL import Image
    if name not in PHOTOS:
        raise ConvlabError(f"no packaged photo {name!r}; choose from: {', '.join(PHOTOS)}")
    package, filename = PHOTOS[name]
    path = _package_dir(package) / filename
    if not path.is_file():
        raise ConvlabError(f"{filename} is not in this {package} installation: pip install -r requirements.txt")
    img = Image.open(path)
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    rgb = np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0
    return rgb.mean(axis=2)


def training_photos(part: str) -> list[np.ndarray]:
    """The training photos in grey, cut to the part: the left three quarters ("train") or the rest ("val")."""
    out = []
    for name in TRAINING_PHOTOS:
        img = package_photo(name)
        cut = int(img.shape[1] * 0.75)
        out.append(img[:, :cut] if part == "train" else img[:, cut:])
    return out
