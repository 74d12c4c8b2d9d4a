"""Before/after of convlab.occlusion's two helpers in one process, interleaved (a busy machine slows both alike).

    .venv/bin/python benchmarks/ab_occlusion.py [--threads 1] [--repeat 15]

"before": each pixel's mean drop by a Python loop over the positions and crops by a stack of slices (the code
before commit "Occlusion: each pixel's mean drop from two small matrix products"); "after": the current code.
Same TinyVGG model and cases as bench_occlusion.py; prints the best time of each and the ratio.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import convlab  # noqa: E402
from bench_occlusion import tinyvgg  # noqa: E402
from convlab.images.explain import occlusion as attribution  # noqa: E402
from convlab.images.explain import incremental as _incremental  # noqa: E402


def loop_pixel_map(drop, positions, window, hw):
    total = torch.zeros(hw, dtype=drop.dtype, device=drop.device)
    count = torch.zeros_like(total)
    for d, (r, c) in zip(drop, positions):
        total[r:r + window[0], c:c + window[1]] += d
        count[r:r + window[0], c:c + window[1]] += 1
    return (total / count).cpu().numpy()


def stack_take(t, rows, cols, size):
    h, w = size
    return torch.stack([t[..., r:r + h, c:c + w] for r, c in zip(rows, cols)])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    after = (attribution._pixel_map, _incremental._take)
    before = (loop_pixel_map, stack_take)
    for side, window, stride in ((64, 8, 4), (63, 7, 3), (224, 15, 8)):
        model = tinyvgg(side)
        image = torch.rand(3, side, side, generator=torch.Generator().manual_seed(0))
        best = {"before": float("inf"), "after": float("inf")}
        maps = {}
        for _ in range(args.repeat if side < 100 else max(3, args.repeat // 5)):
            for name, (pixel_map, take) in (("before", before), ("after", after)):
                attribution._pixel_map, _incremental._take = pixel_map, take
                t0 = time.perf_counter()
                maps[name] = convlab.occlusion(model, image, 3, window, stride)
                best[name] = min(best[name], time.perf_counter() - t0)
        attribution._pixel_map, _incremental._take = after
        # the pixel map alone (µs-scale, best of many: steadier than whole runs on a busy machine)
        positions = attribution.occlusion_positions((side, side), (window, window), (stride, stride))
        drop = torch.rand(len(positions))
        alone = {}
        for name, pixel_map in (("before", loop_pixel_map), ("after", attribution._pixel_map)):
            runs = []
            for _ in range(50):
                t0 = time.perf_counter()
                pixel_map(drop, positions, (window, window), (side, side))
                runs.append(time.perf_counter() - t0)
            alone[name] = min(runs)
        alone_line = (f"  pixel map of {len(positions)} positions alone: before {alone['before']*1e3:.2f} ms, "
                      f"after {alone['after']*1e3:.2f} ms")
        same = np.allclose(maps["before"], maps["after"], atol=1e-6)
        print(f"{side}×{side}, window {window}, stride {stride}, {args.threads} thread(s): before {best['before']*1e3:.1f} ms, "
              f"after {best['after']*1e3:.1f} ms, speed-up {best['before'] / best['after']:.2f}×, same maps: {same}")
        print(alone_line)


if __name__ == "__main__":
    main()
