"""The lesson view in a real browser, on every page that uses it, for random configurations: stepping with the
keyboard shows convlab's numbers, clicking an output lights exactly its receptive field, stepping reruns nothing
(the step reaches the URL once the stepping pauses), and projector mode is readable at 1280×720.
"""

import random

import numpy as np
import pytest

import convlab
from lessonview_kit import (assert_readable, cells, headline, open_view, press, runs, text, url, view,
                            wait_for_url_step, wait_step)

SEEDS = [0, 1, 2]


def conv1d_case(seed: int):
    rng = random.Random(seed)
    n = rng.randint(5, 12)
    x = [rng.randint(-4, 6) for _ in range(n)]
    k = rng.randint(1, 4)
    w = [rng.choice([-2, -1, 1, 2, 3, 0.5]) for _ in range(k)]
    params = dict(x=", ".join(map(str, x)), w=", ".join(map(str, w)), stride=rng.randint(1, 3),
                  dilation=rng.randint(1, 2), padding=rng.choice(["valid", "same", "full"]))
    if seed % 2:
        params["bias"] = rng.choice([-1.5, 2])
    return params


@pytest.mark.parametrize("seed", SEEDS)
def test_conv1d_keyboard_steps_show_convlabs_numbers_without_reruns(server, browser, seed):
    params = conv1d_case(seed)
    trace = convlab.conv1d_steps(np.array(params["x"].split(", "), float), np.array(params["w"].split(", "), float),
                                 bias=params.get("bias"), stride=params["stride"], padding=params["padding"],
                                 dilation=params["dilation"])
    page, errors = open_view(browser, url(server, "conv1d", **params), f"lessonview-conv1d-{seed}")
    target = random.Random(seed).randint(1, len(trace) - 1) if len(trace) > 1 else 0
    before = runs(page)
    press(page, "ArrowRight", target)
    wait_step(page, target)
    assert runs(page) == before, "stepping must not rerun the script"
    st = trace[target]
    # the window: exactly the taps of this step, in the padded input
    assert set(cells(page, "input", active=True)) == {(0, 0, c) for c in st.cols}
    # outputs revealed so far are convlab's, the rest still empty
    out = cells(page, "output")
    for k in range(len(trace)):
        assert out[(0, 0, k)] == (text(trace.output[k]) if k <= target else ""), k
    # the kernel rides under the window with each product written out
    products = view(page).locator("[data-cell=product]").all_inner_texts()
    assert products == [text(v) for v in st.products]
    assert headline(page).endswith(f"= {text(trace.output[target])}")
    # once the stepping pauses, the step goes back to Python (one rerun) and into the URL
    wait_for_url_step(page, target)
    assert runs(page) - before == (1 if target else 0)
    # Home, End and clicking an output cell
    press(page, "Home")
    wait_step(page, 0)
    press(page, "End")
    wait_step(page, len(trace) - 1)
    pick = len(trace) // 2
    view(page).locator(f"[data-cell=output][data-c='{pick}']").click()
    wait_step(page, pick)
    assert set(cells(page, "input", active=True)) == {(0, 0, c) for c in trace[pick].cols}
    assert not errors, errors
    page.close()


def test_play_pause_and_the_one_set_of_controls(server, browser):
    page, errors = open_view(browser, url(server, "conv1d"), "lessonview-conv1d-play")
    assert page.locator(".js-plotly-plot").count() == 0                       # no Plotly frames any more
    assert page.get_by_role("button", name="Next step").count() == 1
    before = runs(page)
    page.get_by_role("button", name="Play").click()
    wait_step(page, 3)                                                        # plays to the end and stops
    assert page.get_by_role("button", name="Play").get_attribute("aria-pressed") == "false"
    assert runs(page) == before
    page.get_by_role("button", name="Previous step").click()
    wait_step(page, 2)
    assert not errors, errors
    page.close()


def test_conv1d_projector_is_readable(server, browser):
    page, errors = open_view(browser, url(server, "conv1d", projector=1), "projector-conv1d", width=1280, height=720)
    assert_readable(page, "projector-conv1d")
    assert not errors, errors
    page.close()
