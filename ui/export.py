""""Export for slides": a GIF of the current animation, the interactive view as one offline HTML file, a PyTorch
snippet and the grids as CSV.

The GIF and the HTML file are made only when their download button is pressed (Streamlit's deferred download data).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from convlab.classroom.export import MAX_FRAMES, frame_indices, grid_csv, steps_gif
from convlab.view.export import export_html
from ui.lessonview import speed


def export_panel(key: str, trace=None, snippet: str = "", grids: dict[str, np.ndarray] | None = None,
                 gif: Callable[[], bytes] | None = None, gif_steps: int = 0, view: bytes | None = None,
                 title: str | None = None) -> None:
    """An expander with the downloads. trace: a conv/pool StepTrace to animate (or gif + gif_steps for
    another animation); snippet: Python that reproduces the numbers; grids: name → array for CSV;
    view: the lesson view's document (payload.encode), offered as one interactive offline HTML file.

    Its content is drawn only while it is open (one rerun to open it): the snippet's syntax highlighting alone cost a
    browser 0.4 to 2 s of CPU on every load of the page, opened or not."""
    with st.expander("Export for slides and notebooks", key=f"{key}_export", on_change="rerun") as panel:
        if not panel.open:
            return
        cols = st.columns(3)
        if trace is not None or gif is not None:
            ms = int(round(1000 / speed()))                  # the lesson view's speed setting
            make = gif or (lambda: steps_gif(trace, ms_per_frame=ms)[0])
            n = len(trace) if trace is not None else gif_steps
            with cols[0]:
                st.download_button("Animated GIF", make, file_name=f"convlab-{key}.gif", mime="image/gif",
                                   key=f"{key}_gif", icon=":material/gif_box:", on_click="ignore")
                note = frame_indices(n, MAX_FRAMES)[1]
                pace = f"{ms} ms a frame (the view's speed)" if gif is None else ""
                st.caption(" ".join(t for t in (note or f"{n} frames,", pace, "drawn when you press the button.") if t))
        if view is not None:
            with cols[0]:
                st.download_button("Interactive HTML", lambda: export_html(view, title=title),
                                   file_name=f"convlab-{key}.html", mime="text/html", key=f"{key}_html",
                                   icon=":material/html:", on_click="ignore")
                st.caption("One file that steps like this view, offline: open it in a browser, or put it in your "
                           "slides or course page (an iframe). `convlab.export_html` makes it in a notebook.")
        if snippet:
            with cols[1]:
                st.download_button("PyTorch snippet (.py)", snippet, file_name=f"convlab-{key}.py", mime="text/x-python",
                                   key=f"{key}_py", icon=":material/code:", on_click="ignore")
        for i, (name, grid) in enumerate((grids or {}).items()):
            with cols[2]:
                st.download_button(f"{name} as CSV", grid_csv(grid, name), file_name=f"convlab-{key}-{name}.csv",
                                   mime="text/csv", key=f"{key}_csv{i}", icon=":material/table:", on_click="ignore")
        if snippet:
            st.caption("Paste into Python: it prints the same numbers (computed by torch.nn.functional).")
            st.code(snippet, language="python")
