"""What a page sends to the browser (Plotly figures and lesson views) stays under 2 MB at the largest settings
the widgets allow, and under 300 KB at the defaults (a class opens the defaults at once)."""

import pytest

from apptest_kit import open_page

LIMIT = 2 * 2**20
DEFAULT_LIMIT = 300 * 2**10
CASES = [
    ("pages/convolution/conv1d.py", {}),
    ("pages/convolution/conv1d.py", {"x": ", ".join(["1"] * 64), "w": "1, 2", "padding": "full"}),
    ("pages/convolution/conv2d.py", {}),
    ("pages/convolution/conv2d.py", {"x": " | ".join(["; ".join([" ".join(["1"] * 16)] * 16)] * 3),
                                     "w": " | ".join(["1 0; 0 1"] * 9), "bias": "0, 0, 0", "padding": "full"}),
    ("pages/convolution/conv2d.py", {"x": " | ".join(["; ".join([" ".join(["1.25"] * 10)] * 10)] * 3),
                                     "w": " | ".join(["1 0 -1; 2 0 -2; 1 0 -1"] * 9), "bias": "0, 0, 0"}),
    ("pages/convolution/padding.py", {"n": "40", "m": "40", "k": "1", "s": "1"}),
    ("pages/convolution/pooling.py", {"x": " | ".join(["; ".join([" ".join(["1"] * 16)] * 16)] * 3), "size": "1"}),
    ("pages/convolution/matrix.py", {"x": " | ".join(["; ".join([" ".join(["1"] * 8)] * 8)] * 2),
                                     "w": " | ".join(["1"] * 4), "bias": "0, 0", "padding": "full"}),
    ("pages/convolution/backward.py", {}),
    ("pages/convolution/why.py", {}),
    # issue 16's pages, at their defaults and their largest settings
    ("pages/convolution/variants.py", {}),
    ("pages/convolution/variants.py", {"c": "4", "o": "4", "groups": "1", "k": "1", "n": "7", "padding": "same"}),
    ("pages/convolution/conv3d.py", {}),
    ("pages/convolution/conv3d.py", {"depth": "10", "size": "12", "padding": "same"}),
    ("pages/sequences/dna.py", {"length": "120", "n": "4000"}),
    ("pages/sequences/audio.py", {"fft": "64"}),
    ("pages/sequences/causal.py", {"layers": "8", "sk": "3"}),
]


def sent(at) -> list[int]:
    """Bytes of every Plotly figure and lesson view (its document, HTML, CSS and JS) of the last run."""
    views = [p.proto.ByteSize() for p in at.get("bidi_component")]
    return [len(chart.proto.spec) for chart in at.get("plotly_chart")] + views


@pytest.mark.parametrize("page, params", CASES)
def test_payload_under_2mb(page, params):
    at = open_page(page, **params)
    assert not at.error, [e.value for e in at.error]
    sizes = sent(at)
    print(page, params and "max" or "default", sizes)
    assert sizes and sum(sizes) < (LIMIT if params else DEFAULT_LIMIT), sizes
