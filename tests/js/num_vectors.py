"""Numbers and how convlab writes them (convlab._core.format.num), as JSON for the JS formatting test
(tests/js/view.test.mjs): seeded random values over many magnitudes, and the edge cases."""

import json
import math
import random
import sys

from convlab._core.format import num


def vectors(n: int = 3000, seed: int = 0) -> list:
    rng = random.Random(seed)
    values = [0.0, -0.0, 1.0, -2.0, 0.5, 0.12345, 0.00012345, 123456.0, 1e15, 1e16, -1e-5, 2.5e-7, 99999.5, 0.99995,
              1.00005, 12345.5, 0.1 + 0.2, 1 / 3, -2 / 3, math.pi, 1e300, 5e-324, 7.0, 1234567.0, 0.0001, 0.00001]
    for _ in range(n):
        e = rng.uniform(-9, 17)
        v = rng.choice([1, -1]) * 10 ** e
        values.append(rng.choice([v, round(v, rng.randint(0, 6)), float(int(v)) if abs(v) < 1e15 else v]))
    return [[v, num(v)] for v in values]


if __name__ == "__main__":
    json.dump(vectors(), sys.stdout)
