"""Safe image loading: whatever a student uploads becomes float32 RGB in [0, 1], or a clear refusal.

Checks, in order: not empty; a format on the allowlist (Pillow's `formats=`, so a renamed file is
caught by its content, not its name); the pixel count from the header, before any decoding; then a
full decode that catches truncated files. Normalises EXIF orientation, palettes and transparency
(composited on white), 16-bit and float greyscale (scaled, never clipped), CMYK, and animations
(first frame only). Large photos are downscaled to a working size, and the result says so.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np

from convlab.errors import ConvlabError

__all__ = ["ALLOWED_FORMATS", "EXTENSIONS", "MAX_PIXELS", "LoadedImage", "load_image", "load_image_info", "fit_to_input"]

ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
EXTENSIONS = ("png", "jpg", "jpeg", "gif", "bmp", "webp")
MAX_PIXELS = 80_000_000          # a 48-megapixel phone photo loads; a decompression bomb does not
MAX_BYTES = 30 * 2**20


@dataclass(frozen=True)
class LoadedImage:
    array: np.ndarray                  # (H, W, 3) float32 in [0, 1]
    original_size: tuple[int, int]     # (width, height) as stored, after EXIF rotation
    format: str
    message: str                       # what was done to it, for the page ("" when nothing)


def _to_rgb(img) -> np.ndarray:
    from PIL import Image
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        a = np.asarray(img, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or a.max() <= 65535 else a.max()
        grey = np.clip(a / top, 0, 1)
        return np.repeat(grey[..., None], 3, axis=2).astype(np.float32)
    if mode == "F":
        a = np.asarray(img, dtype=np.float64)
        lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
        grey = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
        return np.repeat(np.nan_to_num(grey)[..., None], 3, axis=2).astype(np.float32)
    if mode in ("RGBA", "LA", "PA", "P", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0


def load_image_info(data: bytes, max_side: int = 1024) -> LoadedImage:
    """load_image plus what was done: original size, format and a message such as "downscaled from …"."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ConvlabError("an image must be given as the bytes of a file")
    data = bytes(data)
    if not data:
        raise ConvlabError("the file is empty: choose a photo or picture file (png, jpg, gif, bmp or webp)")
    if len(data) > MAX_BYTES:
        raise ConvlabError(f"the file is {len(data) / 2**20:.0f} MB; use an image under {MAX_BYTES // 2**20} MB")
    if not isinstance(max_side, int) or not 16 <= max_side <= 8192:
        raise ConvlabError(f"max_side {max_side!r}: use a whole number from 16 to 8192")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except UnidentifiedImageError:
        raise ConvlabError("this file is not an image ConvLab can read: use png, jpg, gif, bmp or webp "
                           "(a file renamed to .png is still what it was)") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ConvlabError(f"the image claims more than {MAX_PIXELS:,} pixels: use a smaller image") from None
    except OSError as err:
        raise ConvlabError(f"the image is truncated or damaged ({err}): save or export it again") from None
    fmt = img.format or "?"
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise ConvlabError(f"the image is {w}×{h} = {w * h / 1e6:.0f} megapixels; ConvLab reads up to "
                           f"{MAX_PIXELS / 1e6:.0f} megapixels: use a smaller image")
    notes = []
    if getattr(img, "n_frames", 1) > 1:
        img.seek(0)
        notes.append(f"first of {img.n_frames} frames")
    try:
        if fmt == "JPEG" and max(w, h) > 2 * max_side:
            img.draft("RGB", (max_side, max_side))       # decode at a reduced scale: fast for huge photos
        img.load()
        orientation = img.getexif().get(0x0112, 1)
        img = ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError) as err:
        raise ConvlabError(f"the image is truncated or damaged ({err}): save or export it again") from None
    if orientation in (5, 6, 7, 8):                     # EXIF said: rotated a quarter turn
        w, h = h, w
    original = (w, h)
    if max(img.size) > max_side:
        img = img.copy()
        resample = Image.Resampling.LANCZOS if img.mode not in ("P", "1") else Image.Resampling.NEAREST
        img.thumbnail((max_side, max_side), resample)
        notes.append(f"downscaled from {w}×{h} to {img.size[0]}×{img.size[1]}")
    arr = _to_rgb(img)
    message = ("The image was " + " and ".join(notes) + ".") if notes else ""
    return LoadedImage(np.ascontiguousarray(arr, dtype=np.float32), original, fmt, message)


def load_image(data: bytes, max_side: int = 1024) -> np.ndarray:
    """An uploaded file's bytes as float32 RGB, shape (H, W, 3), values in [0, 1].

    Raises ConvlabError with what to do for empty, non-image, disallowed, truncated or huge files.

    >>> import io; from PIL import Image
    >>> buf = io.BytesIO(); Image.new("LA", (4, 2), (0, 0)).save(buf, "PNG")
    >>> load_image(buf.getvalue())[0, 0].tolist()      # fully transparent: white, as on paper
    [1.0, 1.0, 1.0]
    """
    return load_image_info(data, max_side).array


def fit_to_input(image: np.ndarray, input_shape: tuple[int, int, int], invert: bool = False) -> np.ndarray:
    """A photo (H, W, 3) in [0, 1] as one model input (C, H, W) in [0, 1]: centre-cropped to the model's
    aspect ratio, resized with area averaging, averaged to grey when the model reads one channel, and
    optionally inverted (dark ink on white paper becomes the bright-on-dark of the digits dataset).

    >>> img = np.zeros((40, 60, 3), dtype=np.float32); img[:, 30:] = 1
    >>> fit_to_input(img, (1, 2, 2)).round(2).tolist()
    [[[0.0, 1.0], [0.0, 1.0]]]
    """
    from PIL import Image

    a = np.asarray(image, dtype=np.float32)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ConvlabError(f"expected an (H, W, 3) image, got shape {a.shape}")
    c, h, w = (int(v) for v in input_shape)
    if c not in (1, 3):
        raise ConvlabError(f"the model reads {c} channels: only grey (1) or colour (3) models can take a photo")
    H, W = a.shape[:2]
    if H * w > W * h:                      # too tall: crop rows
        keep = max(1, round(W * h / w))
        top = (H - keep) // 2
        a = a[top:top + keep]
    else:                                  # too wide: crop columns
        keep = max(1, round(H * w / h))
        left = (W - keep) // 2
        a = a[:, left:left + keep]
    channels = [np.asarray(Image.fromarray(a[..., k]).resize((w, h), Image.Resampling.BOX)) for k in range(3)]
    out = np.clip(np.stack(channels), 0, 1)
    if c == 1:
        out = out.mean(axis=0, keepdims=True)
    return (1 - out if invert else out).astype(np.float32)
