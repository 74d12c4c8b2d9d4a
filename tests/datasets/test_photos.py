"""Sample photos: scikit-learn's two and the ones inside scikit-image's wheel, all offline."""

import hashlib
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from convlab.errors import ConvlabError
from convlab.datasets.photos import SAMPLES, SKIMAGE_PHOTOS, TEXTURES, sample_image, skimage_file

ROOT = pathlib.Path(__file__).resolve().parents[2]

OFFLINE = """
import os, socket, sys
def refuse(*a, **k):
    raise OSError("network used")
socket.socket.connect = refuse
socket.create_connection = refuse
from convlab.datasets.photos import SAMPLES, sample_image
for name in SAMPLES:
    img = sample_image(name, 64)
    assert img.ndim == 3 and img.shape[2] == 3 and max(img.shape[:2]) <= 64, (name, img.shape)
from convlab.datasets.faces import load_lfw
faces, others = load_lfw()
assert faces.shape == others.shape == (100, 25, 25)
cache = os.environ["SKIMAGE_DATADIR"]
assert not os.listdir(cache), os.listdir(cache)
print("ok", len(SAMPLES))
"""


def test_every_sample_loads_with_no_network_and_no_cache(tmp_path):
    """In a fresh process whose sockets refuse to connect and whose scikit-image cache is an empty folder."""
    cache = tmp_path / "skimage-cache"
    cache.mkdir()
    env = {"SKIMAGE_DATADIR": str(cache), "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "xdg"),
           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", OFFLINE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok", str(len(SAMPLES))]


@pytest.mark.parametrize("name", list(SKIMAGE_PHOTOS))
def test_skimage_photo_is_the_file_its_wheel_ships(name):
    """The bytes read are exactly the ones scikit-image's own registry lists (no other copy, no download)."""
    from skimage.data._registry import registry
    data = skimage_file(SKIMAGE_PHOTOS[name])
    assert hashlib.sha256(data).hexdigest() == registry[f"data/{SKIMAGE_PHOTOS[name]}"]
    img = sample_image(name, 128)
    assert img.dtype == np.float32 and 0 <= img.min() and img.max() <= 1 and max(img.shape[:2]) == 128
    assert img.std() > 0.01                                  # a real picture, not a blank


def test_samples_list_and_errors():
    assert SAMPLES[:2] == ("china.jpg", "flower.jpg") and {"astronaut", "coffee", "rocket", "camera", "horse"} <= set(SAMPLES)
    assert set(TEXTURES) <= set(SKIMAGE_PHOTOS)
    assert sample_image("horse", 64)[0, 0].tolist() == [1.0, 1.0, 1.0]       # transparent background: white
    with pytest.raises(ConvlabError, match="no sample 'lena'"):
        sample_image("lena")
    with pytest.raises(ConvlabError, match="not in this scikit-image"):
        skimage_file("lena.png")
