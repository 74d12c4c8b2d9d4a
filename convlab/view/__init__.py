"""The lesson view: the one copy of the sliding-window lessons' browser view, for every place that shows it.

The view is static files in this package (read with importlib.resources; no CDN, no build step): the JS that
replays a lesson document step by step and its CSS. Python builds the documents (convlab.view.payload). The
Streamlit app (ui/lessonview), a notebook widget (convlab.show) and a one-file HTML export (convlab.export_html)
all load these same files. This package never imports streamlit.
"""

from __future__ import annotations

import re
from importlib import resources

__all__ = ["JS_FILES", "asset", "view_js", "view_css", "module_js", "component_js"]

# one ES module: the core (formatting, grids, colours, controls, keyboard), one file per lesson kind, then the
# table of kinds and the entry point (kinds.js)
JS_FILES = ("core.js", "links.js", "sliding.js", "stamp.js", "volume.js", "unit.js", "kinds.js")


def asset(name: str) -> str:
    """The text of one static file of the view (e.g. "view.css")."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def view_js() -> str:
    """The view's ES module text. Its export lessonView({data, parentElement, setStateValue}) mounts (or updates) the
    view of one document in parentElement and returns its cleanup; setStateValue(name, value) receives the step
    ("step") and the speed ("speed") the student chose. Each host appends its own entry point."""
    return "\n".join(asset(name) for name in JS_FILES)


def module_js() -> str:
    """view_js() as a component's module sends it: it is sent with every view on a page (the backward pass has
    three), so without the files' whole-line comments (about 12 KB of 100), blank lines and indentation (10 KB
    more): the JS has no template literal that spans lines, so a line that starts with // is always a comment and
    no line's leading spaces are inside a string. No default export: the host adds its own."""
    lines = (_code(line.strip()) for line in view_js().split("\n"))
    return "\n".join(line for line in lines if line and not line.startswith("//"))


_TRAILING = re.compile(r"\s{2,}// [^\"'`]*$")


def _code(line: str) -> str:
    """A line without its trailing comment (two spaces or more, then "// "; 2.5 KB of the view's JS), where that is
    surely a comment: no quote in it, and every kind of quote before it closed."""
    m = _TRAILING.search(line)
    if m is None or any(line[:m.start()].count(q) % 2 for q in "\"'`"):
        return line
    return line[:m.start()]


def component_js() -> str:
    """The module for a Streamlit custom component (v2): module_js() with lessonView as its default export."""
    return module_js() + "\nexport default lessonView;\n"


def view_css() -> str:
    """The view's CSS, after the theme's colours as CSS variables (convlab.figures.theme.css_variables)."""
    from convlab.figures.theme import css_variables

    return css_variables(".lv") + asset("view.css")
