"""The Deep networks pages' figures stay under 2 MB, at the defaults and at the largest settings the widgets allow."""

import pytest

from apptest_kit import open_page
from convlab.deep.norm import example_batch
from convlab.parse import format_grids

LIMIT = 2 * 2**20
BIG = example_batch(8, 3, 4, 4, seed=1)
CASES = [
    ("pages/deep/batchnorm.py", {"n": "8", "c": "3", "h": "4", "batches": "50",
                                 **{f"x{c}": format_grids(BIG[:, c]) for c in range(3)}}),
    ("pages/deep/dropout.py", {"n": "8", "d": "12"}),
    ("pages/deep/activations.py", {"depth": "20"}),
    ("pages/deep/init.py", {"depth": "20", "width": "32", "steps": "200"}),
    ("pages/deep/optimizers.py", {"surface": "rosenbrock", "steps": "300"}),
    ("pages/deep/mlp_vs_cnn.py", {"hidden": "512"}),
]


@pytest.mark.parametrize("page, params", CASES)
def test_figure_payload_under_2mb(page, params):
    at = open_page(page, timeout=120, **params)
    assert not at.error and not at.exception, [e.value for e in at.error]
    sizes = [len(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert sizes and sum(sizes) < LIMIT, sizes
