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

from ui.experiments import leave_other_pages
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

# Every page runs through this file, including deep links: see ui/legacy.py for the pages/<url>.py entries.
PAGES: dict[str, list] = {}
for group, path, title, icon, url in REGISTRY:
    PAGES.setdefault(group, []).append(st.Page(f"pages/{path}", title=title, icon=f":material/{icon}:",
                                               url_path=url or None, default=not url))

# Our own sidebar menu: in a legacy first session Streamlit's would list the pages/<url>.py entries.
@st.cache_resource
def compute_device() -> str:
    """cuda, then mps, then cpu (imports torch once per server)."""
    from convlab.training import best_device
    return best_device()


page = st.navigation(PAGES, position="hidden")
with st.sidebar:
    for group, pages in PAGES.items():
        st.caption(group)
        for item in pages:
            st.page_link(item)
    sidebar_status()                 # the session's training run, on every page (polling it keeps it going)
    st.divider()
    st.caption(f"Computing on: {compute_device()}")
    st.toggle("Projector mode", key=PROJECTOR_KEY, help="Large fonts and figures; controls stay in this sidebar.")
    share = st.container()
if st.session_state.get(PROJECTOR_KEY):
    # our own constant CSS, nothing a user typed
    st.html("<style>.stMain p, .stMain li, .stMain code {font-size: 1.45rem !important;}"
            ".stMain h1 {font-size: 3.2rem !important;} .stMain h2 {font-size: 2.4rem !important;}"
            ".stMain .katex-display {font-size: 1.75rem !important;}"
            # the values in the page's own number inputs and select boxes (the explorer's unit, a layer's sizes)
            ".stMain input, .stMain [data-baseweb='select'] > div {font-size: 1.45rem !important;}</style>")
leave_other_pages(page.url_path)         # a lesson's live experiment stops when its page is left
try:
    with friendly_errors(page.title):    # no traceback for students; the details go to the log
        page.run()
finally:                             # also after a page's st.stop(): the link carries the state the page wrote
    share_box(share)
