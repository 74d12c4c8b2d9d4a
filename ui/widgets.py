"""Small widget helpers the pages share."""

from __future__ import annotations

import contextlib
import logging

import streamlit as st

import convlab


@contextlib.contextmanager
def friendly_errors(where: str):
    """Around a page (app.py) or a fragment, whose reruns do not pass through app.py: bad input that reached
    convlab says what to change; anything else shows one friendly box, and the traceback goes to the log."""
    try:
        yield
    except convlab.ConvlabError as err:
        st.warning(f"That input does not work: {err}")
    except Exception:                # st.stop / st.rerun are BaseExceptions and pass through
        logging.getLogger("convlab.app").exception("page %s failed", where)
        st.error("Something went wrong on this page. Change the last setting back or reload the page; "
                 "the other pages keep working.")


def frozen_figure(fig):
    """A Plotly figure built once and drawn by many sessions (ui/convolution_lessons.py). st.plotly_chart asks every figure for
    to_dict(), a deep copy; this one answers with the same dict, made once (treat it as read-only)."""
    import plotly.graph_objects as go

    class FrozenFigure(go.Figure):
        def to_dict(self):
            return self._frozen_dict

    frozen = FrozenFigure(fig)
    frozen._frozen_dict = go.Figure.to_dict(frozen)
    for trace in frozen._frozen_dict.get("data", []):
        trace.pop("uid", None)             # what plotly.io.to_json removes on every call, once for all
    return frozen


def chart(fig, key: str, on_click=None) -> None:
    """Every Plotly figure of the app is drawn here; in projector mode with every text at least 18 px
    (convlab.figures.theme.projector_fonts: the one place that size is set)."""
    from ui.projector import projector
    kwargs = {"on_select": on_click, "selection_mode": "points"} if on_click else {}
    if projector():
        import copy

        from convlab.figures.theme import projector_fonts
        fig = projector_fonts(copy.deepcopy(fig.to_dict()))    # a frozen figure's dict is shared: a copy
    st.plotly_chart(fig, key=key, config={"displayModeBar": False}, **kwargs)


def torch_badge(check: convlab._core.check.Check) -> None:
    (st.success if check.ok else st.error)(f"✓ This result {check}" if check.ok else f"✗ This result {check}")


def _apply_grid_edits(state_key: str, index: int, editor_key: str) -> None:
    """data_editor callback: write the edited cells of grid `index` back into the grids text."""
    from convlab.parse import format_grids, parse_grids
    import numpy as np

    grids = parse_grids(st.session_state[state_key])
    for r, cols in st.session_state[editor_key].get("edited_rows", {}).items():
        for c, v in cols.items():
            try:
                grids[index][int(r), int(c)] = float(v)
            except (TypeError, ValueError):
                grids[index][int(r), int(c)] = np.nan       # shown as a message: "'nan' ... is not allowed"
    st.session_state[state_key] = format_grids(grids)


def grid_editors(state_key: str, grids, labels: list[str], columns: int | None = None) -> None:
    """One editable table per grid of the text in st.session_state[state_key] (edits write back)."""
    import zlib

    import pandas as pd

    version = zlib.crc32(st.session_state[state_key].encode())
    cols = st.columns(columns or len(grids))
    for i, (grid, label) in enumerate(zip(grids, labels)):
        key = f"{state_key}.ed{i}.{version}"
        frame = pd.DataFrame(grid, columns=[str(j) for j in range(grid.shape[1])])
        with cols[i % len(cols)]:
            st.caption(label)
            st.data_editor(frame, key=key, num_rows="fixed", on_change=_apply_grid_edits,
                           args=(state_key, i, key))


def plain(text: str) -> str:
    """Escape markdown so typed or URL text is shown as typed (no links, no formatting, no HTML)."""
    import re
    return re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", str(text))


def probability_line(name: str, classes, probs, what: str) -> None:
    """"**the bundled faces model** says **face** (93%): P(face) = 93%, P(not face) = 7%; <what>." (class names
    come from model files and are escaped; `what` is the page's own text)."""
    best = max(range(len(probs)), key=lambda i: probs[i])
    each = "; " + ", ".join(f"P({plain(c)}) = {p:.0%}" for c, p in zip(classes, probs)) if len(classes) <= 4 else ""
    st.markdown(f"**{name}** says **{plain(classes[best])}** ({probs[best]:.0%}){each}; {what}.")


def show_error(err: Exception) -> None:
    """A ConvlabError as a red box; its text may quote what the user typed, so it is escaped."""
    st.error(plain(f"{err}."))
