"""Issue 24: a negative number reads with a true minus sign (U+2212) everywhere, Plotly's hovers included. Plotly's
d3 formats in a hover template (%{z:.3f}) wrote "-0.404" on /features, /init, /audio and /optimizers (and on the
maps of /occlusion's explanations, /training and the sequences, shown after a run); convlab.figures.theme.true_minus
gives them to Plotly's own formatting (zhoverformat ...), which writes "−0.404", for every figure ui.widgets.chart
draws. tests/browser/test_pages.py hovers one in Chromium."""

import json

import numpy as np
import pytest
from apptest_kit import APP, hyphen_minus
from streamlit.testing.v1 import AppTest

from convlab.figures.theme import true_minus
from ui.registry import PAGES

pytestmark = pytest.mark.slow            # every page once: about two minutes in all


@pytest.mark.parametrize("path", [path for _, path, *_ in PAGES], ids=[url or "home" for *_, url in PAGES])
def test_no_figure_of_a_page_writes_a_hyphen_for_a_minus(path):
    """Every Plotly figure of every page, as st.plotly_chart sends it to the browser: no hover template, text, tick
    text or annotation that shows a negative number with a hyphen-minus (apptest_kit.hyphen_minus lists them)."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(f"pages/{path}").run()
    assert not at.exception, at.exception
    offenders = [o for k, chart in enumerate(at.get("plotly_chart"))
                 for o in hyphen_minus(json.loads(chart.proto.spec), f"figure {k}: ")]
    assert offenders == [], "\n".join(offenders)


def _figures():
    """The figures whose hovers wrote a hyphen and that a page shows only after a run (a sanity check, a trained
    network, a sequence's activations, an occlusion map larger than 64×64), over negative values."""
    from convlab.figures.explanations import sanity_figure, similarity_figure
    from convlab.figures.occlusion import map_figure
    from convlab.figures.sequences import activation_figure, spectro_figure
    from convlab.figures.training import ink_figure, tiles_figure
    from convlab.images.explain.compare import SanityCheck, SanityStep

    rng = np.random.default_rng(0)
    signed = rng.normal(size=(80, 80))
    check = SanityCheck(("saliency",), 0, 0, (SanityStep(None, "trained", (), {"saliency": signed[:8, :8]}, {"saliency": 1.0}),
                                              SanityStep(3, "layer 3", (3,), {"saliency": -signed[:8, :8]},
                                                         {"saliency": -0.4})))
    return {"sanity": sanity_figure(check),
            "similarity": similarity_figure([{"layer": None, "saliency": 1.0}, {"layer": 3, "saliency": -0.4}],
                                            ["saliency"]),
            "occlusion 80×80": map_figure(np.zeros((1, 80, 80)), signed, "a map"),
            "activations": activation_figure(-np.abs(signed[:4, :20]), ["a", "b", "c", "d"]),     # maxima < 0
            "spectrogram": spectro_figure(np.abs(signed[:16, :20]), signed[:8, :10], 8000, 30, 15),
            "weights": tiles_figure([signed[:5, :5], signed[5:10, :5]], ["w0", "w1"]),
            "ink": ink_figure(signed[:6, :6], "ink")}


def test_the_figures_shown_after_a_run_write_a_true_minus_through_the_theme():
    """Those figures, as ui.widgets.chart draws them (true_minus): nothing written with a hyphen-minus; without it,
    each of them was (so the check sees what it is for)."""
    for name, fig in _figures().items():
        spec = fig.to_dict()
        assert hyphen_minus(spec), f"{name}: its hover wrote no hyphen before true_minus (a test of nothing)"
        assert hyphen_minus(true_minus(spec), f"{name}: ") == [], name
