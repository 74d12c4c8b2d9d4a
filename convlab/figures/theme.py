"""One figure style for the Plotly figure builders (convlab.figures) and the GIF renderer (convlab.classroom.export):
every colour, font size and GIF size lives here, so a lesson looks the same on screen and on a slide.

Colours are ColorBrewer's (colour-blind safe) and each means one thing everywhere: blue–white–red for signed
values (centred on 0), blues for counts, one orange for what moves (the sliding window, the current output,
the occluder's edge), grey for padding. Pillow takes the same "#rrggbb" strings as Plotly; rgb() gives the
numbers where pixels are compared.

>>> rgb(WINDOW), diverging_rgb(0.0), diverging_rgb(-1.0) == rgb(DIVERGING[0][1])
((230, 97, 1), (247, 247, 247), True)
"""

from __future__ import annotations

import functools
import re

import numpy as np

from convlab._core.format import MINUS

__all__ = ["BLUE", "STRONG_BLUE", "PALE_BLUE", "LIGHT_BLUE", "WHITE_ISH", "LIGHT_RED", "RED", "ORANGE", "LIGHT_ORANGE", "GREY",
           "PAD_BG", "GRIDLINE", "PAPER", "INK", "MISSING", "CELL_LINE", "LABEL", "OCCLUDER", "OCCLUDER_OPACITY",
           "TRANSPARENT", "LOGO_COLOURS", "GROUPS", "ONE_HOT", "GREEN", "WINDOW", "DIVERGING", "COUNTS", "PICTURE", "PROBABILITY",
           "FONT", "CHART_FONT", "TILE_FONT", "GIF_TITLE_FONT", "GIF_LABEL_FONT", "GIF_CELL_FONT",
           "GIF_MARGIN", "GIF_TITLE_H", "GIF_LABEL_H", "GIF_GAP", "PROJECTOR_FONT", "projector_fonts",
           "true_minus", "no_bare_ticks", "drawn",
           "limit", "log_ticks", "rgb", "rgba", "diverging_rgb",
           "CELL_NEG", "CELL_POS", "CURRENT", "VIEW_INK", "WINDOW_CELL", "WINDOW_PALE", "WINDOW_PRESSED", "CURRENT_PALE",
           "PAD_HATCH", "css_variables", "png_source"]

# ---------------------------------------------------------------- colours
BLUE = "#2171b5"              # the main series, bars, a window's taps
STRONG_BLUE = "#4393c3"       # the diverging scale's negative end
PALE_BLUE = "#92c5de"
LIGHT_BLUE = "#c6dbef"        # input cells some window reads
WHITE_ISH = "#f7f7f7"         # 0 on the diverging scale
LIGHT_RED = "#f4a582"
RED = "#d6604d"               # the diverging scale's positive end
ORANGE = "#e66101"
LIGHT_ORANGE = "#fdae6b"      # input cells no window reads (dropped)
GREY = "#999999"              # a neutral bar
PAD_BG = "#d9d9d9"            # padding cells, and the gaps between cells
GRIDLINE = "#eeeeee"
PAPER = "#ffffff"
INK = "#000000"
MISSING = "#e6e6e6"           # GIF: a cell with no finite value
CELL_LINE = "#bebebe"         # GIF: the border of every cell
LABEL = "#3c3c3c"             # GIF: panel names
OCCLUDER = "#808080"          # the occluding square (mid grey)
OCCLUDER_OPACITY = 0.85       # in the figures, where the picture shows through a little
TRANSPARENT = "rgba(0,0,0,0)"  # click layers

# DNA letters in sequence logos, as in most logo tools; one colour per channel group (Okabe–Ito, colour-blind safe)
LOGO_COLOURS = {"A": "#109648", "C": "#255C99", "G": "#F7B32B", "T": "#D62839"}
GROUPS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
ONE_HOT = "#555555"           # a 1 in a one-hot grid (letters in white on it)
GREEN = "#1b9e77"             # a fourth series

