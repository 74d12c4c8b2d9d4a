"""Every page is registered once, has its legacy deep-link entry, and has AppTest and browser coverage."""

import pathlib

from ui.registry import PAGES

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_page_file_exists_and_has_a_legacy_entry():
    for _group, path, _title, _icon, url in PAGES:
        assert (ROOT / "pages" / path).is_file(), path
        if url:
            entry = ROOT / "pages" / f"{url}.py"
            assert entry.is_file(), f"pages/{url}.py must hand deep links over to app.py (see ui/deep_links.py)"
            assert "hand_over_to_app()" in entry.read_text()


def test_every_page_has_apptest_tests():
    tested = "\n".join(p.read_text() for p in (ROOT / "tests" / "pages").glob("test_*.py"))
    for _, path, *_ in PAGES:
        assert f"pages/{path}" in tested or path == "start/home.py", f"no AppTest test opens pages/{path}"


def test_lesson_map_links_only_to_pages_that_exist():
    from ui.lesson_map import LESSONS
    urls = {url for *_, url in PAGES}
    built = [lesson.page for lesson in LESSONS if lesson.available]
    assert set(built) <= urls
    assert urls - {""} <= set(built), "every page needs an entry in ui/lesson_map.py"
