"""AppTest helpers: open a page of the app (optionally with URL parameters) and read what it shows."""

import json
import pathlib

from streamlit.testing.v1 import AppTest

APP = str(pathlib.Path(__file__).resolve().parents[1] / "app.py")


def open_page(path: str, timeout: float = 30, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def shown(at) -> str:
    """All markdown, captions, alerts and headings as one text."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in (at.success, at.info, at.warning, at.error) for a in kind]
    parts += [h.value for kind in (at.title, at.header, at.subheader) for h in kind]
    return rendered("\n".join(parts))


def finish_experiment(at, page: str, timeout: float = 600):
    """Wait until the page's live experiment (ui.experiments) has finished, then rerun the page; returns it."""
    import time
    exp = at.session_state["_experiments"][page]
    end = time.monotonic() + timeout
    while not exp.job.finished and time.monotonic() < end:
        exp.job.touch()                         # the page would be polling it
        time.sleep(0.2)
    assert exp.job.finished, f"the experiment of /{page} did not finish in {timeout} s"
    at.run()
    return exp


def figures(at) -> list[dict]:
    """Every plotly figure spec on the page, in order."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def figure(at, index: int = 0) -> dict:
    """The plotly figure spec a chart sends to the browser."""
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def heatmap_text(fig: dict, title: str) -> list:
    """Cell texts of the heatmap under the subplot titled `title`."""
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    axis = titles.index(title) + 1
    suffix = "" if axis == 1 else str(axis)
    for trace in fig["data"]:
        if trace.get("type") == "heatmap" and trace.get("xaxis", "x") == f"x{suffix}":
            return trace["text"]
    raise AssertionError(f"no heatmap under {title!r}")


def view_data(at, index: int = 0) -> dict:
    """The document a lesson view (ui/lessonview) received, decoded: arrays come back as numpy arrays."""
    import numpy as np

    doc = json.loads(at.get("bidi_component")[index].proto.bytes)

    def unpack(v):
        if isinstance(v, dict) and set(v) == {"s", "v"}:
            if v["v"] is None:
                return np.full(v["s"], np.nan)
            return np.array([-np.inf if e is None else e for e in v["v"]], dtype=float).reshape(v["s"])
        if isinstance(v, dict):
            return {k: unpack(e) for k, e in v.items()}
        if isinstance(v, list):
            return [unpack(e) for e in v]
        return v
    return unpack(doc)


def values(v):
    """A figure array as numpy: plotly sends numeric arrays as {"dtype", "bdata", "shape"}."""
    import base64

    import numpy as np

    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        shape = v.get("shape")
        if isinstance(shape, str):
            shape = [int(s) for s in shape.split(",")]
        return a.reshape(shape) if shape else a
    return np.array(v, dtype=float)


def rendered(markdown: str) -> str:
    """What a student reads: markdown backslash escapes (ui.widgets.plain) removed."""
    import re
    return re.sub(r"\\(.)", r"\1", markdown)


def displayed(element):
    """What a st.dataframe given a pandas Styler shows in its cells (the Styler's display strings), as a DataFrame;
    `element.value` holds the numbers underneath."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    return convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)