WINDOW = ORANGE               # the sliding window, the current output cell, the occluder's edge
# the lesson view's cells (numbers in dark ink on them): a lighter blue–white–red, white at 0
CELL_NEG = "#91cdff"
CELL_POS = "#ffa591"
CURRENT = BLUE                # the lesson view's current output (outline), a linked matrix's lit row or column
VIEW_INK = "#111111"          # numbers drawn on the lesson view's canvases
WINDOW_CELL = "#ffe3cc"       # the lesson view: a cell the window reads now (WINDOW, light)
WINDOW_PALE = "#fff2e6"       # the kernel's rows under a 1D input, the legend's window swatch
WINDOW_PRESSED = "#fde7d6"    # the Play button while playing
CURRENT_PALE = "#e8f1fa"      # the products row under a 1D input (CURRENT, light)
PAD_HATCH = ("#ececec", "#d6d6d6")   # padding cells: hatched in these two greys
# a muted diverging scale (blue negative, white 0, red positive): dark text stays readable on every cell
DIVERGING = [[0.0, STRONG_BLUE], [0.25, PALE_BLUE], [0.5, WHITE_ISH], [0.75, LIGHT_RED], [1.0, RED]]
COUNTS = "Blues"              # non-negative counts (windows per cell, a confusion matrix)
PICTURE = "Greys"             # greyscale pictures: ink dark on white
PROBABILITY = "Viridis"       # probabilities in [0, 1]

# ---------------------------------------------------------------- fonts (px)
FONT = 16                     # lesson figures on a projector
CHART_FONT = 14               # charts and grids beside text
TILE_FONT = 12                # titles of many small tiles
GIF_TITLE_FONT = 26           # the caption line of a GIF frame, readable on a slide (Pillow's font: no × and no −)
GIF_LABEL_FONT = 20           # panel names
GIF_CELL_FONT = 0.36          # numbers in cells, as a fraction of the cell size
PROJECTOR_FONT = 18           # the least any text of a figure may be in projector mode (README: read from the back)

# ---------------------------------------------------------------- GIF layout (px)
GIF_MARGIN, GIF_TITLE_H, GIF_LABEL_H, GIF_GAP = 12, 48, 30, 24


_FONT_KEYS = ("font", "tickfont", "textfont", "titlefont", "insidetextfont", "outsidetextfont")
_SUP = 0.7                    # Plotly draws <sup>/<sub> at 70 % of the text around them


def _floor(font: dict, least: float) -> None:
    size = font.get("size")
    if isinstance(size, (list, tuple)):
        font["size"] = [max(least, s) if isinstance(s, (int, float)) else least for s in size]
    else:
        font["size"] = max(least, size) if isinstance(size, (int, float)) else least


def _sized(node, least: float, sup: float) -> None:
    """Every font under this node of a figure's dict at least `least` px (`sup` px where it holds <sup> text)."""
    if isinstance(node, list):
        for item in node:
            _sized(item, least, sup)
        return
    if not isinstance(node, dict):
        return
    texts = [node.get(k) for k in ("ticktext", "text")]
    raised = any("<sup>" in str(t) or "<sub>" in str(t) for t in texts if t is not None)
    for key, value in list(node.items()):
        if key in _FONT_KEYS and isinstance(value, dict):
            _floor(value, sup if raised else least)
        elif key == "title" and isinstance(value, dict):
            _floor(value.setdefault("font", {}), sup if "<sup>" in str(value.get("text", "")) else least)
            _sized(value, least, sup)
        elif isinstance(value, (dict, list)):
            _sized(value, least, sup)


def _array(values) -> np.ndarray:
    """A trace's array as a Figure's to_dict() gives it: a list, an array, or a typed array ({"dtype", "bdata",
    "shape"}: base64, as Plotly ≥ 6 sends numbers)."""
    if isinstance(values, dict) and "bdata" in values:
        import base64
        a = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        shape = values.get("shape")
        return a.reshape([int(n) for n in str(shape).split(",")]) if shape else a
    return np.asarray(values, dtype=object if isinstance(values, (list, tuple)) else None)


