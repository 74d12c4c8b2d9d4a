"""convlab.figures.occlusion: the occluder animation written as a plain dict is exactly what Plotly would send."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io
import pytest

from convlab.figures.occlusion import occluder_animation, occluder_animation_spec
from convlab.images.explain.occlusion import occlusion_positions


@pytest.mark.parametrize("channels, shape, window, stride", [(1, (25, 25), (2, 2), (1, 1)), (3, (8, 8), (3, 3), (2, 2)),
                                                             (3, (7, 9), (4, 2), (3, 1))])
def test_the_spec_is_the_validated_figure(channels, shape, window, stride):
    rng = np.random.default_rng(0)
    image = rng.random((channels, *shape))
    positions = occlusion_positions(shape, window, stride)
    probs = rng.random(len(positions))
    spec = occluder_animation_spec(image, positions, window, probs, "cat", size=340)
    sent = json.loads(plotly.io.to_json(spec, validate=False))
    assert sent == json.loads(plotly.io.to_json(go.Figure(spec)))            # Plotly's validators change nothing
    fig = occluder_animation(image, positions, window, probs, "cat", size=340)
    assert sent == json.loads(plotly.io.to_json(fig))
    assert len(spec["frames"]) == min(len(positions), 300) == len(spec["layout"]["sliders"][0]["steps"])
    r, c = positions[-1]
    last = spec["frames"][-1]
    assert last["layout"]["title"]["text"] == f"occluder at row {r}, col {c}: p(cat) = {probs[-1]:.0%}"
    assert min(last["data"][0]["x"]) == c - .5 and min(last["data"][0]["y"]) == r - .5
