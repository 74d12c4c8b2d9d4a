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


def test_the_components_module_drops_only_comments_blank_lines_and_indentation(tmp_path):
    """component_js() leaves out lines that start with //, blank lines, indentation, and trailing comments without a
    quote in them (it is sent with every view of a page): safe only while no template literal spans lines, so every
    line has an even number of backticks; every code line stays, in order, whole but for those; and node parses it."""
    import re

    from convlab.view import component_js, view_js
    full = view_js().split("\n")
    assert all(line.count("`") % 2 == 0 for line in full)
    kept = component_js().split("\n")
    assert not [line for line in kept if line.startswith("//") or line != line.strip()]
    code = [line.strip() for line in full if line.strip() and not line.lstrip().startswith("//")]
    assert len(code) == len(kept) - 2
    for whole, sent in zip(code, kept):
        assert whole == sent or (whole.startswith(sent) and re.fullmatch(r"\s{2,}// [^\"'`]*", whole[len(sent):])), \
            (whole, sent)
    assert kept[-2:] == ["export default lessonView;", ""]
    node = shutil.which("node")
    if node is not None:
        module = tmp_path / "view.mjs"
        module.write_text(component_js())
        done = subprocess.run([node, "--check", str(module)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
