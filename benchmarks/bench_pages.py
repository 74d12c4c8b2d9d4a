"""The server's own cost per interaction on each page, as a ratio to a bare Streamlit page, in one run.

    .venv/bin/python benchmarks/bench_pages.py                      # this checkout, all 29 pages
    .venv/bin/python benchmarks/bench_pages.py --old /tmp/convlab-old    # and an older checkout, in the same run
    .venv/bin/python benchmarks/bench_pages.py --pages audio,variants   # only these pages (by url path)
    # e.g. git archive <commit> | tar -x -C /tmp/convlab-old (it is measured in a process of its own)

Each of the 29 pages is opened with AppTest and rerun (the median of --repeat runs is kept): "open" is a rerun of
the page at its defaults, "change" alternates one parameter of the page (CHANGES: every page has one) between
two values (both cached after the
first time, as for a class that mostly shares the defaults). Like the real server, all runs share one compiled
script cache (AppTest alone would recompile every page on every run), and every run starts at app.py's st.navigation
(AppTest alone forgets on every run that the app has run st.navigation, so each run went through Streamlit's legacy
pages/ folder: pages/<url>.py handing over to app.py, compiled again, as only a server's very first session does).
Nothing is timed until the server's background warm-up (ui/warmup.py, once per process after its start) has
finished: it ran beside the first pages' measurements and took their time (2D convolution: 41 ms open, 20 ms a change).
The peer is a one-line page (st.write) run the same way. Also printed: what the page sends to the browser
(Plotly figures and lesson views).

Stepping, hovering and clicking in a lesson view cost the server nothing; the step it reports once the stepping
pauses is one rerun like "open".
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

# the checkout whose pages are measured: this one, or an older one (--old runs this script again for it)
ROOT = pathlib.Path(os.environ.get("CONVLAB_BENCH_ROOT") or pathlib.Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest, app_test, local_script_runner  # noqa: E402

from summary import record  # noqa: E402

# one parameter per page that a student changes first: (widget kind, key, two values)
CHANGES = {
    "": ("number_input", "s", 2, 3),
    "conv1d": ("number_input", "c1_stride", 2, 1),
    "conv2d": ("number_input", "c2_stride", 2, 1),
    "padding": ("number_input", "pd_s", 2, 3),
    "pooling": ("number_input", "pl_size", 3, 2),
    "matrix": ("number_input", "mx_stride", 2, 1),
    "backward": ("number_input", "bw_stride", 2, 1),
    "why": ("number_input", "wy_dil", 3, 2),
    "variants": ("number_input", "vr_k", 2, 3),
    "conv3d": ("number_input", "c3_depth", 4, 5),
    "dna": ("number_input", "dn_mutations", 1, 0),
    "audio": ("number_input", "au_example", 1, 2),
    "causal": ("number_input", "cz_dilation", 2, 1),
    "features": ("selectbox", "fm_act", "none", "relu"),
    "layers": ("radio", "nw_model", "shapes", "faces"),
    "occlusion": ("number_input", "oc_window", 3, 2),
    "patches": ("number_input", "tp_unit", 1, 2),
    "find-faces": ("slider", "ff_smallest", 40, 27),
    "featvis": ("slider", "fv_steps", 50, 60),
    "style": ("slider", "st_steps", 50, 60),
    "training": ("selectbox", "tr_optimizer", "sgd", "adam"),
    "batchnorm": ("number_input", "bn_seed", 1, 0),
    "dropout": ("number_input", "dp_n", 3, 4),
    "activations": ("select_slider", "ac_x", 1.0, 2.0),
    "init": ("slider", "in_depth", 6, 8),
    "optimizers": ("slider", "op_steps", 50, 60),
    "mlp-vs-cnn": ("number_input", "mc_image", 1, 2),
    "exercises": ("radio", "ex_level", 2, 1),
    "teacher": ("checkbox", "tc_projector", True, False),
    "dashboard": ("text_input", "db_key", "abcd-efgh", "ijkl-mnop"),
}
TARGET_MS = 30             # DESIGN.md: server cost per page open or parameter change, median
LESSONS = ("conv1d", "conv2d", "padding", "pooling", "matrix", "backward", "why")


def share_script_cache() -> None:
    """Compile each script once for every AppTest, as the server's ScriptCache does across reruns; and run app.py
    as a server does once st.navigation has run in it (AppTest resets that flag before every run)."""
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared

    class ServerPages(PagesManager):
        def __init__(self, *args, **kwargs):
            PagesManager.uses_pages_directory = False     # what app.py's st.navigation sets, for the whole process
            super().__init__(*args, **kwargs)
    app_test.PagesManager = ServerPages


def wait_for_warm_up(timeout: float = 300) -> None:
    """Wait for the background warm-up that the first run of app.py started (if this checkout has one)."""
    try:
        from ui.warmup import done
    except ImportError:
        return
    if not done.wait(timeout):
        print(f"the warm-up did not finish in {timeout:.0f} s; measuring anyway", file=sys.stderr)


CPU: dict[str, float] = {}      # the last median_ms's median CPU time of this process (the script's thread and AppTest's)


def median_ms(run, repeat: int) -> float:
    """Median wall time of run() in ms; the median CPU time goes to CPU["ms"] (steadier on a shared machine: the
    other processes' load stretches the wall time, much less this process's own CPU time)."""
    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU["ms"] = statistics.median(cpu) * 1e3
    return statistics.median(times) * 1e3


def sent_kib(at: AppTest) -> float:
    charts = sum(len(c.proto.spec) for c in at.get("plotly_chart"))
    views = sum(v.proto.ByteSize() for v in at.get("bidi_component"))
    return (charts + views) / 1024


def measure(root: pathlib.Path, path: str, url: str, repeat: int) -> dict:
    """Open the page, then rerun it at its defaults and with its first parameter changed."""
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60).run()
    at.switch_page(f"pages/{path}").run()
    at.run()
    result = {"open": median_ms(at.run, repeat), "open_cpu": CPU["ms"], "kib": sent_kib(at)}
    if url in CHANGES:
        kind, key, a, b = CHANGES[url]
        values = iter([a, b] * repeat)

        def change():
            getattr(at, kind)(key=key).set_value(next(values))
            at.run()
        try:
            change(), change()                                # both values cached, as after the first students
            result["change"] = median_ms(change, repeat)
            result["change_cpu"] = CPU["ms"]
        except Exception as err:                              # noqa: BLE001  said in the table, the rest goes on
            print(f"{url}: changing {key} failed: {type(err).__name__}: {err}", file=sys.stderr)
        if at.exception:
            print(f"{url}: the page raised {at.exception}", file=sys.stderr)
    return result


def pages(root: pathlib.Path) -> list[tuple[str, str, str]]:
    """(path, title, url) of a checkout's pages, read from its own ui/registry.py (or the older registry)."""
    for registry in ("ui/registry.py", "convlab/registry.py"):
        file = root / registry
        if file.exists():
            scope: dict = {}
            exec(compile(file.read_text(), str(file), "exec"), scope)             # noqa: S102  a checkout's own list
            return [(path, title, url) for _, path, title, _, url in scope["PAGES"]]
    raise SystemExit(f"no page registry in {root}")