def _positive(figure: dict, axis: str) -> np.ndarray:
    """The positive values the traces draw along a layout axis ("yaxis2")."""
    letter, ref = axis[0], axis[0] + axis[5:]
    values = [np.zeros(0)]
    for trace in figure.get("data", []):
        if trace.get(letter + "axis", letter) == ref and trace.get(letter) is not None:
            try:
                values.append(np.ravel(np.array(_array(trace[letter]), dtype=float)))     # a gap (None) is NaN
            except (TypeError, ValueError):                                       # categories
                continue
    v = np.concatenate(values)
    return v[np.isfinite(v) & (v > 0)]


def projector_fonts(figure: dict, least: float = PROJECTOR_FONT) -> dict:
    """A figure's dict (fig.to_dict()) with every text in it at least `least` px high, for a projector: the base
    font, every axis's ticks and title (log axes written with powers of ten included: their exponents are drawn at
    70 %, so their ticks get least / 0.7), legends, annotations, colour bars, the numbers in cells. Sizes above
    the floor stay. A log axis with Plotly's own ticks gets a tick at each power of ten only, over more than two of
    them, else log_ticks' (Plotly's 2 and 5 between the powers, at 75 % of their size, ran into them). Changes and
    returns the dict; the one place the projector's text size is set.

    >>> f = projector_fonts({"data": [{"type": "heatmap", "textfont": {"size": 11}, "colorbar": {}}],
    ...                      "layout": {"xaxis": {"tickfont": {"size": 12}}, "yaxis": {"type": "log"},
    ...                                 "annotations": [{"text": "a", "font": {"size": 30}}]}})
    >>> f["layout"]["font"]["size"], f["layout"]["xaxis"]["tickfont"]["size"], f["data"][0]["textfont"]["size"]
    (18, 18, 18)
    >>> f["data"][0]["colorbar"]["tickfont"]["size"], f["layout"]["annotations"][0]["font"]["size"]
    (18, 30)
    >>> round(f["layout"]["yaxis"]["tickfont"]["size"], 1)
    25.7
    """
    sup = least / _SUP
    layout = figure.setdefault("layout", {})
    _floor(layout.setdefault("font", {}), least)
    _floor(layout.setdefault("legend", {}).setdefault("font", {}), least)
    _floor(layout.setdefault("hoverlabel", {}).setdefault("font", {}), least)
    for trace in figure.get("data", []):                          # every axis drawn, set in the layout or not
        for ref in (trace.get("xaxis", "x"), trace.get("yaxis", "y")):
            layout.setdefault(ref[0] + "axis" + ref[1:], {})
    for key, axis in layout.items():                              # xaxis, yaxis2, ..., coloraxis, scene's axes
        if isinstance(axis, dict) and (key.startswith(("xaxis", "yaxis")) or key == "coloraxis"):
            target = axis.setdefault("colorbar", {}) if key == "coloraxis" else axis
            logged = target.get("type") == "log" and "ticktext" not in target
            if logged and "dtick" not in target and "tickvals" not in target:
                # Plotly's ticks between the powers of ten ("2", "5" at 75 % of their size; or 0.04, 0.06, ... over
                # less than a decade) ran into each other at a projector's sizes: over more than two powers of ten
                # the powers only, else the theme's own ticks (log_ticks: whole numbers, all one size)
                values = _positive(figure, key)
                if values.size and np.log10(values.max() / values.min()) > 2:
                    target["dtick"] = 1
                elif values.size:
                    target.update(log_ticks(values))
                    logged = False
            _floor(target.setdefault("tickfont", {}), sup if logged else least)
    for note in layout.get("annotations", []):                   # Streamlit's theme would draw them at 12 px
        _floor(note.setdefault("font", {}), sup if "<sup>" in str(note.get("text", "")) else least)
    for shape in layout.get("shapes", []):
        if isinstance(shape.get("label"), dict):
            _floor(shape["label"].setdefault("font", {}), least)
    for trace in figure.get("data", []):
        if "text" in trace or "texttemplate" in trace:
            _floor(trace.setdefault("textfont", {}), least)
        if "colorbar" in trace or trace.get("type") in ("heatmap", "contour", "surface") or trace.get("showscale"):
            _floor(trace.setdefault("colorbar", {}).setdefault("tickfont", {}), least)
        if isinstance(trace.get("marker"), dict) and "colorbar" in trace["marker"]:
            _floor(trace["marker"]["colorbar"].setdefault("tickfont", {}), least)
    _sized(figure, least, sup)
    return figure


