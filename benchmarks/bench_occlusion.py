"""convlab.occlusion against Captum's Occlusion at its best perturbations_per_eval, in one process.

    .venv/bin/python benchmarks/bench_occlusion.py

TinyVGG-shaped model (four 3×3 convs of 10 filters, two 2×2 max-pools, a linear layer), 2 torch
threads. Prints both times, the ratio (goal: ≥ 3× at 64×64 / window 8 / stride 4, ≥ 1.5× at 224×224 /
window 15 / stride 8) and whether the maps are identical (to 1e-5). Needs captum (requirements-dev.txt).
"""

from __future__ import annotations

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from captum.attr import Occlusion  # noqa: E402

import convlab  # noqa: E402
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from summary import record  # noqa: E402


def tinyvgg(side: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 10, 3, padding=1), nn.ReLU(), nn.Conv2d(10, 10, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(10, 10, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(10, 10, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(10 * (side // 4) ** 2, 10)).eval()


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    torch.set_num_threads(2)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"device: {device}")
    for side, window, stride in ((64, 8, 4), (224, 15, 8)):
        model = tinyvgg(side).to(device)
        image = torch.rand(3, side, side, generator=torch.Generator().manual_seed(0)).to(device)
        best = None
        for ppe in (16, 64, 256):                              # each setting: best of 2 runs, as for convlab
            t, want = min((timed(lambda: Occlusion(model).attribute(
                image[None], sliding_window_shapes=(3, window, window), strides=(3, stride, stride), baselines=0.0,
                target=3, perturbations_per_eval=ppe)) for _ in range(2)), key=lambda r: r[0])
            if best is None or t < best[0]:
                best = (t, ppe, want)
        ours, got = min((timed(lambda: convlab.occlusion(model, image, 3, window, stride)) for _ in range(2)),
                        key=lambda r: r[0])
        same = np.allclose(got, best[2][0, 0].cpu().numpy(), atol=1e-5)
        print(f"{side}×{side}, window {window}, stride {stride}: captum {best[0]:.3f} s (perturbations_per_eval="
              f"{best[1]}), convlab {ours:.3f} s, ratio {best[0] / ours:.2f}×, identical maps: {same}")
        record("occlusion", f"{side}², window {window}, stride {stride}", best[0] / ours, "Captum time / convlab time",
               f"convlab {ours:.3f} s, Captum {best[0]:.3f} s, maps identical: {same}")


if __name__ == "__main__":
    main()
