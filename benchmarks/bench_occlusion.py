"""convlab.occlusion against Captum's Occlusion at its best perturbations_per_eval, in one process.

    .venv/bin/python benchmarks/bench_occlusion.py [--threads 2] [--repeat 5] [--sizes 64,224,63]

TinyVGG-shaped model (four 3×3 convs of 10 filters, two 2×2 max-pools, a linear layer), 2 torch
threads. Prints both times, the ratio (goal: ≥ 3× at 64×64 / window 8 / stride 4, ≥ 1.5× at 224×224 /
window 15 / stride 8) and whether the maps are identical (to 1e-5). Needs captum (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
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
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2, help="torch threads (the app's pool gives each job its share)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each tool; the fastest counts")
    ap.add_argument("--sizes", default="64,224,63", help="which cases (image sides) to run, e.g. 64,63")
    args = ap.parse_args()
    repeat, sizes = args.repeat, {int(v) for v in args.sizes.split(",")}
    torch.set_num_threads(args.threads)
    print(f"torch threads: {args.threads}")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"device: {device}")
    for side, window, stride in ((64, 8, 4), (224, 15, 8), (63, 7, 3)):       # the last: an odd size
        if side not in sizes:
            continue
        model = tinyvgg(side).to(device)
        image = torch.rand(3, side, side, generator=torch.Generator().manual_seed(0)).to(device)
        # best of --repeat runs each, the two tools interleaved (a busy machine slows both alike), Captum at each
        # perturbations_per_eval and its best one kept
        cap = {ppe: (float("inf"), None) for ppe in (16, 64, 256)}
        ours, got = float("inf"), None
        for _ in range(repeat):
            for ppe in cap:
                t, want = timed(lambda: Occlusion(model).attribute(
                    image[None], sliding_window_shapes=(3, window, window), strides=(3, stride, stride),
                    baselines=0.0, target=3, perturbations_per_eval=ppe))
                cap[ppe] = min(cap[ppe], (t, want), key=lambda r: r[0])
            t, got_now = timed(lambda: convlab.occlusion(model, image, 3, window, stride))
            if t < ours:
                ours, got = t, got_now
        ppe = min(cap, key=lambda k: cap[k][0])
        best = (cap[ppe][0], ppe, cap[ppe][1])
        same = np.allclose(got, best[2][0, 0].cpu().numpy(), atol=1e-5)
        print(f"{side}×{side}, window {window}, stride {stride}: captum {best[0]:.3f} s (perturbations_per_eval="
              f"{best[1]}), convlab {ours:.3f} s, ratio {best[0] / ours:.2f}×, identical maps: {same}")
        record("occlusion", f"{side}², window {window}, stride {stride}", best[0] / ours, "Captum time / convlab time",
               f"convlab {ours:.3f} s, Captum {best[0]:.3f} s, maps identical: {same}")


if __name__ == "__main__":
    main()
