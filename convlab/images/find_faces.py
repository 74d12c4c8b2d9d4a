"""Find the face: a classifier slid over a photo is a detector, and sliding it is convolving with it.

The faces model reads a 25×25 grey window and says P(face). To find a face in a bigger photo, read every
25×25 window (every `stride` pixels) at a few scales: the photo is scaled so that a face of a given size
fills 25 pixels, then every window is classified. Done crop by crop, that is one network run per window.

But every layer of the faces network is a convolution, a ReLU or a max pool, with no padding: each output
value depends only on the pixels under it. Run on the whole scaled photo at once, the first conv computes
every window's first layer at once (neighbouring windows share 24 of their 25 columns, computed once);
the pools halve the grid; and the classifier, a Linear layer on the last 10×3×3 maps, is the same
arithmetic as a conv with 2 kernels of 10×3×3 (its weight matrix reshaped). So one pass of the network,
made fully convolutional, gives the logits of every window at once, a heat map, with the window's step
equal to the network's total stride (4: two 2×2 pools), exactly the numbers crop by crop
(tests/images/test_find_faces.py checks this against the classifier run on each crop).

A model with padding (its windows near a crop's border see zeros, in the whole photo they see the
neighbours) is read crop by crop instead: same result, no shortcut.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.validate import as_array
from convlab.errors import ConvlabError

__all__ = ["SCALES", "ScaleMap", "FaceSearch", "SlidingCost", "sliding_cost", "fully_convolutional", "total_stride",
           "scaled_grey", "crop_by_crop", "face_heat_maps", "FALSE_WINDOWS", "detection_threshold", "find_faces"]

# the window's side as a share of the photo's shorter side: a face filling 90 %, 60 %, 40 % or 27 % of it
SCALES = (0.9, 0.6, 0.4, 0.27)


@dataclass(frozen=True)
class ScaleMap:
    """One scale: the window's side in the photo's pixels, the scaled photo's size, the heat map P(face) per
    window (rows, cols; window (i, j) starts at (i·stride, j·stride) of the scaled photo) and the step."""

    share: float                   # the window's side over the photo's shorter side
    window: float                  # the window's side in the original photo's pixels
    scaled: tuple[int, int]        # the scaled grey photo (H', W') the network ran on
    p: np.ndarray                  # (rows, cols) P(face) of every window
    stride: int                    # the window's step in the scaled photo (the network's total stride)
    side: int                      # the network's input side (25)
    photo: tuple[int, int]         # the original photo's (H, W)

    def box(self, i: int, j: int) -> tuple[int, int, int]:
        """(top, left, side) in the original photo's pixels of window (i, j): its place scaled back by the photo's
        own ratios (the scaled size was rounded to whole windows), kept inside the photo."""
        (H, W), (h, w), side = self.photo, self.scaled, min(round(self.window), *self.photo)
        top = min(max(round(i * self.stride * H / h), 0), H - side)
        left = min(max(round(j * self.stride * W / w), 0), W - side)
        return top, left, side

    @property
    def best(self) -> tuple[tuple[int, int, int], float]:
        i, j = np.unravel_index(int(np.argmax(self.p)), self.p.shape)
        return self.box(int(i), int(j)), float(self.p[i, j])


@dataclass(frozen=True)
class FaceSearch:
    """Every scale's heat map, whether one fully convolutional pass made them, and the best box of all."""

    maps: tuple[ScaleMap, ...]
    convolutional: bool

    @property
    def best(self) -> tuple[tuple[int, int, int], float]:
        return max((m.best for m in self.maps), key=lambda b: b[1])


def _input_side(clf) -> int:
    c, h, w = clf.input_shape
    if c != 1 or h != w:
        raise ConvlabError(f"find_faces needs a square grey model like the faces model (1×25×25); this one reads "
                           f"{c}×{h}×{w}")
    return h


