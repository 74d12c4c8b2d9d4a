"""Speed of convlab's core against torch.nn.functional, in one run, as ratios.

    .venv/bin/python benchmarks/bench_core.py

Each line times convlab and its torch peer on the same input (best of several runs)
and prints convlab/torch. Both run float64 on the CPU with torch limited to the
same thread count, so the ratio says how much the readable numpy reference costs.
conv_matrix has no torch peer: it is compared with one conv2d on the same input,
which is the work a student waits for anyway.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import convlab  # noqa: E402
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from summary import record  # noqa: E402


def best(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    img, img1 = rng.random((3, 224, 224)), rng.random((224, 224))
    w, w1 = rng.normal(size=(16, 3, 3, 3)), rng.normal(size=(3, 3))
    small, wsmall = rng.normal(size=(2, 8, 8)), rng.normal(size=(3, 2, 3, 3))
    t = lambda a: torch.tensor(a)[None]          # noqa: E731
    y = convlab.conv2d(img, w, padding=1)
    rows = [
        ("conv2d 3×224×224, 16 filters 3×3", lambda: convlab.conv2d(img, w, padding=1),
         lambda: F.conv2d(t(img), torch.tensor(w), padding=1)),
        ("conv2d 2×8×8 (lesson size)", lambda: convlab.conv2d(small, wsmall, padding="same"),
         lambda: F.conv2d(t(small), torch.tensor(wsmall), padding="same")),
        ("im2col 3×224×224, 3×3", lambda: convlab.im2col(img, 3, padding=1),
         lambda: F.unfold(t(img), 3, padding=1)),
        ("col2im 3×224×224, 3×3", lambda: convlab.col2im(convlab.im2col(img, 3), img.shape, 3),
         lambda: F.fold(F.unfold(t(img), 3), (224, 224), 3)),
        ("max pool 16×224×224, 2×2", lambda: convlab.pool2d(y, 2), lambda: F.max_pool2d(t(y), 2)),
        ("conv_transpose2d 16→3, 3×3, stride 2", lambda: convlab.conv_transpose2d(y[:, ::2, ::2], w, stride=2),
         lambda: F.conv_transpose2d(t(y[:, ::2, ::2]), torch.tensor(w), stride=2)),
        ("conv_matrix 224×224, 3×3 (sparse) vs one conv2d", lambda: convlab.conv_matrix((224, 224), w1),
         lambda: F.conv2d(t(img1)[None], torch.tensor(w1)[None, None])),
    ]
    print(f"{'operation':<52}{'convlab':>12}{'torch':>12}{'ratio':>9}")
    for name, ours, peer in rows:
        a, b = best(ours, args.repeat), best(peer, args.repeat)
        print(f"{name:<52}{a * 1e3:>10.2f}ms{b * 1e3:>10.2f}ms{a / b:>8.1f}×")
        record("core", name, a / b, "convlab time / torch time", f"{a * 1e3:.2f} ms vs {b * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
