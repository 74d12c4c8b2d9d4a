import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (ROOT, os.path.dirname(os.path.abspath(__file__))):
    if path not in sys.path:
        sys.path.insert(0, path)

import torch  # noqa: E402

torch.set_num_threads(1)   # tiny tensors: threads only add overhead, and CI has 2 cores

# How many random configurations each torch-comparison test draws (seeds 0..CASES-1).
CASES = int(os.environ.get("CONVLAB_RANDOM_CASES", "300"))


def cases(make_case, n: int = CASES):
    """Yield (seed, case) for seeds 0..n-1; put the seed in assertion messages to reproduce a failure."""
    for seed in range(n):
        yield seed, make_case(np.random.default_rng(seed))


def valid_cases(make_case, fn, n: int = CASES):
    """Like cases(), skipping configurations fn refuses (kernel larger than the padded input)."""
    from convlab import ConvlabError
    for seed, case in cases(make_case, n):
        try:
            fn(**case)
        except ConvlabError:
            continue
        yield seed, case
