"""The lesson view's JS unit tests (tests/js/view.test.mjs: number formatting against Python's, the table of
kinds), run with node's built-in test runner. scripts/test.sh lints the same files with eslint."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

from needs import missing

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_view_core_and_kind_table_in_node():
    node = shutil.which("node")
    if node is None:
        missing("node is needed on CI for the lesson view's JS tests",
                "node is not installed (the lesson view's JS unit tests need Node 20+)")
    done = subprocess.run([node, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHON": sys.executable})
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout and "# pass 4" in done.stdout


def test_the_components_module_drops_only_whole_line_comments():
    """component_js() leaves out lines that start with //, blank lines and indentation (it is sent with every view
    of a page): safe only while no template literal spans lines, so every line has an even number of backticks;
    every code line stays, in order, without its leading and trailing spaces."""
    from convlab.view import component_js, view_js
    full = view_js().split("\n")
    assert all(line.count("`") % 2 == 0 for line in full)
    kept = component_js().split("\n")
    assert not [line for line in kept if line.startswith("//") or line != line.strip()]
    assert [line.strip() for line in full if line.strip() and not line.lstrip().startswith("//")] == kept[:-2]
    assert kept[-2:] == ["export default lessonView;", ""]
