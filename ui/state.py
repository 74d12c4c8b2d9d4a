"""Page state that lives in the URL, and projector mode.

use_state() seeds each widget's session-state key from the URL whenever the URL
brings values this session did not write itself (a teacher's link, a reload), so
widgets are created with `key=` only. Coming back to a page (the menu's bare URL,
or the browser's back button) restores what this session last had there. sync_url() writes the non-default values back.
Session keys are "<page>_<field>" (pages must not share widget state); URL names
are the bare field names.
"""

from __future__ import annotations

import streamlit as st

from ui.projector import PROJECTOR_KEY, font_size, projector  # noqa: F401  (pages read them here too)
from ui.urlstate import Schema
from ui.widgets import plain



TAB = "tab"        # the URL name of a long page's chosen tab on a projector (ui.lesson_page.LessonPage.parts)


def _raw_params() -> dict[str, str]:
    return {k: st.query_params.get(k) for k in st.query_params.keys()}


HISTORY = 32       # addresses of a page that a session remembers having written (use_state: stale, not a link)


def _remember(page: str, values: dict) -> None:
    """Note an address this session wrote for `page` (its last HISTORY ones)."""
    key = f"_url_history.{page}"
    seen = [v for v in st.session_state.get(key, []) if v != values]
    st.session_state[key] = (seen + [dict(values)])[-HISTORY:]


def _history_navigation() -> bool:
    """This run comes from the browser's back or forward button (Streamlit pushes an entry for each new address):
    an old address of ours is then where the person wants to go."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    return bool(getattr(ctx, "is_history_navigation", False))


def use_state(page: str, schema: Schema, same_page: bool = False) -> None:
    """Before any widget: defaults, then valid URL values; notices for the rejected ones.

    same_page: the session's previous run drew this page too (a widget's rerun, not a link or the menu). Streamlit
    sends each rerun with the address the browser shows at that moment, so a click made before the previous run's
    new address reached the browser (two clicks in quick succession, a step reported as a view was left, on a busy
    server) came with an address this session wrote itself earlier. That is not a link: taking it for one put every
    value back to it and lost the click (the explorer's Softmax click, once under the test suite's load). Such an
    address is recognised and this session's newest state kept; the back and forward buttons still go where they
    point."""
    raw = _raw_params()
    raw.pop(PROJECTOR_KEY, None)
    mark = f"_url_written.{page}"
    written = st.session_state.get(mark)
    if not raw and written:         # back on this page through the menu (a bare URL): this session's own last state
        raw = dict(written)
    if (same_page and written is not None and raw != written and not _history_navigation()
            and raw in st.session_state.get(f"_url_history.{page}", [])):
        raw = dict(written)         # an old address of ours, sent before the newest one arrived: not a link
    tab = f"{page}_{TAB}"           # the chosen tab: a label, checked by the tabs themselves (an unknown one: the first)
    if written == raw:
        missing = [k for k in schema.defaults if f"{page}_{k}" not in st.session_state]
        if missing:                 # widget state is dropped while another page shows: back to what the URL says
            values = schema.parse(raw)[0]
            for key in missing:
                st.session_state[f"{page}_{key}"] = values.get(key, schema.defaults[key])
        if TAB in raw and tab not in st.session_state:
            st.session_state[tab] = raw[TAB]
        return
    values, notices = schema.parse(raw)
    for key, default in schema.defaults.items():
        st.session_state[f"{page}_{key}"] = values.get(key, default)
    if TAB in raw:
        st.session_state[tab] = raw[TAB]
    else:
        st.session_state.pop(tab, None)
    st.session_state[mark] = raw
    for notice in notices:
        st.info(plain(notice), icon="🔗")


def sync_url(page: str, schema: Schema, first_tab: str | None = None) -> None:
    """After the widgets: the URL shows this page's non-default state (and projector mode), and the tab chosen among
    the page's sections unless it is the first one (first_tab: its label, where this run drew the tabs)."""
    values = schema.dump({k: st.session_state.get(f"{page}_{k}") for k in schema.fields})
    tab = st.session_state.get(f"{page}_{TAB}")
    if tab is not None and tab != first_tab:
        values[TAB] = str(tab)
    mark = f"_url_written.{page}"
    sent = st.session_state.get(mark)
    st.session_state[mark] = dict(values)
    _remember(page, values)
    changed = values != sent
    if st.session_state.get(PROJECTOR_KEY):
        values[PROJECTOR_KEY] = "1"
    # The address this run came with is not always the one the browser shows now: an address sent since (by a run cut
    # short by this one's request, whose end still sends it) can arrive after the request left. So the address is
    # sent whenever it differs from the last one sent, too, not only from the one the run came with.
    if changed or values != _raw_params():
        st.query_params.from_dict(values)


def state(page: str) -> dict:
    """This page's values by field name: {"stride": 2, ...}."""
    prefix = f"{page}_"
    return {k[len(prefix):]: v for k, v in st.session_state.items() if isinstance(k, str) and k.startswith(prefix)}


def preset_picker(page: str, schema: Schema, presets: dict, label: str = "Example from the notes") -> None:
    """A selectbox of presets; choosing one resets the page to its defaults plus the preset's values.

    A preset value may be a function, called only when the preset is chosen (e.g. loading a photo).
    """
    def apply() -> None:
        preset = presets.get(st.session_state[f"{page}_preset"], {})
        for key, value in {**schema.defaults, **preset}.items():
            st.session_state[f"{page}_{key}"] = value() if callable(value) else value

    st.selectbox(label, ["—", *presets], key=f"{page}_preset", on_change=apply)


def stop_with(err: Exception, page: str, schema: Schema, first_tab: str | None = None) -> None:
    """Show a bad-input message, keep the URL in step, and end this run of the page."""
    from ui.widgets import show_error
    show_error(err)
    sync_url(page, schema, first_tab)
    st.stop()
