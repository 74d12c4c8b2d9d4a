"""ConvLab's entry point: page config, navigation, and one friendly error box for every page.

Run with `streamlit run app.py` (or ./scripts/app.sh, which also sets everything up).
Pages live in pages/; they read widgets, call convlab, and render. No math here.
"""

import logging

import streamlit as st

from convlab import ConvlabError

st.set_page_config(page_title="ConvLab", page_icon="🔳", layout="wide")

PAGES = {
    "Start": [st.Page("pages/home.py", title="Lesson map", icon="🗺️", default=True)],
}

page = st.navigation(PAGES)
try:
    page.run()
except ConvlabError as err:          # bad input that reached convlab: say what to change
    st.warning(f"That input does not work: {err}")
except Exception:                    # anything else: no traceback for students, the details go to the log
    logging.getLogger("convlab.app").exception("page %s failed", page.title)
    st.error("Something went wrong on this page. Change the last setting back or reload the page; "
             "the other pages keep working.")