# %{z:.3f} in a hover template: a field and a d3 number format (not a date's %{x|%b %d}, nor a bare %{z})
_FORMATTED = re.compile(r"%\{([^}:|]+):([^}]+)\}")
_FIELD_FORMATS = {"x": "xhoverformat", "y": "yhoverformat", "z": "zhoverformat"}


@functools.lru_cache(maxsize=64)
def _has_prop(kind: str, prop: str) -> bool:
    import plotly.graph_objects as go
    cls = next((getattr(go, name) for name in dir(go) if name.lower() == kind), None)
    return cls is not None and prop in getattr(cls, "_valid_props", ())


def _written(values, fmt: str) -> np.ndarray:
    """Numbers in a d3 format (".3f", ".2g", ".0%", ",.1f": Python's own spec) with a true minus sign; a negative
    that rounds to zero is written as zero."""
    def one(v) -> str:
        if v is None or not np.isreal(v) or not np.isfinite(v):
            return "" if v is None else str(v)
        text = format(float(v), fmt)
        return text.lstrip("-") if not re.search(r"[1-9]", text.split("e")[0]) else text.replace("-", MINUS)
    return np.vectorize(one, otypes=[object])(np.asarray(values, dtype=object))


def true_minus(figure):
    """A figure (a plotly Figure or its dict) whose hovers write negative numbers with a true minus sign (U+2212), as
    every caption and the lesson view do. Plotly writes a d3 number format in a hover template (%{z:.3f}) with a
    hyphen ("-0.404"), and its own axis formatting with a true minus ("−0.404"): so %{x:.3g}, %{y:.2f} and %{z:.3f}
    become %{x}, %{y} and %{z} with the format as the trace's xhoverformat, yhoverformat or zhoverformat (nothing
    more is sent, and an animation's frames, which move x and y, keep it); any other formatted field of numbers
    (%{customdata:.3f}) is written out here, its values replaced by their text. Changes and returns the figure; the
    one place hovers get their minus sign (ui.widgets.chart draws every figure of the app through it).

    >>> f = true_minus({"data": [{"type": "heatmap", "z": [[-0.4035, 1]], "hovertemplate": "row %{y}: %{z:.3f}"},
    ...                          {"type": "scatter", "y": [1], "customdata": [-2.5], "hovertemplate": "%{customdata:.2f}"}]})
    >>> f["data"][0]["hovertemplate"], f["data"][0]["zhoverformat"]
    ('row %{y}: %{z}', '.3f')
    >>> f["data"][1]["hovertemplate"], list(f["data"][1]["customdata"])
    ('%{customdata}', ['−2.50'])
    """
    traces = figure.get("data", []) if isinstance(figure, dict) else figure.data
    for trace in traces:
        template = trace.get("hovertemplate") if isinstance(trace, dict) else getattr(trace, "hovertemplate", None)
        if not isinstance(template, str) or "%{" not in template:
            continue
        kind = trace.get("type", "scatter") if isinstance(trace, dict) else trace.type
        formats: dict[str, set] = {}
        for field, fmt in _FORMATTED.findall(template):
            formats.setdefault(field, set()).add(fmt)
        before = template
        for field, fmts in formats.items():
            if len(fmts) != 1:
                continue
            fmt = fmts.pop()
            if field in _FIELD_FORMATS and _has_prop(kind, _FIELD_FORMATS[field]):
                trace[_FIELD_FORMATS[field]] = fmt
            elif field in ("customdata", "text", "hovertext"):
                values = trace.get(field) if isinstance(trace, dict) else trace[field]
                numbers = _array(values).astype(object) if values is not None else np.zeros(0)
                if numbers.size == 0 or not all(isinstance(v, (int, float, np.number)) for v in numbers.ravel()):
                    continue
                try:
                    trace[field] = _written(numbers, fmt)
                except ValueError:                  # a d3 format Python has not (".3~g"): left to Plotly
                    continue
            else:
                continue
            template = template.replace(f"%{{{field}:{fmt}}}", f"%{{{field}}}")
        if template != before:
            trace["hovertemplate"] = template
    return figure


