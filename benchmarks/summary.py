"""One row per comparison for `python -m convlab bench`'s closing table (a JSON line per row).

A benchmark script calls record(...) after printing its own line; nothing is written unless the
CONVLAB_BENCH_SUMMARY environment variable names a file (convlab bench sets it)."""

import json
import os


def record(bench: str, case: str, ratio: float, meaning: str, detail: str = "") -> None:
    path = os.environ.get("CONVLAB_BENCH_SUMMARY")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"bench": bench, "case": case, "ratio": ratio, "meaning": meaning,
                                "detail": detail}) + "\n")