def measure_all(root: pathlib.Path, repeat: int, lessons: bool, only: tuple = ()) -> dict[str, dict]:
    AppTest.from_file(str(root / "app.py"), default_timeout=60).run()      # starts the warm-up
    wait_for_warm_up()
    return {url: {"title": title, **measure(root, path, url, repeat)}
            for path, title, url in pages(root) if (not lessons or url in LESSONS) and (not only or url in only)}


def measure_old(old: pathlib.Path, repeat: int, lessons: bool, only: tuple = ()) -> dict[str, dict]:
    """The older checkout in a process of its own: both have packages named ui and convlab."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        env = {**os.environ, "CONVLAB_BENCH_ROOT": str(old.resolve()), "CONVLAB_BENCH_SUMMARY": ""}
        cmd = [sys.executable, __file__, "--json", out.name, "--repeat", str(repeat)] + (["--lessons"] if lessons else [])
        cmd += ["--pages", ",".join(only)] if only else []
        subprocess.run(cmd, cwd=old, env=env, check=True, stdout=subprocess.DEVNULL)
        return json.load(open(out.name))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=pathlib.Path, help="another checkout (e.g. git archive of a commit) to measure too")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--lessons", action="store_true", help="only the sliding-window lesson pages")
    ap.add_argument("--json", help="write the measurements to this file (what --old reads)")
    ap.add_argument("--pages", default="", help="only these pages, by url path, comma-separated (home is 'home')")
    args = ap.parse_args(argv)
    share_script_cache()
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as bare:
        bare.write("import streamlit as st\nst.write('hello')\n")
    peer = AppTest.from_file(bare.name, default_timeout=60).run()
    base = median_ms(peer.run, args.repeat)
    base_cpu = CPU["ms"]
    only = tuple("" if u == "home" else u for u in args.pages.split(",") if u.strip()) if args.pages else ()
    new = measure_all(ROOT, args.repeat, args.lessons, only)
    if args.json:
        json.dump(new, open(args.json, "w"))
        return
    old = measure_old(args.old, args.repeat, args.lessons, only) if args.old else {}
    print(f"bare page: {base:.1f} ms per rerun, {base_cpu:.1f} ms CPU (median of {args.repeat})")
    over = [m["title"] for m in new.values() if max(m["open"], m.get("change", 0)) > TARGET_MS]
    head = f"{'page':<36}{'open':>9}{'ratio':>8}{'change':>9}{'sends':>10}{'≤30 ms':>8}"
    print(head + (f"{'old open':>10}{'old change':>11}{'new/old':>9}" if old else ""))
    for url, m in new.items():
        nan = float("nan")
        ok = "yes" if max(m["open"], m.get("change", 0)) <= TARGET_MS else "OVER"
        line = (f"{m['title'][:35]:<36}{m['open']:>7.1f}ms{m['open'] / base:>7.1f}×{m.get('change', nan):>7.1f}ms"
                f"{m['kib']:>7.0f} KiB{ok:>8}")
        detail = f"open {m['open']:.0f} ms" + (f", change a parameter {m['change']:.0f} ms" if "change" in m else "")
        detail += f", sends {m['kib']:.0f} KiB"
        if url in old:
            was = old[url]
            ratio = m["open"] / was["open"]
            line += f"{was['open']:>8.1f}ms{was.get('change', nan):>9.1f}ms{ratio:>8.2f}×"
            if "open_cpu" in was:
                line += f"   cpu new/old: open {m['open_cpu']:.1f}/{was['open_cpu']:.1f} ms"
                line += f", change {m.get('change_cpu', nan):.1f}/{was.get('change_cpu', nan):.1f} ms"
        else:
            line += f"   cpu: open {m['open_cpu']:.1f} ms, change {m.get('change_cpu', nan):.1f} ms"
            detail += f"; old code: open {was['open']:.0f} ms" + (f", change {was['change']:.0f} ms" if "change" in was else "")
            record("pages", f"{m['title']}: new vs old", ratio, "server time per rerun, new / old (same run)", detail)
        print(line)
        record("pages", m["title"], m["open"] / base, "rerun time / a bare page's", detail)
    print(f"{len(new)} pages; over {TARGET_MS} ms median (open or change): {', '.join(over) if over else 'none'}")


if __name__ == "__main__":
    main()
