"""The static site (`python -m convlab site OUT/`): its lesson map matches the app's pages, every lesson page carries
its examples' documents (checked against convlab), and the files stay small (the browser side is
tests/browser/test_site.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

import convlab
from convlab.view.site import APP_PAGES, LESSONS, build_site
from ui.registry import PAGES

MAX_PAGE_BYTES = 200_000            # one lesson page with all its examples
MAX_SITE_BYTES = 1_000_000          # the whole site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(out, "https://app.example")
    return out


def examples_of(page: str) -> list:
    return json.loads(re.search(r'<script type="application/json" id="examples">(.*?)</script>', page, re.S).group(1))


def test_the_map_is_the_apps_menu():
    assert APP_PAGES == [(group, title, url) for group, _, title, _, url in PAGES]


def test_every_lesson_page_and_the_map_are_written_small(site):
    names = sorted(p.name for p in site.iterdir())
    assert names == sorted(["index.html", "view.js", "view.css", *(f"{lesson.slug}.html" for lesson in LESSONS)])
    total = sum(p.stat().st_size for p in site.iterdir())
    assert total < MAX_SITE_BYTES
    for lesson in LESSONS:
        page = (site / f"{lesson.slug}.html").read_text(encoding="utf-8")
        assert len(page.encode()) < MAX_PAGE_BYTES, lesson.slug
        assert [e["name"] for e in examples_of(page)] == list(lesson.examples)
        assert f'href="https://app.example/{lesson.slug}"' in page
    index = (site / "index.html").read_text(encoding="utf-8")
    for _, title, url in APP_PAGES[1:]:
        assert f"https://app.example/{url}" in index and title in index
    # nothing outside the site is loaded: every src/href of a resource is relative, and the CSP says 'self'
    for p in site.glob("*.html"):
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"(?:src|rel=\"stylesheet\" href)=\"(?:https?:)?//", text)
        assert "default-src 'self'" in text


def test_the_examples_are_convlabs_numbers(site):
    conv2d = examples_of((site / "conv2d.html").read_text(encoding="utf-8"))
    seed000 = conv2d[0]["views"][0][1]
    x = np.array([[1, 2, 4, 3], [5, 6, 8, 7], [9, 10, 12, 11], [13, 14, 16, 2]], dtype=float)
    want = convlab.conv2d(x, [[1, -2], [-3, 4]])
    assert seed000["y"]["v"] == want.ravel().tolist()
    pool = examples_of((site / "pooling.html").read_text(encoding="utf-8"))[1]["views"][0][1]
    px = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)
    assert pool["mode"] == "avg" and pool["y"]["v"] == convlab.pool2d(px, 2, mode="avg").ravel().tolist()
    backward = examples_of((site / "backward.html").read_text(encoding="utf-8"))[0]["views"]
    assert [v[1]["kind"] for v in backward] == ["links", "links", "stamp"]


def test_the_command_line_writes_the_site(tmp_path):
    out = tmp_path / "public"
    done = subprocess.run([sys.executable, "-m", "convlab", "site", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"wrote {len(LESSONS) + 3} files" in done.stdout and (out / "index.html").exists()
    assert 'href="http://localhost:8501/training"' in (out / "index.html").read_text(encoding="utf-8")
