import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
# tests import the oracle (tests/oracle.py) and the browser kit (tests/browser/chromium.py) by name
for path in (ROOT, HERE, os.path.join(HERE, "browser")):
    if path not in sys.path:
        sys.path.insert(0, path)

import torch  # noqa: E402

torch.set_num_threads(1)   # tiny tensors: threads only add overhead, and CI has 2 cores


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser/ is a browser test (scripts/test.sh --fast leaves them out)."""
    import pytest
    for item in items:
        if f"{os.sep}browser{os.sep}" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
