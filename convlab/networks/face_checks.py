"""Held-out checks of a faces model on real photos it never saw, and occluding the eyes against occluding
background. Every photo goes through convlab.fit_input, as on the pages.

The real-photo check (REAL_CHECK, the manifest assets/faces_heldout.json, built by build_manifest): crops of the
photos convlab.datasets.faces holds out of training (HELD_OUT_PHOTOS) and the 20 held-out LFW faces, in five groups:
- tight: the 20 held-out LFW faces, and 8 LFW-framed crops each of the two real portraits in the wheels
  (the astronaut, Grace Hopper), their boxes jittered in size (±10 %) and place (±6 % of the side);
- selfie (real): 12 crops each of the two portraits in which the face (the box from the eyebrows to the
  mouth, as a face detector draws it) fills 40–60 % of the side, anywhere it fits;
- selfie (pasted): each held-out LFW face pasted at 40–60 % of the side onto a crop of a held-out non-face
  photo, twice;
- photo: the 8 held-out photos without a face, whole (coffee, rocket, the cat, coins, the clock, both views
  of the motorcycle, scikit-learn's flower);
- scene: 15 random square crops of each of those photos, from 25 px to the whole height;
- background: 12 crops each of the two portraits that do not touch the face.
Every image is also read mirrored. That is 2 people in real photos and 20 in LFW crops: a small set, and
the rates below say so with their n. `python -m convlab faces-report` prints them as the table in
assets/README.md.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

import numpy as np

from convlab.errors import ConvlabError
from convlab.datasets.faces import HELD_OUT_PHOTOS, SIDE, face_split, held_out_faces, load_lfw, package_photo, resize

__all__ = ["SELFIE_BACKGROUNDS", "FACE_BOXES", "MANIFEST", "GROUPS", "build_manifest", "load_manifest",
           "manifest_images", "real_check", "RealCheck", "selfies", "selfie_rate", "photo_verdicts", "EYES",
           "BACKGROUND", "EyesTest", "eyes_versus_background", "p_face"]

# held-out photos with no face of a person in them (the cat's face is an animal's: not a face here)
SELFIE_BACKGROUNDS = ("coffee", "rocket", "chelsea (cat)", "coins", "clock", "motorcycle", "motorcycle (right view)",
                      "flower.jpg")
# (top, left, side) of the face in the full-size photo, from the eyebrows to the mouth (skimage's LBP cascade,
# skimage.feature.Cascade with the frontal-face file in its wheel, found these; kept as numbers)
FACE_BOXES = {"astronaut": (62, 187, 97), "grace hopper": (113, 168, 205)}
LFW_FRAMING = 1.25                   # an LFW crop's side over the face box's: forehead to chin, ear to ear
MANIFEST = pathlib.Path(__file__).resolve().parents[2] / "assets" / "faces_heldout.json"
GROUPS = ("tight", "selfie (real)", "selfie (pasted)", "photo", "scene", "background")
FACE_GROUPS = ("tight", "selfie (real)", "selfie (pasted)")


def _overlap(a, b) -> int:
    (t1, l1, s1), (t2, l2, s2) = a, b
    return max(0, min(t1 + s1, t2 + s2) - max(t1, t2)) * max(0, min(l1 + s1, l2 + s2) - max(l1, l2))


def build_manifest(seed: int = 0) -> list[dict]:
    """The real-photo check's entries (see the module's docstring), the same for the same seed. Each entry:
    group, photo (a PHOTOS name, or "lfw" with its index), box [top, left, side] (None: the whole photo),
    and for pasted selfies the LFW face and its own box inside the frame."""
    rng = np.random.default_rng(seed)
    out: list[dict] = []
    held, faces = face_split()[0], list(FACE_BOXES)
    for i in held:
        out.append({"group": "tight", "photo": "lfw", "index": int(i), "box": None})
    for name in faces:
        h, w = package_photo(name).shape
        top, left, side = FACE_BOXES[name]
        cy, cx, s0 = top + side / 2, left + side / 2, side * LFW_FRAMING
        for _ in range(8):
            s = int(round(s0 * rng.uniform(0.9, 1.1)))
            r = int(np.clip(round(cy - s / 2 + rng.uniform(-0.06, 0.06) * s), 0, h - s))
            c = int(np.clip(round(cx - s / 2 + rng.uniform(-0.06, 0.06) * s), 0, w - s))
            out.append({"group": "tight", "photo": name, "box": [r, c, s]})
    for name in faces:
        h, w = package_photo(name).shape
        top, left, side = FACE_BOXES[name]
        for _ in range(12):
            s = min(int(round(side / rng.uniform(0.4, 0.6))), h, w)
            r = int(rng.integers(max(0, top + side - s), min(top, h - s) + 1))
            c = int(rng.integers(max(0, left + side - s), min(left, w - s) + 1))
            out.append({"group": "selfie (real)", "photo": name, "box": [r, c, s]})
    for k in range(2 * len(held)):
        name = SELFIE_BACKGROUNDS[int(rng.integers(len(SELFIE_BACKGROUNDS)))]
        h, w = package_photo(name).shape
        s = int(rng.integers(100, min(h, w, 300) + 1))
        r, c = int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1))
        f = int(round(s * rng.uniform(0.4, 0.6)))
        fr, fc = (int(rng.integers(max(0, (s - f) // 2 - s // 10), min(s - f, (s - f) // 2 + s // 10) + 1))
                  for _ in range(2))
        out.append({"group": "selfie (pasted)", "photo": name, "box": [r, c, s], "index": int(held[k % len(held)]),
                    "face": [fr, fc, f]})
    for name in SELFIE_BACKGROUNDS:
        out.append({"group": "photo", "photo": name, "box": None})
    for name in SELFIE_BACKGROUNDS:
        h, w = package_photo(name).shape
        for _ in range(15):
            s = int(min(h, w) * rng.uniform(0.0, 1.0) ** 1.5) + SIDE
            s = min(s, h, w)
            out.append({"group": "scene", "photo": name,
                        "box": [int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1)), s]})
    for name in faces:
        h, w = package_photo(name).shape
        top, left, side = FACE_BOXES[name]
        grown = (top - side // 2, left - side // 2, 2 * side)           # the face with a margin: hair, ears
        found = 0
        while found < 12:
            s = int(rng.integers(40, min(h, w) // 2 + 1))
            box = (int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1)), s)
            if _overlap(box, grown) == 0:
                out.append({"group": "background", "photo": name, "box": list(box)})
                found += 1
    return out


def load_manifest(path: pathlib.Path | str = MANIFEST) -> list[dict]:
    """The committed manifest (a JSON list of build_manifest's entries); every photo in it is held out of training."""
    entries = json.loads(pathlib.Path(path).read_text())
    for e in entries:
        if e["group"] not in GROUPS or (e["photo"] != "lfw" and e["photo"] not in HELD_OUT_PHOTOS):
            raise ConvlabError(f"manifest entry {e} is not a held-out photo in a known group")
    return entries


def manifest_images(entries: list[dict]) -> np.ndarray:
    """Each entry as a photo crop (grey, repeated to 3 channels) fitted to 1×25×25 as the pages fit it: (N, 1, 25, 25)."""
    from convlab.images.load import fit_to_input
    lfw, photos, out = load_lfw()[0], {}, []
    for e in entries:
        if e["photo"] == "lfw" and e["box"] is None:
            out.append(lfw[e["index"]][None])
            continue
        if e["photo"] not in photos:                        # each photo decoded once, not once per entry
            photos[e["photo"]] = package_photo(e["photo"])
        img = photos[e["photo"]]
        if e["box"] is not None:
            r, c, s = e["box"]
            img = img[r:r + s, c:c + s]
        img = img.copy()                                    # a face is pasted into it: never into the shared photo
        if "face" in e:
            fr, fc, f = e["face"]
            img[fr:fr + f, fc:fc + f] = resize(lfw[e["index"]], f, f)
        out.append(fit_to_input(np.repeat(img[..., None], 3, axis=2), (1, SIDE, SIDE)))
    return np.stack(out).astype(np.float32)


@dataclass(frozen=True)
class RealCheck:
    """Per group: n, the share called a face (mirror-averaged, as predict reads a photo), the share whose
    verdict stays the same mirrored, and the same two without the averaging (the bare network)."""

    rows: dict[str, tuple[int, float, float, float, float]]

    def rate(self, group: str) -> float:
        return self.rows[group][1]

    def table(self) -> str:
        lines = ["| group | n | called a face | same verdict mirrored | bare network (no mirror averaging): "
                 "called a face | bare: same verdict mirrored |", "|---|---|---|---|---|---|"]
        for g, (n, rate, agree, raw, raw_agree) in self.rows.items():
            lines.append(f"| {g} | {n} | {rate:.1%} | {agree:.1%} | {raw:.1%} | {raw_agree:.1%} |")
        return "\n".join(lines)


def real_check(model_or_name, entries: list[dict] | None = None) -> RealCheck:
    """The three rates (tight faces, selfie-framed faces, non-faces called a face) and mirror agreement on the
    held-out manifest; each image and its mirror count as two images, as in issue 25's table.

    >>> c = real_check("faces")
    >>> sorted(c.rows)[:2], c.rows["tight"][0]
    (['background', 'non-faces: all'], 72)
    """
    from dataclasses import replace

    from convlab.networks.bundled import as_classifier
    clf = as_classifier(model_or_name)
    entries = load_manifest() if entries is None else entries
    x = manifest_images(entries)
    both = np.concatenate([x, x[..., ::-1]])
    groups = np.array([e["group"] for e in entries] * 2)
    said = p_face(clf, both) > 0.5
    bare = p_face(replace(clf, mirror=False), both) > 0.5
    n = len(x)
    merged = {"selfie: all": ("selfie (real)", "selfie (pasted)"), "non-faces: all": ("photo", "scene", "background")}
    rows = {}
    for g in (*GROUPS[:3], "selfie: all", *GROUPS[3:], "non-faces: all"):
        keep = np.isin(groups, merged.get(g, (g,)))
        half = keep[:n]
        rows[g] = (int(keep.sum()), float(said[keep].mean()), float((said[:n] == said[n:])[half].mean()),
                   float(bare[keep].mean()), float((bare[:n] == bare[n:])[half].mean()))
    return RealCheck(rows)


def p_face(model_or_name, images: np.ndarray) -> np.ndarray:
    """P(face) for fitted images (N, 1, 25, 25) in [0, 1]."""
    import torch

    from convlab.networks.bundled import as_classifier, logits
    clf = as_classifier(model_or_name)
    if "face" not in clf.classes:
        raise ConvlabError(f"this model's classes are {', '.join(clf.classes)}: it has no class 'face'")
    with torch.no_grad():
        out = logits(clf, clf.normalise(images))                       # (N, classes), mirror-averaged if clf.mirror
        return torch.softmax(out, 1)[:, clf.classes.index("face")].double().cpu().numpy()


def _fit(photo: np.ndarray, model_or_name) -> np.ndarray:
    from convlab.networks.bundled import as_classifier, fit_input
    return fit_input(photo, as_classifier(model_or_name))[0]


def selfies(n: int = 200, seed: int = 0, frame: int = 100, face: bool = True) -> np.ndarray:
    """Selfie-framed composites (n, frame, frame, 3): a held-out LFW face filling 40–60 % of the side, a
    little off centre, on a crop of a scikit-image photo with no face in it. Photos, as a camera gives them.
    face=False: the same frames without the face (what a model that calls everything a face also "finds")."""
    faces = held_out_faces()
    backgrounds = [np.repeat(resize(g, 256 * g.shape[0] // max(g.shape), 256 * g.shape[1] // max(g.shape))[..., None],
                             3, axis=2) for g in (package_photo(b) for b in SELFIE_BACKGROUNDS)]
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
    """P(face) for every photo in the wheels (convlab.datasets.faces.PHOTOS), whole, fitted as the pages fit a photo."""
    from convlab.datasets.faces import PHOTOS
    fitted = np.stack([_fit(np.repeat(package_photo(name)[..., None], 3, axis=2), model_or_name) for name in PHOTOS])
    return dict(zip(PHOTOS, (float(p) for p in p_face(model_or_name, fitted))))


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
