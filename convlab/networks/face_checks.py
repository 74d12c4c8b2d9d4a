"""Held-out checks of a faces model on photos it never saw: scikit-image's textures (brick, grass, gravel),
selfie-framed composites of the held-out LFW faces, every bundled scikit-image photo, and occluding the
eyes against occluding background. Every photo goes through convlab.fit_input, as on the pages.

None of these photos is used in training (convlab.datasets.faces uses scikit-learn's two photos and procedural
textures only). `python -m convlab faces-report` prints them as the table in assets/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convlab.errors import ConvlabError
from convlab.datasets.faces import SIDE, held_out_faces, resize

__all__ = ["SELFIE_BACKGROUNDS", "texture_rate", "selfies", "selfie_rate", "photo_verdicts", "EYES", "BACKGROUND",
           "EyesTest", "eyes_versus_background", "p_face"]

# scikit-image photos with no face of a person or an animal in them: the selfies' backgrounds
SELFIE_BACKGROUNDS = ("coffee", "rocket", "motorcycle", "hubble deep field", "page", "coins", "moon", "clock",
                      "retina", "immunohistochemistry", "brick", "grass", "gravel")
CROPS = (25, 50, 100, 200, 400)          # crop sides (pixels of the 512×512 texture) for texture_rate


def p_face(model_or_name, images: np.ndarray) -> np.ndarray:
    """P(face) for fitted images (N, 1, 25, 25) in [0, 1]."""
    import torch

    from convlab.networks.bundled import as_classifier
    clf = as_classifier(model_or_name)
    if "face" not in clf.classes:
        raise ConvlabError(f"this model's classes are {', '.join(clf.classes)}: it has no class 'face'")
    p = next(clf.model.parameters())
    with torch.no_grad():
        out = clf.model.eval()(torch.from_numpy(clf.normalise(images)).to(p.device, p.dtype))     # (N, classes)
        return torch.softmax(out, 1)[:, clf.classes.index("face")].double().cpu().numpy()


def _fit(photo: np.ndarray, model_or_name) -> np.ndarray:
    from convlab.networks.bundled import as_classifier, fit_input
    return fit_input(photo, as_classifier(model_or_name))[0]


def texture_rate(model_or_name, name: str, n: int = 200, seed: int = 0) -> tuple[float, float]:
    """(share of n random square crops called a face, P(face) of the whole photo) for a texture photo.
    Crops are 25 to 400 pixels of the 512×512 original, each fitted to the model's input.

    >>> rate, whole = texture_rate("faces", "brick", n=20)
    >>> 0 <= rate <= 1 and 0 <= whole <= 1
    True
    """
    from convlab.datasets.photos import sample_image
    photo = sample_image(name, 512)
    rng = np.random.default_rng(seed)
    crops = []
    for _ in range(n):
        side = int(rng.choice(CROPS))
        r, c = rng.integers(0, photo.shape[0] - side + 1), rng.integers(0, photo.shape[1] - side + 1)
        crops.append(_fit(photo[r:r + side, c:c + side], model_or_name))
    whole = _fit(sample_image(name, 256), model_or_name)
    return float((p_face(model_or_name, np.stack(crops)) > 0.5).mean()), float(p_face(model_or_name, whole[None])[0])


def selfies(n: int = 200, seed: int = 0, frame: int = 100, face: bool = True) -> np.ndarray:
    """Selfie-framed composites (n, frame, frame, 3): a held-out LFW face filling 40–60 % of the side, a
    little off centre, on a crop of a scikit-image photo with no face in it. Photos, as a camera gives them.
    face=False: the same frames without the face (what a model that calls everything a face also "finds")."""
    from convlab.datasets.photos import sample_image
    faces = held_out_faces()
    backgrounds = [sample_image(b, 256) for b in SELFIE_BACKGROUNDS]
    rng = np.random.default_rng(seed)
    out = np.empty((n, frame, frame, 3), dtype=np.float32)
    for i in range(n):
        bg = backgrounds[rng.integers(len(backgrounds))]
        r, c = rng.integers(0, bg.shape[0] - frame + 1), rng.integers(0, bg.shape[1] - frame + 1)
        img = bg[r:r + frame, c:c + frame].mean(axis=2)
        s = int(rng.uniform(0.4, 0.6) * frame)
        top, left = ((frame - s) // 2 + rng.integers(-frame // 12, frame // 12 + 1, size=2))
        if face:
            img[top:top + s, left:left + s] = resize(faces[i % len(faces)], s, s)
        out[i] = img[..., None]
    return out


def selfie_rate(model_or_name, n: int = 200, seed: int = 0, face: bool = True) -> float:
    """The share of selfie-framed held-out faces (convlab.networks.face_checks.selfies) called a face; face=False:
    of the same frames with no face in them.

    >>> 0 <= selfie_rate("faces", n=10) <= 1
    True
    """
    fitted = np.stack([_fit(s, model_or_name) for s in selfies(n, seed, face=face)])
    return float((p_face(model_or_name, fitted) > 0.5).mean())


def photo_verdicts(model_or_name) -> dict[str, float]:
    """P(face) for every bundled scikit-image photo, as the sample picker gives it (256 px) and fitted."""
    from convlab.datasets.photos import SKIMAGE_PHOTOS, sample_image
    fitted = np.stack([_fit(sample_image(name, 256), model_or_name) for name in SKIMAGE_PHOTOS])
    return dict(zip(SKIMAGE_PHOTOS, (float(p) for p in p_face(model_or_name, fitted))))


# In LFW's alignment (25×25) the eyes sit in rows 6–10, columns 3–8 and 13–18 (the two dark spots of the mean
# face); the top corners are background. Both regions are two 5×6 patches: the same area.
EYES = ((6, 11, 3, 9), (6, 11, 13, 19))
BACKGROUND = ((0, 5, 0, 6), (0, 5, 19, 25))


@dataclass(frozen=True)
class EyesTest:
    """P(face) per face: as it is, with both eyes covered, and with the same area of background covered."""

    plain: np.ndarray
    eyes: np.ndarray
    background: np.ndarray

    def text(self) -> str:
        plain, eyes, background = self.plain.mean(), self.eyes.mean(), self.background.mean()
        verdict = ("the eyes matter far more than the background" if plain - eyes > 2 * abs(plain - background)
                   else "here the eyes do not matter more than the background")
        return (f"Covering both eyes (two 5×6 patches of the training mean) lowers P(face) from {plain:.0%} to "
                f"{eyes:.0%} on average over {len(self.plain)} held-out faces; covering the same area of background "
                f"(the top corners) gives {background:.0%}: {verdict}.")


def _cover(images: np.ndarray, boxes, value: np.ndarray) -> np.ndarray:
    out = images.copy()
    for r0, r1, c0, c1 in boxes:
        out[:, :, r0:r1, c0:c1] = value[None, :, None, None]
    return out


def eyes_versus_background(model_or_name, faces: np.ndarray | None = None) -> EyesTest:
    """Occlude both eyes, or the same area of background, with the training mean (as the occlusion maps do)
    and measure P(face). faces: (N, 25, 25) in [0, 1], aligned like LFW; default the 20 held-out ones.

    >>> t = eyes_versus_background("faces")
    >>> len(t.plain), bool(t.eyes.mean() < t.background.mean())
    (20, True)
    """
    from convlab.networks.bundled import as_classifier
    clf = as_classifier(model_or_name)
    x = np.asarray(held_out_faces() if faces is None else faces, dtype=np.float32)
    if x.ndim != 3 or x.shape[1:] != (SIDE, SIDE) or tuple(clf.input_shape) != (1, SIDE, SIDE):
        raise ConvlabError(f"faces must be (N, 25, 25) for a 1×25×25 model; got {x.shape} for {clf.input_shape}")
    x = x[:, None]                                                     # (N, 1, 25, 25)
    return EyesTest(p_face(clf, x), p_face(clf, _cover(x, EYES, clf.mean)), p_face(clf, _cover(x, BACKGROUND, clf.mean)))