def no_bare_ticks(figure):
    """A figure (a plotly Figure or its dict) with no tick marks on an axis that has no tick labels: Streamlit's
    theme draws every axis's ticks outside, so a photo or a map with its labels off had a row of small unlabelled
    marks along its edges (/find-faces' photo). An axis that sets its own ticks keeps them. Changes and returns it.

    >>> no_bare_ticks({"layout": {"yaxis": {"showticklabels": False}, "xaxis2": {"showticklabels": False,
    ...                                                                       "ticks": "inside"}}})["layout"]
    {'yaxis': {'showticklabels': False, 'ticks': ''}, 'xaxis2': {'showticklabels': False, 'ticks': 'inside'}}
    """
    if isinstance(figure, dict):
        axes = [a for k, a in figure.get("layout", {}).items() if re.fullmatch(r"[xy]axis\d*", k) and isinstance(a, dict)]
        for axis in axes:
            if axis.get("showticklabels") is False and axis.get("ticks") is None:
                axis["ticks"] = ""
    else:                                   # the axes its traces are drawn on (select_xaxes took 2 ms a figure)
        names = {"xaxis", "yaxis"} | {f"{a}axis{getattr(t, a + 'axis')[1:]}" for t in figure.data for a in ("x", "y")
                                      if isinstance(getattr(t, a + "axis", None), str)}
        for name in names:
            axis = figure.layout[name]
            if axis.showticklabels is False and axis.ticks is None:
                axis.ticks = ""
    return figure


def drawn(figure):
    """What every figure of the app gets before it is drawn (ui.widgets.chart): hovers with a true minus sign
    (true_minus) and no tick marks without labels (no_bare_ticks). Changes and returns it."""
    return no_bare_ticks(true_minus(figure))


def limit(*arrays) -> float:
    """The colour range (±) for signed values: 1.6 × the largest |value|, so the strongest colour stays light
    enough for dark numbers on it.

    >>> limit(np.array([-2.0, 1.0])), limit(np.array([-np.inf, 0.5, np.nan]))
    (3.2, 0.8)
    """
    finite = [np.abs(a[np.isfinite(a)]) for a in map(np.asarray, arrays)]     # not max pooling's −inf padding
    m = max((float(f.max()) for f in finite if f.size), default=0.0)
    return 1.6 * m if m > 0 else 1.0