def fully_convolutional(model, side: int):
    """The model with its classifier (Flatten + Linear) turned into the equivalent conv, or None when it
    cannot slide exactly (a conv with padding, a residual block, a global pool, a Linear that is not last).
    The conv's kernels are the Linear's weight rows reshaped to the maps it reads: (classes, C, h, w).

    >>> from convlab.networks.bundled import bundled
    >>> net = fully_convolutional(bundled("faces").model, 25)
    >>> net[-1]
    Conv2d(10, 2, kernel_size=(3, 3), stride=(1, 1))
    """
    import torch
    import torch.nn as nn

    mods = list(model)
    if len(mods) < 2 or not isinstance(mods[-1], nn.Linear) or not isinstance(mods[-2], nn.Flatten):
        return None
    body = mods[:-2]
    for m in body:
        if isinstance(m, nn.Conv2d) and (m.padding != (0, 0) or m.dilation != (1, 1) or m.groups != 1):
            return None
        if isinstance(m, nn.MaxPool2d) and (m.padding not in (0, (0, 0)) or m.ceil_mode):
            return None
        if not isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, nn.ReLU, nn.LeakyReLU, nn.ELU, nn.Tanh,
                              nn.Sigmoid, nn.BatchNorm2d, nn.Dropout, nn.Identity)):
            return None
        if isinstance(m, nn.AvgPool2d) and (m.padding not in (0, (0, 0)) or m.ceil_mode):
            return None
    lin = mods[-1]
    p = next(model.parameters())
    with torch.no_grad():
        shape = nn.Sequential(*body).eval()(torch.zeros(1, 1, side, side, dtype=p.dtype, device=p.device)).shape[1:]
    head = nn.Conv2d(shape[0], lin.out_features, (shape[1], shape[2])).to(p.device, p.dtype)
    with torch.no_grad():
        head.weight.copy_(lin.weight.reshape(lin.out_features, *shape))
        head.bias.copy_(lin.bias)
    return nn.Sequential(*body, head).eval()


def total_stride(model) -> int:
    """The product of every conv's and pool's stride: how far apart neighbouring windows are."""
    import torch.nn as nn
    s = 1
    for m in model:
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            st = m.stride if isinstance(m.stride, int) else m.stride[0]
            s *= int(st)
    return s


def scaled_grey(image: Any, share: float, side: int = 25, stride: int = 4) -> tuple[np.ndarray, float]:
    """(grey photo scaled so that a window of share × the shorter side becomes `side` pixels, the window's side
    in original pixels). The scaled size is rounded so that (size − side) is a multiple of stride: the windows
    then tile it exactly, and the mirrored photo's windows are the same windows.

    >>> g, w = scaled_grey(np.zeros((100, 150, 3)), 0.5)
    >>> g.shape, w
    ((49, 73), 50.0)
    """
    from PIL import Image
    a = as_array(image, "the photo", (3,), "(H, W, 3)").astype(np.float32)
    if a.shape[2] != 3:
        raise ConvlabError(f"expected an (H, W, 3) photo, got shape {a.shape}")
    H, W = a.shape[:2]
    window = share * min(H, W)
    if window < 1:
        raise ConvlabError(f"the photo is {H}×{W}: too small to look for a face in it")
    k = side / window
    h, w = (side + stride * max(0, round((n * k - side) / stride)) for n in (H, W))
    grey = a.mean(axis=2)
    return np.asarray(Image.fromarray(grey).resize((w, h), Image.Resampling.BOX)), window


def _p_face(out, face: int):
    import torch
    return torch.softmax(out, dim=1)[:, face]


def crop_by_crop(clf, grey: np.ndarray, stride: int) -> np.ndarray:
    """The oracle: P(face) of every side×side window of a scaled grey photo (every `stride` pixels), each
    window cut out and classified alone (mirror-averaged as the classifier reads a photo)."""
    import torch

    from convlab.networks.bundled import logits
    side = clf.input_shape[1]
    h, w = grey.shape
    rows, cols = (h - side) // stride + 1, (w - side) // stride + 1
    crops = np.stack([grey[i * stride:i * stride + side, j * stride:j * stride + side]
                      for i in range(rows) for j in range(cols)])[:, None]
    with torch.no_grad():
        p = _p_face(logits(clf, clf.normalise(crops)), clf.classes.index("face"))
    return p.double().cpu().numpy().reshape(rows, cols)


