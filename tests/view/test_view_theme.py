"""The browser views' colours come from one place, convlab.figures.theme: the lesson view's CSS and the network
overview read them as CSS variables, and the JS fallbacks (used only where a page has no such variables) are the
same values, so nothing can drift."""

from __future__ import annotations

import pathlib
import re

from convlab.figures import theme as style
from convlab.view import asset, view_css

ROOT = pathlib.Path(__file__).resolve().parents[2]


def variables(css: str) -> dict:
    return dict(re.findall(r"--cl-([\w-]+):\s*([^;]+);", css))


def test_the_views_css_starts_with_the_themes_colours():
    v = variables(view_css())
    assert v["window"] == style.WINDOW and v["current"] == style.CURRENT
    assert v["cell-neg"] == style.CELL_NEG and v["cell-pos"] == style.CELL_POS
    assert v["div-neg"] == style.DIVERGING[0][1] and v["div-pos"] == style.DIVERGING[-1][1]
    assert (v["pad-light"], v["pad-dark"]) == style.PAD_HATCH and v["window-cell"] == style.WINDOW_CELL


def test_no_meaningful_colour_is_written_twice():
    css = asset("view.css") + (ROOT / "ui/netview/overview.css").read_text()
    for colour in (style.WINDOW, style.CURRENT, style.WINDOW_CELL, style.WINDOW_PALE, style.WINDOW_PRESSED,
                   style.CURRENT_PALE, *style.PAD_HATCH, style.PAD_BG):
        assert colour.lower() not in css.lower(), colour
    every = {name for name in re.findall(r"var\(--cl-([\w-]+)\)", css)}
    assert every <= set(variables(style.css_variables())), every - set(variables(style.css_variables()))


def test_the_js_fallbacks_are_the_themes_values():
    core = asset("core.js")
    palette = re.search(r"const PALETTE = \{(.*?)\};", core, re.S).group(1)
    assert f"neg: [{', '.join(map(str, style.rgb(style.CELL_NEG)))}]" in palette
    assert f"pos: [{', '.join(map(str, style.rgb(style.CELL_POS)))}]" in palette
    assert f'window: "{style.WINDOW}"' in palette and f'current: "{style.CURRENT}"' in palette
    assert f'ink: "{style.VIEW_INK}"' in palette
    overview = (ROOT / "ui/netview/overview.js").read_text()
    theme = re.search(r"const THEME = \{(.*?)\};", overview, re.S).group(1)
    for key, colour in (("neg", style.DIVERGING[0][1]), ("zero", style.DIVERGING[2][1]), ("pos", style.DIVERGING[-1][1])):
        assert f"{key}: [{', '.join(map(str, style.rgb(colour)))}]" in theme
    assert f'window: "{style.WINDOW}"' in theme and f'ink: "{style.VIEW_INK}"' in theme
