"""Projector mode's CSS: every text of a page at least 18 px at 1280×720, with a compact head (issue 24).

The figures get their sizes from convlab.figures.theme.projector_fonts (ui.widgets.chart); this is the rest of
the page, set once here and not per page. Our own constant CSS, nothing a user typed.
"""

from __future__ import annotations

import streamlit as st

PROJECTOR_KEY = "projector"           # the session-state key and URL parameter (?projector=1)


def projector() -> bool:
    """Is this session in projector mode (large fonts and figures for 1280×720)?"""
    return bool(st.session_state.get(PROJECTOR_KEY))


def font_size() -> int:
    return 22 if projector() else 16


def style_page(projector: bool) -> None:
    """The app's CSS, on every page; in projector mode also the projector's. Written out here as constants (see
    tests/app/test_security.py: HTML only from constant strings)."""
    # In every mode: a link's title and a heading wrap between words, never cut off with "…" nor broken mid-word
    # (the lesson map's cards, the menus); a formula wider than its box scrolls inside that box, not the page.
    st.html("""<style>
[data-testid='stPageLink'] p, [data-testid='stPageLink'] span {white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important;}
.stMain h1, .stMain h2, .stMain h3 {overflow-wrap: normal !important; word-break: normal !important; hyphens: none;}
.stMain .katex-display {overflow-x: auto; overflow-y: hidden; max-width: 100%;}
/* captions and icons dark enough for WCAG AA (4.5:1 on white; Streamlit's text at 60 % opacity is 3.9:1) */
[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] p {color: #555a64 !important; opacity: 1 !important;}
header [data-testid='stIconMaterial'], [data-testid='stPageLink'] [data-testid='stIconMaterial'] {color: #5f5d5b !important;}
/* the chosen option of a segmented control: Streamlit's red on its pale red is 4.4:1 */
[data-variant='segmented_control'][aria-checked='true'], [data-variant='segmented_control'][aria-checked='true'] p
  {color: #a52a37 !important;}
/* code blocks' keywords in a blue that passes 4.5:1 on their grey (Streamlit's #1c83e1 is 3.6:1) */
.stMain pre .token.keyword, .stMain pre .token.builtin, .stMain pre .token.boolean {color: #0b5cad !important;}
.stMain pre .token.comment {color: #5c6370 !important;}
.stMain pre .token.string, .stMain pre .token.number {color: #1f6e2f !important;}
</style>""")
    if projector:
        # Streamlit's base is 16 px (1rem). Body text 1.45rem ≈ 23 px, the smallest (captions, tables) 1.15rem ≈ 18.4 px
        st.html("""<style>
.stMain p, .stMain li, .stMain code, .stMain label, .stMain summary, .stMain td, .stMain th {font-size: 1.45rem !important;}
.stMain [data-testid='stCaptionContainer'], .stMain [data-testid='stCaptionContainer'] p,
.stMain [data-testid='stTable'] td, .stMain [data-testid='stTable'] th, .stMain small,
.stMain [data-testid='stTooltipHoverTarget'], .stMain [data-testid='stWidgetLabel'] p,
.stMain [data-testid='stTickBarMin'], .stMain [data-testid='stTickBarMax'],
.stMain [data-testid='stSliderThumbValue'], .stMain [data-testid='stMetricLabel'] p,
.stMain [data-testid='stMetricDelta'], .stMain [data-testid='stNumberInputContainer'] input,
.stMain [data-testid='stMultiSelectTagsContainer'] span, .stMain [data-testid='stFileUploaderDropzoneInstructions'] span
  {font-size: 1.15rem !important;}
/* a compact head: the lesson starts high on the screen */
.stMain [data-testid='stMainBlockContainer'] {padding-top: 3.75rem !important; padding-bottom: 2rem !important;}
.stMain h1 {font-size: 2.2rem !important; padding: 0 0 0.25rem 0 !important;}
.stMain h2 {font-size: 1.8rem !important; padding: 0.4rem 0 0.2rem 0 !important;}
.stMain h3 {font-size: 1.5rem !important; padding: 0.3rem 0 0.15rem 0 !important;}
.stMain h4, .stMain h5, .stMain h6 {font-size: 1.3rem !important;}
/* KaTeX draws at 1.21 × this: about 22 px, and the explorer's longest sum still fits 1280 px */
.stMain .katex-display {font-size: 1.15rem !important; margin: 0.3em 0 !important;}
/* the values in the page's own number inputs and select boxes (the explorer's unit, a layer's sizes) */
.stMain input, .stMain [data-baseweb='select'] > div, .stMain textarea, .stMain button p {font-size: 1.3rem !important;}
/* Streamlit's tables draw on a canvas at 14 px: scaled as a whole to 14 × 1.35 ≈ 18.9 px. The zoom goes on the
   table's frame, 1/1.35 of its column wide: the table sizes its canvas by that frame, so the zoomed table is as wide
   as its column (zoomed on its own, it drew a column wide and then 1.35 × that: /activations' ran off the screen) */
.stMain [data-testid='stFullScreenFrame']:has(> [data-testid='stDataFrame']) {zoom: 1.35; width: calc(100% / 1.35) !important;}
/* KaTeX's sub- and superscripts are 0.7 (and 0.5) of a formula's 22 px, about 15.5 px: at least 18 px here. Only
   the script sizes grow (their baselines stay where KaTeX put them), so a formula is as wide as before, nearly */
.stMain .katex .sizing.reset-size6.size3 {font-size: max(18px, 0.7em) !important;}
.stMain .katex .sizing.reset-size6.size1 {font-size: max(18px, 0.5em) !important;}
.stMain .katex .sizing.reset-size3.size1 {font-size: max(18px, 0.71428571em) !important;}
.stMain .katex .sizing.reset-size6.size4 {font-size: max(18px, 0.8em) !important;}
/* ... so a superscript reaches higher than KaTeX measured: room above it inside the formula's scrolling box */
.stMain .katex-display {padding-top: 0.3em !important;}
/* the menu in the top bar */
header[data-testid='stHeader'] p, header[data-testid='stHeader'] span:not([data-testid='stIconMaterial']),
header[data-testid='stHeader'] a {font-size: 1.15rem !important;}
</style>""")
