"""Every number of every page at both ends of its range, set through the URL, in AppTest: the page runs to the end
with a title, no traceback and no "something went wrong" box. (tests/browser/test_faults.py opens the pages whose
extremes stress the browser side, the largest lesson-view grids, in Chromium too.)"""

import pytest
from apptest_kit import APP
from schema_ranges import EXTREME_IDS, EXTREMES, extremes
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow            # every page twice: about a minute in all


@pytest.mark.parametrize("url,path,end", EXTREMES, ids=EXTREME_IDS)
def test_every_number_of_a_page_at_its_extremes(url, path, end):
    params = extremes(end, path)
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    at.switch_page(f"pages/{path}").run()
    assert not at.exception, at.exception
    boxes = [e.value for e in at.error]
    assert not any("Something went wrong" in b for b in boxes), boxes
    assert len(at.title) >= 1, f"/{url} showed no title at its {end} ends"
