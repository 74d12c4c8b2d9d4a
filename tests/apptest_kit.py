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


# A hyphen-minus written before a number ("-0.404"), not one inside a word or a range ("3-layer", "k-means")
HYPHEN_MINUS = r"(?<![\w.])-(?=\.?\d)"


def hyphen_minus(fig: dict, where: str = "") -> list[str]:
    """Where a figure spec (as st.plotly_chart sends it, or a Figure's to_dict()) would show a negative number with a
    hyphen-minus, not a true minus (U+2212): a hover template, text, hover text, tick text or annotation that writes
    one; a hover template's d3 number format (%{z:.3f}: Plotly writes "-0.404") over negative values; a bare
    %{customdata} or %{text} of negative numbers (written as JavaScript writes them). Plotly's own formatting (%{z}
    with a zhoverformat, axis ticks) writes a true minus and is not listed."""
    import base64
    import re

    import numpy as np

    hyphen, place = re.compile(HYPHEN_MINUS), re.compile(r"%\{([^}:|]+)(?::([^}]*))?\}")

    def flat(v) -> list:
        if isinstance(v, dict) and "bdata" in v:                  # a typed array, as plotly.io.to_json writes it
            return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
        if isinstance(v, (list, tuple, np.ndarray)):
            return [e for item in v for e in flat(item)]
        return [v]

    def field(trace: dict, name: str) -> list:
        match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", name)
        if not match or trace.get(match[1]) is None:
            return []
        values = trace[match[1]]
        if match[2] is None:
            return flat(values)
        rows = np.asarray(values, dtype=object)
        return flat(rows[..., int(match[2])]) if rows.ndim >= 2 else []

    found = []

    def walk(node, path: str) -> None:
        if isinstance(node, dict) and "bdata" not in node:
            for key, value in node.items():
                if key in ("text", "hovertext", "ticktext", "hovertemplate", "texttemplate"):
                    found.extend(f"{where}{path}.{key}: {s[:60]!r}" for s in flat(value)
                                 if isinstance(s, str) and hyphen.search(place.sub("", s)))
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")

    walk(fig, "")
    for i, trace in enumerate(fig.get("data", [])):
        for key in ("hovertemplate", "texttemplate"):
            for template in {s for s in flat(trace.get(key)) if isinstance(s, str)}:
                for name, fmt in place.findall(template):
                    numbers = [float(v) for v in field(trace, name)
                               if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and np.isfinite(v)]
                    least = min(numbers, default=0.0)
                    if least < 0 and (fmt or name.split("[")[0] in ("customdata", "text", "hovertext")):
                        found.append(f"{where}data[{i}].{key} {template[:50]!r}: %{{{name}{':' + fmt if fmt else ''}}}"
                                     f" over {least:.3g}")
    return found
