"""The static site in a real browser: built, served by `python -m http.server` on loopback, every page walked in
Chromium: no errors, no request outside the site, and every example of every lesson steps to its end."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect
from static_kit import VIEW, open_static, shot

from convlab.view.export import step_count
from convlab.view.site import LESSONS, build_site


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("public")
    build_site(out, "http://127.0.0.1:9/app")          # a closed port: links to the app are never followed here
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/index.html", timeout=2):
                break
        except OSError:
            time.sleep(0.2)                             # polling the server's own answer, with a deadline
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def outside(requests: list, site: str) -> list:
    return [u for u in requests if not (u.startswith(site + "/") or u.startswith("data:"))]


def test_the_map_links_every_lesson(browser, site):
    page, problems, requests = open_static(browser, f"{site}/index.html")
    for lesson in LESSONS:
        expect(page.locator(f"a[href='{lesson.slug}.html']")).to_have_text(lesson.title)
    expect(page.locator("a[href='http://127.0.0.1:9/app/training']")).to_be_visible()
    shot(page, "site-map")
    page.get_by_role("link", name="2D convolution", exact=True).click()
    expect(page.locator(VIEW)).to_have_attribute("data-step", "0")
    assert not problems, problems
    assert outside(requests, site) == [], requests
    page.context.close()


@pytest.mark.parametrize("slug", [lesson.slug for lesson in LESSONS])
def test_every_example_of_the_lesson_steps(browser, site, slug):
    lesson = next(lesson for lesson in LESSONS if lesson.slug == slug)
    page, problems, requests = open_static(browser, f"{site}/{slug}.html")
    for k, make in enumerate(lesson.examples.values()):
        if k:
            page.select_option("#example", str(k))
        views = make()
        roots = page.locator(VIEW)
        expect(roots).to_have_count(len(views))
        for v, (_, doc) in enumerate(views):
            root = roots.nth(v)
            expect(root).to_have_attribute("data-step", "0")
            root.focus()
            page.keyboard.press("End")
            expect(root).to_have_attribute("data-step", str(step_count(doc) - 1))
            page.keyboard.press("Home")
            page.keyboard.press("ArrowRight")
            expect(root).to_have_attribute("data-step", "1" if step_count(doc) > 1 else "0")
            assert root.locator("[data-cell][data-active='true']").count() > 0
        assert page.evaluate("location.hash") == (f"#example={k}" if k else "")
    shot(page, f"site-{slug}")
    assert not problems, problems
    assert outside(requests, site) == [], requests
    page.context.close()
