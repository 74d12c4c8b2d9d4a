"""The "link for students" box: this page's URL with its state (and projector mode if the teacher wants it)."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ui.public_url import public_page_url
from ui.state import PROJECTOR_KEY

PRIVATE = ("seat",)          # a student's own place in a class session (ui.classroom): never in a shared link


def share_box(box) -> None:
    """Fill `box` (a sidebar container made before the page ran) with the current page's link. Called after
    the page, so the link carries the state this run wrote to the URL."""
    params = {k: st.query_params.get(k) for k in st.query_params.keys() if k not in (PROJECTOR_KEY, *PRIVATE)}
    base = public_page_url()                 # CONVLAB_PUBLIC_URL when set
    # drawn only while it is open (one rerun to open it): the link's code box loads the browser's syntax highlighter,
    # about 0.4 s of a student's CPU on every page load. The checkbox is drawn either way, so it keeps its choice.
    with box.expander("Link for students", icon=":material/share:", key="share_open", on_change="rerun") as shown:
        projector = st.checkbox("Open in projector mode", key="share_projector",
                                help="Adds projector=1: large fonts, sidebar folded away")
        if not shown.open:
            return
        if projector:
            params[PROJECTOR_KEY] = "1"
        link = base + ("?" + urlencode(params) if params else "")
        st.code(link, language=None, wrap_lines=True)
        st.caption("Copy it with the button at the right of the box. Everyone who opens it sees this page with "
                   "these settings; uploads stay with you, a trained model travels by its id (model=…).")
