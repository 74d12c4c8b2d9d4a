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


class _Frozen:
    """Marker base: a figure whose to_dict() answers with one dict made once (see frozen_figure)."""


_FROZEN_CLASSES: dict[type, type] = {}


def frozen_figure(fig):
    """A Plotly figure built once and drawn by many sessions (ui/convolution_lessons.py, ui.memo.figure).
    st.plotly_chart asks every figure for to_dict(), a deep copy; this one answers with the same dict, made once
    (treat it as read-only). The figure is frozen in place (its class changes; nothing is copied or validated
    again: a second full copy of a figure with hundreds of animation frames cost more than building it). A plain
    dict spec is taken as it is (an empty figure answers to_dict() with it)."""
    if isinstance(fig, _Frozen):
        return fig
    import plotly.graph_objects as go

    if isinstance(fig, dict):           # a figure's plain spec (e.g. occluder_animation_spec): drawn as it is
        frozen_dict, fig = fig, go.Figure()
    else:
        frozen_dict = go.Figure.to_dict(fig)
    from convlab.figures.theme import drawn
    drawn(frozen_dict)                      # once, as chart() does for every other figure
    for trace in frozen_dict.get("data", []):
        trace.pop("uid", None)             # what plotly.io.to_json removes on every call, once for all
    cls = type(fig)
    if cls not in _FROZEN_CLASSES:
        _FROZEN_CLASSES[cls] = type(f"Frozen{cls.__name__}", (_Frozen, cls),
                                    {"to_dict": lambda self: self._frozen_dict})
    fig.__class__ = _FROZEN_CLASSES[cls]
    fig._frozen_dict = frozen_dict
    return fig


def chart(fig, key: str, on_click=None) -> None:
    """Every Plotly figure of the app is drawn here: its hovers with a true minus sign, no tick marks without labels
    (convlab.figures.theme.drawn; a frozen figure's dict has them already); in projector mode with every text at least
    18 px (convlab.figures.theme.projector_fonts: the one place that size is set)."""
    from convlab.figures.theme import drawn
    from ui.projector import projector
    kwargs = {"on_select": on_click, "selection_mode": "points"} if on_click else {}
    if not isinstance(fig, _Frozen):
        drawn(fig)
    if projector():
        import copy

        from convlab.figures.theme import projector_fonts
        fig = projector_fonts(copy.deepcopy(fig.to_dict()))    # a frozen figure's dict is shared: a copy
    st.plotly_chart(fig, key=key, config={"displayModeBar": False}, **kwargs)


def torch_badge(check: convlab._core.check.Check) -> None:
    (st.success if check.ok else st.error)(f"✓ This result {check}" if check.ok else f"✗ This result {check}")


def _cell_problem(name: str, value) -> tuple[float | None, str]:
    """A typed cell: (its number, "") or (None, what to type instead)."""
    import math
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, f"{name} is empty: type a number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, f"{name}: {str(value)[:20]!r} is not a number: type a number"
    if not math.isfinite(number) or abs(number) > 1e15:
        return None, f"{name}: {str(value)[:20]} is not allowed: type a number between -1e15 and 1e15"
    return number, ""


def _apply_grid_edits(state_key: str, index: int, editor_key: str, label: str, count: int) -> None:
    """data_editor callback: write the edited cells of grid `index` back into the grids text. A cleared or rejected
    cell changes nothing: the last good grid stays (its table is drawn again from it) and a message names the cell
    the way the table labels it, x[row, column] counted from 0."""
    from convlab.parse import format_grids, parse_grids

    ss = st.session_state
    grids = parse_grids(ss[state_key])
    var = state_key.split("_", 1)[-1]
    for r, cols in ss[editor_key].get("edited_rows", {}).items():
        for c, v in cols.items():
            name = f"{var}[{int(r)}, {int(c)}]" + (f" ({label})" if count > 1 else "")
            number, problem = _cell_problem(name, v)
            if problem:
                ss[f"{state_key}.error"] = problem
                ss[f"{state_key}.rev"] = ss.get(f"{state_key}.rev", 0) + 1      # a fresh table with the good grid
                return
            grids[index][int(r), int(c)] = number
    ss[state_key] = format_grids(grids)


def grid_editors(state_key: str, grids, labels: list[str], columns: int | None = None) -> None:
    """One editable table per grid of the text in st.session_state[state_key] (edits write back); a rejected edit
    is named above the tables, which keep the last good numbers."""
    import zlib

    import pandas as pd

    version = zlib.crc32(st.session_state[state_key].encode())
    rev = st.session_state.get(f"{state_key}.rev", 0)
    if st.session_state.get(f"{state_key}.error"):
        st.warning(plain(st.session_state.pop(f"{state_key}.error")) + ". The table keeps the last numbers that worked.",
                   icon=":material/edit_off:")
    cols = st.columns(columns or len(grids))
    for i, (grid, label) in enumerate(zip(grids, labels)):
        key = f"{state_key}.ed{i}.{version}.{rev}"
        frame = pd.DataFrame(grid, columns=[str(j) for j in range(grid.shape[1])])
        with cols[i % len(cols)]:
            st.caption(label)
            st.data_editor(frame, key=key, num_rows="fixed", on_change=_apply_grid_edits,
                           args=(state_key, i, key, label, len(grids)))


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


def signed_table(frame, columns, decimals: int | None = None):
    """`frame` (a pandas DataFrame, or rows as dicts) to show with st.dataframe: these number columns written with a
    true minus sign (U+2212; a column_config number format can only print a hyphen), the numbers kept underneath
    (sorting, and what a test reads). Four significant digits as convlab.format_signed writes them, or `decimals`.

    >>> import pandas as pd
    >>> signed_table(pd.DataFrame({"z": [-1.5, 2.0]}), ["z"], 2).to_html().count("−1.50")
    1
    """
    def text(v) -> str:
        return convlab.format_signed(v) if decimals is None else f"{float(v):.{decimals}f}".replace("-", "\u2212")

    import pandas as pd
    return pd.DataFrame(frame).style.format(text, subset=list(columns))


def signed_slider(label: str, lo: float, hi: float, key: str, step: float = 1, where=None, **kwargs) -> None:
    """A slider over lo…hi (lo < 0) whose numbers, its two ends and the thumb's value, are written with a true minus
    sign (U+2212): st.slider's printf-style `format` can only print a hyphen ("-4"). A select_slider over the steps
    from lo; its value is the number as st.slider's would be (a value between two steps, from a link, takes the
    nearest step). `where` a container or column (the page's main area by default); `kwargs` go to select_slider.

    >>> [convlab.format_signed(v) for v in _steps(-5.0, 5.0, 2.5)], _steps(-2, 2, 1)
    (['−5', '−2.5', '0', '2.5', '5'], [-2, -1, 0, 1, 2])
    """
    options = _steps(lo, hi, step)
    value = st.session_state.get(key)
    if value is not None and value not in options:
        st.session_state[key] = min(options, key=lambda o: abs(o - value))
    (where or st).select_slider(label, options, key=key, format_func=convlab.format_signed, **kwargs)


def _steps(lo: float, hi: float, step: float) -> list:
    """lo, lo + step, … up to hi: whole numbers where all three are, else floats rounded clear of float noise."""
    n = int(round((hi - lo) / step))
    if all(isinstance(v, int) for v in (lo, hi, step)):
        return [lo + i * step for i in range(n + 1)]
    return [round(lo + i * step, 10) for i in range(n + 1)]