def sliding_pass(clf, net, grey: np.ndarray) -> np.ndarray:
    """P(face) of every window in one pass of the fully convolutional net (mirror-averaged when clf.mirror)."""
    import torch
    p = next(net.parameters())
    x = torch.from_numpy(clf.normalise(grey[None, None].astype(np.float32))).to(p.device, p.dtype)
    with torch.no_grad():
        out = net(x)                                           # (1, classes, rows, cols)
        if clf.mirror:                                         # window (i, j) of the mirror is window (i, cols−1−j)
            out = (out + torch.flip(net(torch.flip(x, dims=[-1])), dims=[-1])) / 2
        return _p_face(out, clf.classes.index("face"))[0].double().cpu().numpy()


def face_heat_maps(image: Any, model: Any = "faces", scales: tuple[float, ...] = SCALES) -> FaceSearch:
    """The P(face) heat map of every window at each scale (a window of share × the photo's shorter side),
    in one fully convolutional pass per scale when the architecture allows it, else crop by crop.

    >>> s = face_heat_maps(np.full((60, 80, 3), 0.5))
    >>> [m.p.shape for m in s.maps], s.convolutional
    ([(2, 4), (5, 9), (10, 16), (18, 26)], True)
    """
    from convlab.networks.bundled import as_classifier
    clf = as_classifier(model)
    if "face" not in clf.classes:
        raise ConvlabError(f"this model's classes are {', '.join(clf.classes)}: it has no class 'face'")
    side = _input_side(clf)
    if not scales or any(not (isinstance(s, (int, float)) and 0 < s <= 1) for s in scales):
        raise ConvlabError(f"scales {scales!r}: give shares of the photo's shorter side, each above 0 and at most 1")
    net = fully_convolutional(clf.model, side)
    stride = total_stride(clf.model) if net is not None else max(1, side // 6)
    maps = []
    for share in scales:
        grey, window = scaled_grey(image, float(share), side, stride)
        p = sliding_pass(clf, net, grey) if net is not None else crop_by_crop(clf, grey, stride)
        maps.append(ScaleMap(float(share), window, grey.shape, p, stride, side, tuple(np.shape(image)[:2])))
    return FaceSearch(tuple(maps), net is not None)


def _iou(a, b) -> float:
    (t1, l1, s1), (t2, l2, s2) = a, b
    inter = max(0, min(t1 + s1, t2 + s2) - max(t1, t2)) * max(0, min(l1 + s1, l2 + s2) - max(l1, l2))
    return inter / (s1 * s1 + s2 * s2 - inter)


FALSE_WINDOWS = 0.001             # the detector's budget: a share of the windows of photos with no face in them

# computed thresholds per network object (a weak key: a model that is garbage-collected drops its entry, so a new
# model that happens to get the same id() never reads the old one's threshold), then per rate
_THRESHOLDS: weakref.WeakKeyDictionary[Any, dict[float, float]] = weakref.WeakKeyDictionary()


def detection_threshold(model: Any = "faces", rate: float = FALSE_WINDOWS) -> float:
    """The detector's threshold: the P(face) that at most `rate` of the windows of the validation photos exceed
    (the right quarter of every training photo, never trained on and with no face in it, read at SCALES), and never
    below 0.5. The bundled faces model has it in its file (python -m convlab train-faces computes it); for another
    model it is computed here once (seconds).

    Why a second threshold: the classifier's own (P = 0.5, calibrated so that 1 % of the validation non-faces
    pass) is for one picture. A detector asks the same question of every window, about 2,000 per photo at four
    scales, so 1 % false alarms per window would be about 20 false boxes per photo. Here at most one window in a
    thousand of photos without a face passes.

    >>> 0.5 <= detection_threshold("faces") < 1
    True
    """
    from convlab.datasets.photos import training_photos
    from convlab.networks.bundled import as_classifier
    if not (isinstance(rate, (int, float)) and 0 < rate < 1):
        raise ConvlabError(f"rate {rate!r}: use a share of windows above 0 and below 1")
    clf = as_classifier(model)
    if clf.detect is not None and rate == FALSE_WINDOWS:          # calibrated when the model was trained
        return clf.detect
    known = _THRESHOLDS.setdefault(clf.model, {})
    if float(rate) not in known:
        ps = [m.p.ravel() for photo in training_photos("val") if min(photo.shape) >= 2 * clf.input_shape[1]
              for m in face_heat_maps(np.repeat(photo[..., None], 3, axis=2), clf, SCALES).maps]
        known[float(rate)] = max(0.5, float(np.quantile(np.concatenate(ps), 1 - rate)))
    return known[float(rate)]


def find_faces(image: Any, model: Any = "faces", scales: tuple[float, ...] = SCALES, threshold: float | None = None,
               overlap: float = 0.3) -> list[tuple[tuple[int, int, int], float]]:
    """Faces in a photo (H, W, 3) in [0, 1]: [((top, left, side), P(face)), ...], most likely first. Every window
    of every scale with P(face) > threshold, keeping only the likeliest of windows that overlap (intersection
    over union above `overlap`: non-maximum suppression). An empty list: no window looks like a face.
    threshold=None: the detector's own, detection_threshold(model) (at most one window in a thousand of photos
    without a face passes it); 0.5 is the classifier's verdict on one picture.

    >>> find_faces(np.full((60, 80, 3), 0.5))
    []
    """
    if threshold is None:
        threshold = detection_threshold(model)
    if not (isinstance(threshold, (int, float)) and 0 <= threshold < 1):
        raise ConvlabError(f"threshold {threshold!r}: use a probability from 0 to below 1")
    search = face_heat_maps(image, model, scales)
    found = [(m.box(int(i), int(j)), float(m.p[i, j])) for m in search.maps for i, j in zip(*np.nonzero(m.p > threshold))]
    found.sort(key=lambda b: -b[1])
    kept: list[tuple[tuple[int, int, int], float]] = []
    for box, p in found:
        if all(_iou(box, k) <= overlap for k, _ in kept):
            kept.append((box, p))
    return kept




@dataclass(frozen=True)
class SlidingCost:
    """Multiply–adds of reading every window of one scaled photo crop by crop, and in one convolutional pass."""

    windows: int                   # rows × cols
    per_window: int                # one 25×25 pass of the network
    one_pass: int                  # the fully convolutional network on the whole scaled photo

    @property
    def crop_by_crop(self) -> int:
        return self.windows * self.per_window


def sliding_cost(model, side: int, scaled: tuple[int, int]) -> SlidingCost:
    """Count the multiply–adds of every conv (and of the classifier as a conv) for one side×side window and for
    the whole scaled photo, by running the fully convolutional network on both sizes.

    >>> from convlab.networks.bundled import bundled
    >>> c = sliding_cost(bundled("faces").model, 25, (29, 33))
    >>> c.windows, c.one_pass < c.crop_by_crop
    (6, True)
    """
    import torch
    import torch.nn as nn

    net = fully_convolutional(model, side)
    if net is None:
        raise ConvlabError("this model cannot slide as one convolution (a padded conv or a layer that mixes "
                           "positions): its windows are read crop by crop")

    def count(h: int, w: int) -> tuple[int, tuple[int, int]]:
        total, x = 0, torch.zeros(1, 1, h, w, dtype=next(net.parameters()).dtype)
        with torch.no_grad():
            for m in net:
                x = m(x)
                if isinstance(m, nn.Conv2d):
                    total += x[0].numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1]
        return total, tuple(x.shape[2:])

    per, _ = count(side, side)
    whole, grid = count(*scaled)
    return SlidingCost(grid[0] * grid[1], per, whole)
