"""convlab.load_image against good, odd and bad files generated here."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from convlab import ConvlabError, load_image
from convlab.images.load import load_image_info


def save(img, fmt, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def test_every_allowed_format_loads_as_float_rgb():
    rgb = Image.fromarray(np.arange(48, dtype=np.uint8).reshape(4, 4, 3) * 5)
    for fmt in ("PNG", "JPEG", "GIF", "BMP", "WEBP"):
        arr = load_image(save(rgb, fmt))
        assert arr.dtype == np.float32 and arr.shape == (4, 4, 3) and 0 <= arr.min() and arr.max() <= 1, fmt
    np.testing.assert_allclose(load_image(save(rgb, "PNG")), np.asarray(rgb) / 255, atol=1e-7)


def test_transparency_palette_and_greyscale_modes():
    rgba = Image.new("RGBA", (2, 1), (255, 0, 0, 0))
    rgba.putpixel((1, 0), (255, 0, 0, 255))
    arr = load_image(save(rgba, "PNG"))
    assert arr[0, 0].tolist() == [1, 1, 1] and arr[0, 1].tolist() == [1, 0, 0]     # composited on white
    pal = Image.new("P", (2, 2), 0)
    pal.putpalette([0, 0, 255] + [0] * 765)
    pal.info["transparency"] = 0
    assert load_image(save(pal, "PNG", transparency=0))[0, 0].tolist() == [1, 1, 1]
    assert load_image(save(Image.new("L", (3, 3), 128), "PNG"))[0, 0].tolist() == pytest.approx([128 / 255] * 3)


def test_16_bit_greyscale_is_scaled_not_clipped():
    a = np.array([[0, 1000, 65535]], dtype=np.uint16)
    img = Image.fromarray(a)
    assert img.mode.startswith("I;16")
    arr = load_image(save(img, "PNG"))
    np.testing.assert_allclose(arr[0, :, 0], a[0] / 65535, atol=1e-6)


def test_cmyk_exif_orientation_and_animation():
    cmyk = Image.new("CMYK", (4, 4), (0, 255, 255, 0))              # red in CMYK
    r, g, b = load_image(save(cmyk, "JPEG", quality=100))[0, 0]
    assert r > 0.9 and g < 0.1 and b < 0.1
    img = Image.new("RGB", (6, 2), (0, 0, 0))
    img.putpixel((0, 0), (255, 255, 255))
    exif = Image.Exif()
    exif[0x0112] = 6                                                 # rotate 90° clockwise to display
    info = load_image_info(save(img, "PNG", exif=exif))
    assert info.array.shape == (6, 2, 3) and info.original_size == (2, 6)
    frames = [Image.new("RGB", (3, 3), c) for c in ((255, 0, 0), (0, 255, 0))]
    anim = save(frames[0], "GIF", save_all=True, append_images=frames[1:])
    info = load_image_info(anim)
    assert info.array[0, 0, 0] > 0.9 and "first of 2 frames" in info.message


def test_large_photos_are_downscaled_and_say_so():
    photo = Image.new("RGB", (8000, 6000), (30, 60, 90))           # a 48-megapixel phone photo
    info = load_image_info(save(photo, "JPEG", quality=40), max_side=1024)
    assert max(info.array.shape[:2]) == 1024 and info.original_size == (8000, 6000)
    assert "downscaled from 8000×6000" in info.message
    assert load_image_info(save(Image.new("RGB", (10, 10)), "PNG")).message == ""


def _png_claiming(width: int, height: int) -> bytes:
    raw = save(Image.new("L", (1, 1)), "PNG")
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return raw[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + raw[33:]


@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty"),
    (b"hello, this is a text file renamed to photo.png", "not an image ConvLab can read"),
    (save(Image.new("RGB", (4, 4)), "TIFF"), "not an image ConvLab can read"),
    (save(Image.new("RGB", (4, 4)), "PDF"), "not an image ConvLab can read"),
    (_png_claiming(100_000, 100_000), "pixels"),
    (save(Image.new("RGB", (64, 64), (1, 2, 3)), "PNG")[:80], "truncated or damaged"),
    (save(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)), "JPEG")[:600],
     "truncated or damaged"),
])
def test_bad_files_are_refused_with_a_message(data, message):
    with pytest.raises(ConvlabError, match=message):
        load_image(data)


def test_bad_arguments():
    with pytest.raises(ConvlabError, match="bytes of a file"):
        load_image("photo.png")
    with pytest.raises(ConvlabError, match="max_side"):
        load_image(save(Image.new("RGB", (4, 4)), "PNG"), max_side=0)
