"""The page scaffold: one call at the top of a lesson page, and the app's runner does the rest.

    P, SCHEMA = "c1", Schema(Int("stride", 1, 1, 10), ...)
    page = lesson(P, SCHEMA, "1D convolution", "What the page teaches, under its title")
                                              # state restored from the URL or this session's last visit
    st.number_input("Stride", 1, 10, key=page.key("stride"))
    out = convlab.conv1d(..., stride=page["stride"])  # a ConvlabError ends the page with its message

What the scaffold does for every page, so no page repeats it:
- restores the page's state (ui.state.use_state: the URL's valid values, else this session's own last state);
- gives keyed access without hand-typed prefixes: page.key("x") is the widget key "c1_x", page["x"] its value;
- turns a convlab.ConvlabError raised anywhere in the page into the page's red message (what to change), and
  page.stop(err) does the same on purpose; `with page.section():` ends only that part of the page instead;
- syncs the URL on every exit: the end of the page, an error, st.stop(), a rerun (app.py calls finish_lesson in a
  finally around page.run()).
A fragment's reruns do not pass through app.py: a fragment that changes URL state calls page.sync() itself, and so
does a page before st.rerun() (the new run must start from a URL that already carries the new state).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from convlab.errors import ConvlabError
from ui.state import TAB, stop_with, sync_url, use_state
from ui.urlstate import Schema

__all__ = ["LessonPage", "lesson", "start_run", "finish_lesson", "lesson_errors"]

_CURRENT = "_lesson_current"          # the lesson page this script run is drawing (set by lesson(), read by app.py)
_PREVIOUS = "_lesson_previous"        # the lesson page the session's previous run drew (its name; None: another page)


class LessonPage:
    """One lesson page's state: keys, values and its exits."""

    def __init__(self, page: str, schema: Schema):
        self.page, self.schema = page, schema
        self.first_tab: str | None = None          # the first tab's label, once parts() has drawn its tabs

    def key(self, field: str) -> str:
        """The session-state and widget key of a field (also for widgets outside the schema)."""
        return f"{self.page}_{field}"

    def __getitem__(self, field: str) -> Any:
        return st.session_state[self.key(field)]

    def __setitem__(self, field: str, value: Any) -> None:
        st.session_state[self.key(field)] = value

    def __contains__(self, field: str) -> bool:
        return self.key(field) in st.session_state

    def get(self, field: str, default: Any = None) -> Any:
        return st.session_state.get(self.key(field), default)

    def values(self) -> dict[str, Any]:
        """The schema's fields by name: {"stride": 2, ...}."""
        return {f: self.get(f) for f in self.schema.fields}

    def numbers(self, *rows: tuple) -> None:
        """A column of number inputs, one per row (label, min, max, field) or (label, min, max, field, help)."""
        for label, lo, hi, field, *help_text in rows:
            st.number_input(label, lo, hi, key=self.key(field), help=help_text[0] if help_text else None)

    def sync(self) -> None:
        """Write the state to the URL now (a fragment's reruns skip app.py's runner)."""
        sync_url(self.page, self.schema, self.first_tab)

    @contextmanager
    def section(self, hint: str = "") -> Iterator[None]:
        """A part of the page that bad input ends alone: its ConvlabError is shown (with `hint` after it, e.g. what
        to change) and the page goes on below it, so the other sections keep their widgets and values."""
        try:
            yield
        except ConvlabError as err:
            from ui.widgets import show_error
            show_error(f"{err}. {hint}" if hint else err)

    def parts(self, titles: dict[str, str], level: str = "header") -> list:
        """A long page's sections, one container each; titles maps each section's short tab label to its heading.
        On a projector they are tabs, so that the teacher moves through screens rather than scrolling (issue 24),
        under the short labels (the headings side by side ran past 1280 px); elsewhere one below the other under its
        heading (level "header" or "subheader"). Every widget is drawn either way (Streamlit renders every tab), so
        keys, URL state and AppTests are the same. The chosen tab is page["tab"] (its label), kept in the URL
        (tab=..., unless it is the first) like the page's other state: a reload or a link opens the same tab."""
        from ui.projector import projector
        if projector():
            labels = list(titles)
            self.first_tab = labels[0]
            return list(st.tabs(labels, key=self.key(TAB), on_change="rerun"))
        boxes = [st.container() for _ in titles]
        for box, title in zip(boxes, titles.values()):
            getattr(box, level)(title)
        return boxes

    def stop(self, err: Exception) -> None:
        """Show a bad-input message, keep the URL in step, and end this run of the page."""
        stop_with(err, self.page, self.schema, self.first_tab)


def lesson(page: str, schema: Schema, title: str | None = None, caption: str | None = None) -> LessonPage:
    """Start a lesson page (before its first widget): restore its state and register it with app.py's runner; then
    write the page's title and the caption under it, where given (every page opens the same way)."""
    use_state(page, schema, same_page=st.session_state.get(_PREVIOUS) == page)
    s = LessonPage(page, schema)
    st.session_state[_CURRENT] = s
    if title is not None:
        st.title(title)
    if caption is not None:
        st.caption(caption)
    return s


@contextmanager
def lesson_errors() -> Iterator[None]:
    """Around a page's run (app.py): a ConvlabError that reached the page's top level becomes the lesson's message.

    Other errors pass through to ui.widgets.friendly_errors."""
    try:
        yield
    except ConvlabError as err:
        if not isinstance(st.session_state.get(_CURRENT), LessonPage):
            raise
        from ui.widgets import show_error
        show_error(err)


def start_run() -> None:
    """Before a page runs (app.py): no lesson is registered until the page says so; the one the previous run drew
    is remembered (use_state's same_page)."""
    previous = st.session_state.pop(_CURRENT, None)
    st.session_state[_PREVIOUS] = previous.page if isinstance(previous, LessonPage) else None


def finish_lesson() -> None:
    """After a page's run, on every exit (app.py's finally): the URL carries the lesson's state."""
    s = st.session_state.get(_CURRENT)
    if isinstance(s, LessonPage):
        s.sync()
