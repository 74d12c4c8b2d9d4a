"""ConvLab's entry point: page config, navigation, projector mode and one friendly error box.

Run with `streamlit run app.py` (or ./scripts/app.sh, which also sets everything up).
Pages live in pages/; they read widgets, call convlab, and render. No math here.
"""

# pandas first: plotly looks pandas up in sys.modules without the import lock, so a page drawing a chart while
# another session's thread was still importing pandas failed with "partially initialized module 'pandas'"
# (found by benchmarks/loadtest.py in the first seconds of a class). Importing it here makes every script
# thread wait for the whole import.
import pandas  # noqa: F401
import plotly.io as pio
import streamlit as st

from ui.experiments import sidebar_status as experiments_status
from ui.keeper import keep_unsaved, new_run
from ui.lesson_page import finish_lesson, lesson_errors, start_run
from ui.projector import style_page
from ui.registry import PAGES as REGISTRY
from ui.share import share_box
from ui.state import PROJECTOR_KEY
from ui.store.db import warm_up
from ui.training import sidebar_status
from ui.warmup import warm_in_background
from ui.widgets import friendly_errors

warm_up()        # the class store's migrations, once per server process, in the background
warm_in_background()   # libraries, bundled models and datasets, once per process, never waited for

# st.plotly_chart draws with Streamlit's theme, which replaces a figure's template in the browser; plotly's
# default template only cost server time (a third of building a figure) and ~10 KB per chart. Set once.
if pio.templates.default != "none":
    pio.templates.default = "none"

# Projector mode comes from the URL (?projector=1) or the sidebar toggle.
url_projector = st.query_params.get(PROJECTOR_KEY)
if st.session_state.get("_projector_url") != url_projector:
    st.session_state["_projector_url"] = url_projector
    st.session_state[PROJECTOR_KEY] = url_projector in ("1", "true", "yes", "on")

st.set_page_config(page_title="ConvLab", page_icon="🔳", layout="wide",
                   initial_sidebar_state="collapsed" if st.session_state.get(PROJECTOR_KEY) else "auto")

# Every page runs through this file, including deep links: see ui/deep_links.py for the pages/<url>.py entries.
# The menu sits in the top bar, one drop-down per group (the lesson map first, on its own), so that the sidebar
# holds only the page's own controls and they are on its first screen (issue 24).
# The st.Page objects are made once per session, not on every run (each resolves its file on disk: 30 of them were
# a tenth of a light page's server time). Never shared between sessions: st.navigation marks the page it returns.
PAGES: dict[str, list] = st.session_state.get("_nav_pages") or {}
if not PAGES:
    for group, path, title, icon, url in REGISTRY:
        PAGES.setdefault("" if group == "Start" else group, []).append(
            st.Page(f"pages/{path}", title=title, icon=f":material/{icon}:", url_path=url or None, default=not url))
    st.session_state["_nav_pages"] = PAGES


@st.cache_resource
def compute_device() -> str:
    """cuda, then mps, then cpu (imports torch once per server)."""
    from convlab.networks.training import best_device
    return best_device()


page = st.navigation(PAGES, position="top")
style_page(bool(st.session_state.get(PROJECTOR_KEY)))   # our own constant CSS, nothing a user typed
start_run()                              # a lesson page registers itself with ui.lesson_page.lesson()
new_run()                                # the browser's keepers drawn in this run (ui.keeper)
try:
    with friendly_errors(page.title), lesson_errors():   # no traceback for students; bad input says what to change
        page.run()
finally:                             # on every exit, st.stop() included: the URL and the link carry the page's state
    finish_lesson()
    keep_unsaved()                   # what the session wants this browser to keep and it has not kept yet
    # below the page's own controls, which come first in the sidebar
    with st.sidebar:
        sidebar_status()             # the session's training run, on every page (polling it keeps it going)
        experiments_status(page.url_path)   # and a lesson's experiment, which goes on while the student is elsewhere
        st.divider()
        st.caption(f"Computing on: {compute_device()}")
        st.toggle("Projector mode", key=PROJECTOR_KEY, help="Large fonts and figures, sized for 1280×720.")
        share_box(st.container())
