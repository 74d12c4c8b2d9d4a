"""Server time of each page's default view, as a ratio to a bare Streamlit page, in one run.

    .venv/bin/python benchmarks/bench_pages.py

Each page is opened with AppTest, then rerun several times (best time kept); the peer
is a one-line page (st.write) run the same way, so the ratio is the cost of the page's
own work. The figure payload sent to the browser is printed too (budget: 2 MB).
"""

from __future__ import annotations

import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.registry import PAGES  # noqa: E402
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from summary import record  # noqa: E402


def best_rerun(at: AppTest, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as bare:
        bare.write("import streamlit as st\nst.write('hello')\n")
    peer = AppTest.from_file(bare.name, default_timeout=60).run()
    base = best_rerun(peer)
    print(f"bare page: {base * 1e3:.1f} ms per rerun")
    print(f"{'page':<34}{'rerun':>10}{'ratio':>8}{'payload':>12}")
    for _, path, title, _, _ in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.switch_page(f"pages/{path}").run()
        t = best_rerun(at)
        payload = sum(len(c.proto.spec) for c in at.get("plotly_chart"))
        print(f"{title:<34}{t * 1e3:>8.1f}ms{t / base:>7.1f}×{payload / 1024:>9.0f} KiB")
        record("pages", title, t / base, "rerun time / a bare page's", f"{t * 1e3:.0f} ms, figures {payload / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