def log_ticks(*arrays) -> dict:
    """Tick settings for a log axis over these values, every label a whole number a student reads as it is.

    Plotly labels the ticks between powers of ten with a bare digit ("0.1, 2, 5, 1": a 0.5 that reads as 5).
    Here, over up to two decades the ticks are 1, 2 and 5 times a power of ten (also 1.5, 3 and 7 within one
    decade); over more, powers of ten only (every k-th one over many decades); all written out in full, as
    decimals from 0.001 to 1000 and as 10ⁿ beyond (1 and 10 as such).

    >>> log_ticks([0.09, 0.8])["ticktext"]
    ['0.01', '0.02', '0.05', '0.1', '0.2', '0.5', '1']
    >>> log_ticks([0.3, 0.45])["tickvals"][:4], log_ticks([0.008, 3.0])["ticktext"]
    ([0.1, 0.15, 0.2, 0.3], ['0.001', '0.01', '0.1', '1', '10'])
    >>> log_ticks([1e-11, 5e2])["ticktext"][-4:]
    ['10<sup>−2</sup>', '1', '10<sup>2</sup>', '10<sup>4</sup>']
    """
    values = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays] or [np.zeros(0)])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return {"exponentformat": "power"}
    lo, hi = int(np.floor(np.log10(values.min()))), int(np.ceil(np.log10(values.max())))
    hi = max(hi, lo + 1)
    if hi - lo <= 2:
        mantissas = (1, 1.5, 2, 3, 5, 7) if hi - lo == 1 else (1, 2, 5)
        ticks = [float(f"{m * 10.0 ** e:.6g}") for e in range(lo, hi) for m in mantissas] + [float(f"{10.0 ** hi:.6g}")]
        return {"tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}
    every = -(-(hi - lo) // 8)                                   # at most about 8 labels
    powers = list(range(lo - lo % every, hi + every, every))
    plain = all(-3 <= e <= 3 for e in powers)

    def text(e: int) -> str:
        return f"{10.0 ** e:g}" if plain or e in (0, 1) else f"10<sup>{e}</sup>".replace("-", "−")
    return {"tickvals": [10.0 ** e for e in powers], "ticktext": [text(e) for e in powers]}


def rgb(colour: str) -> tuple[int, int, int]:
    """'#e66101' -> (230, 97, 1)."""
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def rgba(colour: str, alpha: float) -> str:
    """A colour made see-through, for Plotly: rgba('#808080', 0.85) -> 'rgba(128,128,128,0.85)'."""
    return "rgba({},{},{},{})".format(*rgb(colour), alpha)


def diverging_rgb(t: float) -> tuple[int, int, int]:
    """The DIVERGING colour at t in [-1, 1] (−1 the negative end, 0 white), interpolated between the stops in
    RGB as Plotly does.

    >>> diverging_rgb(0.5) == rgb(LIGHT_RED), diverging_rgb(9) == rgb(RED)
    (True, True)
    """
    u = (min(1.0, max(-1.0, float(t))) + 1) / 2
    stops = [s for s, _ in DIVERGING]
    j = min(int(np.searchsorted(stops, u, side="right")), len(stops) - 1)
    (a, ca), (b, cb) = DIVERGING[j - 1], DIVERGING[j]
    f = (u - a) / (b - a)
    return tuple(round(x + (y - x) * f) for x, y in zip(rgb(ca), rgb(cb)))


def css_variables(selector: str = ".lv") -> str:
    """The theme's colours as CSS custom properties for the browser views (the lesson view, the network overview):
    their JS and CSS read these, so every colour has one source, this module.

    >>> print(css_variables(".x").splitlines()[1])
      --cl-window: #e66101;
    """
    values = {"window": WINDOW, "current": CURRENT, "ink": VIEW_INK, "cell-neg": CELL_NEG, "cell-pos": CELL_POS,
              "active": rgba(WINDOW, 0.85), "div-neg": DIVERGING[0][1], "div-zero": DIVERGING[2][1],
              "div-pos": DIVERGING[-1][1], "pad": PAD_BG, "window-cell": WINDOW_CELL, "window-pale": WINDOW_PALE,
              "window-pressed": WINDOW_PRESSED, "current-pale": CURRENT_PALE, "pad-light": PAD_HATCH[0],
              "pad-dark": PAD_HATCH[1]}
    return selector + " {\n" + "".join(f"  --cl-{k}: {v};\n" for k, v in values.items()) + "}\n"


def png_source(pixels: np.ndarray) -> str:
    """A picture of bytes, (H, W, 3) colour or (H, W) grey, as a PNG data URI for Plotly's go.Image(source=...):
    lossless, and about half what the same pixels cost as go.Image(z=...) numbers, which the browser's Plotly
    then unpacks and paints one by one (a photo's figure took most of a page's time to draw).

    >>> png_source(np.zeros((2, 3), dtype=np.uint8))[:22]
    'data:image/png;base64,'
    >>> png_source(np.zeros((2, 3)))
    Traceback (most recent call last):
    convlab.errors.ConvlabError: png_source takes bytes (uint8) of shape (H, W) or (H, W, 3); got float64 of shape (2, 3)
    """
    import base64
    import io

    from PIL import Image

    from convlab.errors import ConvlabError
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
        raise ConvlabError(f"png_source takes bytes (uint8) of shape (H, W) or (H, W, 3); got {pixels.dtype} of "
                           f"shape {pixels.shape}")
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
