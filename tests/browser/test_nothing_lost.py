"""Issue 22 in headless Chromium: nothing a student or teacher makes is lost to a reload, and the models, keys
and progress come back. Screenshots go to artifacts/screenshots/lost-*.png."""

import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from chromium import (SHOTS, assert_clean, draw_a_one, go_to, hold_from, load, open_page, release_held, screenshot, status,
                      type_into, wait_held, wait_quiet, wait_trained)
from convlab.networks.bundled import ASSETS


def _query(page) -> dict:
    return {k: v[-1] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query).items()}


def _curve_points(page) -> int:
    return page.evaluate("""() => { const p = [...document.querySelectorAll('.js-plotly-plot')]
        .find(p => (p.data || []).some(t => t.name === 'train loss'));
        return p ? p.data.find(t => t.name === 'train loss').x.length : -1; }""")


def test_1_a_reload_after_training_brings_back_the_model_curves_spec_and_matrix(server, browser):
    """Issue 22 (1): train, reload /training: the model, its curves, the builder's spec and the confusion matrix are
    back, the URL carries the model's id, and "my trained model" on /layers is that model."""
    page, errors = load(browser, f"{server}/training?epochs=2", "lost-training-before")
    page.get_by_role("button", name="Start").click()
    wait_trained(page)
    page.wait_for_function("() => new URL(location.href).searchParams.get('model')", timeout=30_000)
    model = _query(page)["model"]
    points, spec = _curve_points(page), _query(page).get("spec")
    assert re.fullmatch(r"[a-z0-9]{10}", model) and points > 0
    page.reload()
    status(page, "Done").wait_for(timeout=60_000)
    wait_quiet(page)
    assert _query(page)["model"] == model and _query(page).get("spec") == spec
    assert page.get_by_text("Press Start to train").count() == 0
    assert _curve_points(page) == points, "the same curves as before the reload"
    screenshot(page, "lost-training-reloaded")
    confusion = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .some(p => (p.data || []).some(t => t.type === 'heatmap' && (t.x || []).length === 10
                                            && (t.y || []).length === 10))""")
    assert confusion, "the confusion matrix is back"
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("“My model” is ready", exact=False).count() == 1
    go_to(page, "Images", "Network explorer")
    page.get_by_role("heading", name="Network explorer").wait_for(timeout=60_000)
    page.get_by_text("my trained model", exact=True).click()
    page.wait_for_function(f"() => location.search.includes('model={model}')", timeout=30_000)
    wait_quiet(page)
    assert page.get_by_text("Train a model in the training lab first").count() == 0
    assert page.get_by_text("your model", exact=False).count() >= 1
    page.reload()                                    # /layers?model=<id> after a reload: still "my trained model"
    page.get_by_role("heading", name="Network explorer").wait_for(timeout=60_000)
    wait_quiet(page)
    assert page.get_by_text("Train a model in the training lab first").count() == 0
    assert_clean(page, errors)
    page.close()


def test_1_a_loaded_model_is_the_one_that_answers_a_drawing(server, browser):
    """Issue 22 (1): a model loaded from a .safetensors file answers "Draw your own", not the bundled one; the URL
    carries its id and a reload keeps it."""
    page, errors = load(browser, f"{server}/training", "lost-load-before")
    page.locator(".st-key-tr_upload input[type=file]").set_input_files(str(ASSETS / "digits_small.safetensors"))
    page.get_by_text("Loaded a model for", exact=False).wait_for(timeout=60_000)
    wait_quiet(page)
    assert re.fullmatch(r"[a-z0-9]{10}", _query(page).get("model", ""))
    draw_a_one(page)
    verdict = page.get_by_text("according to your loaded model")
    verdict.wait_for(timeout=30_000)
    wait_quiet(page)
    assert page.get_by_text("according to the bundled digits model").count() == 0
    page.screenshot(path=str(SHOTS / "lost-load-drawn.png"), full_page=True)
    page.reload()
    page.get_by_role("heading", name="Draw your own").wait_for(timeout=60_000)
    wait_quiet(page)
    draw_a_one(page)
    page.get_by_text("according to your loaded model").wait_for(timeout=30_000)
    assert_clean(page, errors)
    page.close()


def _restart_server(monkeypatch, tmp_path):
    """A server of the test's own on its own data directory, to stop and start again."""
    import sys
    sys.path.insert(0, str(SHOTS.parents[1] / "benchmarks"))
    import loadtest
    monkeypatch.setenv("CONVLAB_DATA_DIR", str(tmp_path / "data"))
    port = loadtest.free_port()
    return loadtest, port, f"http://127.0.0.1:{port}"


def _dashboard_open(page, timeout: float = 60_000) -> None:
    try:
        page.get_by_role("button", name="Close the class").wait_for(timeout=timeout)
    except Exception:       # seen once in a full run under load, never alone: keep what the page showed for the next look
        page.screenshot(path=str(SHOTS / "lost-dashboard-not-open.png"), full_page=True)
        (SHOTS / "lost-dashboard-not-open.txt").write_text(f"{page.url}\n{page.inner_text('body')}")
        raise
    assert page.get_by_label("Teacher key").count() == 0


def test_2_the_teacher_key_survives_a_reload_and_a_server_restart(browser, monkeypatch, tmp_path):
    """Issue 22 (2): the dashboard stays open after a reload and after a server restart, /teacher lists the class
    with its code and key after a reload, and the key is never in a URL."""
    loadtest, port, url = _restart_server(monkeypatch, tmp_path)
    server = loadtest.start_server(port, 120)
    context = browser.new_context()
    try:
        page = open_page(context, f"{url}/teacher?count=3")[0]
        page.get_by_role("button", name="Start a class session with this set").click()
        page.get_by_text("Class code:", exact=False).wait_for(timeout=30_000)
        code = re.search(r"Class code: ([A-Z0-9]{4}-[A-Z0-9]{4})", page.inner_text("body")).group(1)
        page.wait_for_function("() => [...document.querySelectorAll('code')].some(c => /^([A-Z0-9]{4}-){4}[A-Z0-9]{4}$/"
                               ".test(c.innerText.trim()))")
        key = next(t.strip() for t in page.locator("code").all_inner_texts()
                   if re.fullmatch(r"([A-Z0-9]{4}-){4}[A-Z0-9]{4}", t.strip()))
        page.get_by_role("link", name="Open the live dashboard").click()
        _dashboard_open(page)
        page.reload()                                                   # a reload of /dashboard
        _dashboard_open(page)
        assert key not in page.url
        screenshot(page, "lost-dashboard-reloaded")
        page.goto(f"{url}/teacher?count=3")                              # /teacher after a reload lists the class
        page.get_by_text("Your classes").wait_for(timeout=60_000)
        assert code in page.inner_text("body")
        page.get_by_role("button", name="Show the teacher key").click()
        page.get_by_text(key, exact=True).wait_for(timeout=10_000)
        screenshot(page, "lost-teacher-classes")
        page.get_by_role("link", name="Open its dashboard").click()
        _dashboard_open(page)
        started = page.evaluate("() => window.__stStarted")
        server.terminate()
        server.wait(60)
        server = loadtest.start_server(port, 120)                      # the same data directory
        page.wait_for_function("n => window.__stStarted > n", arg=started, timeout=90_000)   # it reconnected
        _dashboard_open(page, 90_000)
        assert all(key not in value for value in page.evaluate("() => [location.href, document.cookie]"))
        screenshot(page, "lost-dashboard-restarted")
    finally:
        context.close()
        server.terminate()
        server.wait(60)


# As soon as the class code is drawn (the page's run goes on to draw the keeper further down), the teacher leaves
# for the lesson map from the top bar: in the same JavaScript task, before the rest of the run reaches the browser.
LEAVE_AT_ONCE = """() => new Promise((done) => {
  const leave = () => {
    if (!document.body.innerText.includes('Class code:')) return false;
    const link = [...document.querySelectorAll('a[data-testid="stTopNavLink"]')]
      .find((a) => a.innerText.includes('Lesson map'));
    link.click();
    done(true);
    return true;
  };
  const seen = new MutationObserver(() => { if (leave()) seen.disconnect(); });
  seen.observe(document.body, {childList: true, subtree: true, characterData: true});
  [...document.querySelectorAll('button')].find((b) => b.innerText.includes('Start a class session')).click();
})"""


def test_2_a_teacher_who_leaves_the_page_at_once_keeps_the_key(server, browser):
    """Issue 21's finding: a teacher who starts a class and leaves /teacher at once, before its run drew the
    browser's keeper, lost the key to the next reload. The next page keeps it (ui.keeper.keep_unsaved)."""
    context = browser.new_context()
    try:
        page = open_page(context, f"{server}/teacher?count=3")[0]
        page.get_by_role("button", name="Start a class session with this set").wait_for(timeout=60_000)
        page.evaluate(LEAVE_AT_ONCE)
        page.wait_for_function("() => Object.keys(JSON.parse(localStorage.getItem('convlab.teacher_keys') || '{}'))"
                               ".length === 1", timeout=60_000)
        code = next(iter(page.evaluate("() => JSON.parse(localStorage.getItem('convlab.teacher_keys'))")))
        page.goto(f"{server}/teacher?count=3")                             # a new session: the key came from the browser
        page.get_by_text("Your classes").wait_for(timeout=60_000)
        assert f"{code[:4]}-{code[4:]}" in page.inner_text("body")
    finally:
        context.close()


# A link clicked while the page's run is still drawing: the keeper (drawn last on /teacher) reaches the browser only
# after the click, and the next page's run 1 s after the keeper has kept the key (and reported it, before this fix),
# as from a loaded server: time for the server to take that report before the browser shows the next page.
KEPT_KEY = "() => Object.keys(JSON.parse(localStorage.getItem('convlab.teacher_keys') || '{}')).length === 1"
KEPT_A_SECOND_AGO = f"""() => {{
  if (!({KEPT_KEY})()) return false;
  window.__keptAt = window.__keptAt || performance.now();
  return performance.now() - window.__keptAt > 1000;
}}"""


@pytest.mark.parametrize("link, arrived, path", [
    (lambda page: page.get_by_role("link", name="Open the live dashboard"),
     lambda page: page.get_by_role("button", name="Close the class"), "/dashboard"),
    (lambda page: page.get_by_test_id("stTopNavLink").filter(has_text="Lesson map"),
     lambda page: page.get_by_role("heading", name="ConvLab").first, "/"),
], ids=["page-link", "top-menu"])
def test_2_a_link_clicked_while_the_page_still_draws_opens_its_page(server, browser, link, arrived, path):
    """A teacher who starts a class and opens the live dashboard (or the lesson map from the top menu) before
    /teacher's run has reached the browser's keeper, the last thing it draws, gets that page. The keeper, drawn after
    the click, reported the key with /teacher's page and that report's rerun took her back to /teacher, every time
    here (seen under full-suite load in test_2_the_teacher_key_survives_... and with LEAVE_AT_ONCE); the key is kept."""
    from chromium import hold_from, release_held, wait_held
    context = browser.new_context()
    try:
        page = open_page(context, f"{server}/teacher?count=3", slow=True)[0]
        page.get_by_text("Looking for the classes", exact=False).wait_for(state="detached", timeout=60_000)
        wait_quiet(page)                                    # the keeper's first report and its rerun are done
        hold_from(page, "teacher_keys")                     # the keeper's update, drawn after the link
        page.get_by_role("button", name="Start a class session with this set").click()
        wait_held(page)                                     # the server has drawn the keeper: it is on its way
        link(page).click()                                  # the class's link is drawn; its keeper is not yet
        release_held(page, KEPT_A_SECOND_AGO)               # the keeper runs before the next page's run comes
        arrived(page).wait_for(timeout=60_000)
        wait_quiet(page)
        page.wait_for_function(KEPT_KEY, timeout=30_000)
        page.wait_for_timeout(2_000)     # not a sync: a rerun of /teacher asked for before the release would be here
        assert urllib.parse.urlparse(page.url).path == path
        assert "/teacher" not in page.evaluate("() => window.__stHold.paths"), "it went back to /teacher"
        assert arrived(page).is_visible()
        screenshot(page, f"lost-link-while-drawing-{path.strip('/') or 'home'}")
    finally:
        context.close()


def _check(page, q: int, texts: list[str], expect: str) -> None:
    before = page.evaluate("t => document.body.innerText.split(t).length - 1", expect)
    form = page.locator("[data-testid='stForm']").nth(q)
    for i, text in enumerate(texts):
        form.locator("input").nth(i).fill(text)
    form.get_by_role("button", name="Check").click()
    page.wait_for_function("([t, n]) => document.body.innerText.split(t).length - 1 > n", arg=[expect, before],
                           timeout=30_000)


def test_3_a_reload_mid_set_keeps_progress_and_a_revealed_question_never_scores(server, browser):
    """Issue 22 (3): on a teacher's set link without a class, a reload keeps every answer's effect and the opened
    solution; the revealed question answered right afterwards earns nothing, before or after the reload."""
    from convlab.classroom.exercises import format_answer, make_set
    exercises = make_set(["output_size", "tf_same"], 2, 1, 3)
    right = [[format_answer(p) for p in ex.parts] for ex in exercises]
    context = browser.new_context()
    try:
        page, errors = open_page(context, f"{server}/exercises?kinds=output_size,tf_same&count=2&level=1&seed=3&tries=1")
        _check(page, 0, right[0], "Right!")
        _check(page, 1, ["9", "9", "9"], "Not quite")
        page.get_by_role("button", name="Show the worked solution").click()
        page.get_by_text("Worked solution").first.wait_for(timeout=30_000)
        wait_quiet(page)
        # the browser keeps it once its keeper has drawn the run's data (on a loaded machine that can come after the
        # run's last message: a reload before it reloads the record as it was, as it would for a student's reload)
        page.wait_for_function("() => Object.values(JSON.parse(localStorage.getItem('convlab.practice') || '{}'))"
                               ".some((q) => q.revealed)", timeout=30_000)
        page.reload()
        page.get_by_text("1 with the solution opened", exact=False).first.wait_for(timeout=60_000)
        wait_quiet(page)
        assert "Finished: 1 of 2 right, 1 with the solution opened" in page.inner_text("body")
        assert page.get_by_text("Worked solution").count() >= 1          # still open after the reload
        _check(page, 1, right[1], "Right, but after opening the solution: no credit")
        assert "Finished: 1 of 2 right, 1 with the solution opened" in page.inner_text("body")
        screenshot(page, "lost-exercises-reloaded")
        assert_clean(page, errors)
    finally:
        context.close()


def test_8_a_cleared_cell_keeps_the_last_good_grid_and_the_view(server, browser):
    """Issue 22 (8): Delete on a cell of /conv2d's input table used to say "x row 2: 'nan' (number 2) is not
    allowed" (counting from 1) and drop the lesson view and the tables; now the cell is named as the table labels
    it, and the view, the tables and the other controls stay as they were."""
    from playwright.sync_api import expect

    from chromium import wait_idle, wait_still
    page, errors = load(browser, f"{server}/conv2d?stride=2&padding=same", "lost-table-before")
    x_before = _query(page).get("x")
    page.get_by_text("Edit the numbers").click()
    wait_idle(page)
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for(state="visible")
    table.scroll_into_view_if_needed()
    wait_still(table)
    box = table.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + 35 + 17)     # row 0, column 0 (below the header)
    expect(page.locator("[data-testid='glide-cell-1-0'][aria-selected='true']").first).to_have_count(1)
    for key in ("ArrowDown", "ArrowDown", "ArrowRight"):
        page.keyboard.press(key)
    expect(page.locator("[data-testid='glide-cell-2-2'][aria-selected='true']").first).to_have_count(1)
    page.keyboard.press("Delete")
    page.get_by_text("x[2, 1] is empty: type a number", exact=False).wait_for(timeout=30_000)
    wait_quiet(page)
    assert page.get_by_text("'nan'", exact=False).count() == 0
    assert page.locator("[data-testid='lesson-view']").count() == 1, "the lesson view stays"
    assert page.locator("[data-testid='stDataFrame']").count() >= 1, "the tables stay"
    query = _query(page)
    assert query.get("x") == x_before and query.get("stride") == "2" and query.get("padding") == "same"
    screenshot(page, "lost-table-cleared")
    assert_clean(page, errors)
    page.close()


def _same_qr(page, text: str) -> bool:
    """Whether the page's QR code image is the QR code of `text`: Streamlit serves it scaled and re-encoded, so
    they are compared module by module (each module's centre, black or white)."""
    import io

    import numpy as np
    import segno
    from PIL import Image

    src = page.locator("[data-testid='stImage'] img").first.get_attribute("src")
    served = np.asarray(Image.open(io.BytesIO(page.request.get(urllib.parse.urljoin(page.url, src)).body()))
                        .convert("L")) < 128
    want = np.array([[bool(v) for v in row] for row in segno.make(text, error="m").matrix_iter(border=3)])
    n = len(want)
    centres = ((np.arange(n) + 0.5) * served.shape[0] / n).astype(int)
    return bool(np.array_equal(served[np.ix_(centres, centres)], want))


def _start_a_class(page) -> str:
    wait_quiet(page)
    page.get_by_role("button", name="Start a class session with this set").click()
    try:
        page.get_by_text("Class code:", exact=False).wait_for(timeout=30_000)
    finally:
        screenshot(page, "lost-qr-started")
    page.wait_for_selector("[data-testid='stImage'] img", timeout=30_000)
    wait_quiet(page)
    return re.search(r"Class code: ([A-Z0-9]{4}-[A-Z0-9]{4})", page.inner_text("body")).group(1).replace("-", "")


def test_9_the_qr_code_uses_convlab_public_url_and_warns_at_localhost(server, browser, monkeypatch, tmp_path):
    """Issue 22 (9): opened at a loopback address, /teacher warns that its links open on no phone and offers the
    network address; with CONVLAB_PUBLIC_URL, the student link and its QR code carry that address."""
    context = browser.new_context()
    try:
        page = open_page(context, f"{server}/teacher?count=3")[0]                # the test server: 127.0.0.1
        warning = page.get_by_text("(localhost), so the student links", exact=False)
        warning.wait_for(timeout=30_000)
        offered = page.get_by_role("link", name=re.compile(r"^Open this page at http:"))
        assert offered.count() == 1 or page.get_by_text("no network address other than localhost").count() == 1
        if offered.count():
            assert "127.0.0.1" not in offered.get_attribute("href") and "/teacher?" in offered.get_attribute("href")
        code = _start_a_class(page)
        assert _same_qr(page, f"{server}/exercises?class={code}")                  # what it warned about
        assert not _same_qr(page, f"{server}/exercises?class={code[::-1]}")       # the comparison tells codes apart
        screenshot(page, "lost-qr-localhost")
    finally:
        context.close()

    loadtest, port, url = _restart_server(monkeypatch, tmp_path)
    monkeypatch.setenv("CONVLAB_PUBLIC_URL", "https://convlab.school.example/")
    own = loadtest.start_server(port, 60)
    context = browser.new_context()
    try:
        page = open_page(context, f"{url}/teacher?count=3")[0]
        code = _start_a_class(page)
        link = f"https://convlab.school.example/exercises?class={code}"
        assert page.get_by_text(link, exact=True).count() == 1
        assert _same_qr(page, link)
        assert page.get_by_text("(localhost), so the student links", exact=False).count() == 0
        assert "https://convlab.school.example/exercises?kinds=" in page.inner_text("body")       # the set's link too
        screenshot(page, "lost-qr-public-url")
    finally:
        context.close()
        own.terminate()
        own.wait(60)


def test_5_a_class_closed_while_a_student_types_keeps_the_typed_text_with_a_notice_there(server, browser):
    """Issue 22 (5): the teacher closes the class while a student types: the boxes stay with what she typed,
    read-only, next to "your teacher closed this class at HH:MM", and nothing more is stored."""
    from ui import store
    info, key = store.create_class(["output_size", "tf_same"], 2, 1, 5)
    context = browser.new_context()
    try:
        page, errors = open_page(context, f"{server}/exercises?class={info.code}")
        page.get_by_label("Your nickname", exact=False).fill("Ada")
        page.get_by_role("button", name="Join").click()
        page.get_by_text("you are Ada", exact=False).wait_for(timeout=30_000)
        wait_quiet(page)
        forms = page.locator("[data-testid='stForm']")
        forms.nth(0).locator("input").nth(0).fill("12345")                 # typed, not checked yet
        forms.nth(1).locator("input").nth(0).fill("7")
        store.close_class(info.code, key)
        forms.nth(1).get_by_role("button", name="Check").click()          # the next run finds the class closed
        page.get_by_text("Your teacher closed this class at", exact=False).first.wait_for(timeout=30_000)
        wait_quiet(page)
        first = forms.nth(0).locator("input").nth(0)
        assert first.input_value() == "12345"
        assert forms.nth(1).locator("input").nth(0).input_value() == "7"
        assert forms.nth(0).get_by_text("Your teacher closed this class at", exact=False).count() == 1
        assert store.class_report(info.code, key).answers == 0                      # nothing stored after the close
        screenshot(page, "lost-class-closed-typing")
        assert_clean(page, errors)
    finally:
        context.close()


def test_4_leaving_init_mid_run_and_coming_back_finds_the_experiment_going_on(server, browser):
    """Issue 22 (4): leave /init during its experiment and come back: it went on in the pool (the other page's
    sidebar showed it), and its curves are there, not "Press Run"."""
    page, errors = load(browser, f"{server}/init?epochs=5", "lost-init-before")
    page.get_by_role("button", name="Run: train one ReLU net per initialisation").click()
    page.get_by_text("Experiment: training", exact=False).first.wait_for(timeout=120_000)
    go_to(page, "Deep networks", "Dropout")
    page.get_by_role("heading", name="Dropout").first.wait_for(timeout=60_000)
    back = page.locator("[data-testid='stSidebar']").get_by_role("link", name="Back to Initialisation")
    back.wait_for(timeout=30_000)
    page.locator("[data-testid='stSidebar']").get_by_text(re.compile(r"Initialisation: (step \d+ of \d+|experiment)"))\
        .first.wait_for(timeout=30_000)
    screenshot(page, "lost-init-elsewhere")
    back.click()
    page.get_by_role("heading", name="Experiment: does it train?").wait_for(timeout=60_000)
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .some(p => (p.data || []).some(t => (t.x || []).length > 0 && /He|Xavier|zeros/.test(t.name || '')))""",
                           timeout=120_000)
    assert page.get_by_text("Press Run:", exact=False).count() == 0
    assert page.get_by_text("was stopped", exact=False).count() == 0
    screenshot(page, "lost-init-back")
    assert_clean(page, errors)
    page.close()


VIEW = "[data-testid='lesson-view']"


def _step(page, index: int = 0) -> int:
    return int(page.locator(VIEW).nth(index).get_attribute("data-step"))


def _scroll_top(page) -> float:
    return page.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollTop))")


def test_6_keys_after_a_background_click_a_menu_click_and_with_views_off_screen(server, browser):
    """Issue 22 (6): after a click on the page background PageDown steps (it scrolled the page 630 px) and Space
    plays; after a click on a menu link → steps the new page's view; a view scrolled off screen never moves, the
    one on screen does; typing in a box is never taken."""
    from playwright.sync_api import expect
    page, errors = load(browser, f"{server}/conv2d", "lost-keys-before")
    page.wait_for_selector(VIEW)
    wait_quiet(page)
    title = page.get_by_role("heading", name="2D convolution").bounding_box()
    page.mouse.click(title["x"] + title["width"] + 200, title["y"] + 10)        # the page background, beside the title
    before = _scroll_top(page)
    page.keyboard.press("PageDown")
    expect(page.locator(VIEW).first).to_have_attribute("data-step", "1", timeout=5_000)
    assert _scroll_top(page) == before, "PageDown stepped the view instead of scrolling the page"
    page.keyboard.press("PageUp")
    expect(page.locator(VIEW).first).to_have_attribute("data-step", "0", timeout=5_000)
    page.keyboard.press(" ")
    expect(page.locator(VIEW).first).not_to_have_attribute("data-step", "0", timeout=10_000)      # playing
    page.keyboard.press(" ")                                                     # pause again
    page.locator("[data-testid='stSidebar'] input").first.wait_for(timeout=10_000)
    box = page.get_by_label("Bias (one per filter)")
    box.click()
    at = _step(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert _step(page) == at, "arrows in a text box move its cursor, not the view"
    go_to(page, "Convolution", "Pooling")                                    # a menu link, then →
    page.get_by_role("heading", name="Pooling").first.wait_for(timeout=60_000)
    page.wait_for_selector(VIEW)
    wait_quiet(page)
    page.keyboard.press("ArrowRight")
    expect(page.locator(VIEW).first).to_have_attribute("data-step", "1", timeout=5_000)

    page.goto(f"{server}/backward")                                              # several views on one page
    page.wait_for_selector(VIEW)
    wait_quiet(page)
    views = page.locator(VIEW)
    assert views.count() >= 3
    views.nth(0).click()                                                         # the first one touched last
    views.nth(2).scroll_into_view_if_needed()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    first, third = _step(page, 0), _step(page, 2)
    page.keyboard.press("ArrowRight")
    expect(views.nth(2)).to_have_attribute("data-step", str(third + 1), timeout=5_000)
    assert _step(page, 0) == first, "a view scrolled off screen never moves"
    screenshot(page, "lost-keys-backward")
    assert_clean(page, errors)
    page.close()


def test_7_a_menu_click_right_after_a_step_is_never_lost(server, browser):
    """Issue 22 (7): step the view, then click another lesson in the menu 0.2 s later: the new page opens, 20 times
    out of 20 (it stayed on the page in 5 of 5 tries within about 0.9 s: the step report's rerun won)."""
    page, errors = load(browser, f"{server}/conv2d", "lost-menu-before")
    pages = [("Pooling", "Pooling"), ("2D convolution", "2D convolution")]
    for i in range(20):
        link, heading = pages[i % 2]
        page.wait_for_selector(VIEW)
        wait_quiet(page)
        page.locator(VIEW).first.click()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)                                               # the student's 0.2 s, not a sync
        go_to(page, "Convolution", link)
        page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=20_000)
    assert_clean(page, errors)
    page.close()


def test_6_the_explorer_steps_with_the_arrow_right_after_a_unit_click(server, browser):
    """Issue 22 (6): in the network explorer, → did nothing right after clicking a unit in the overview."""
    from playwright.sync_api import expect

    from chromium import wait_idle, wait_still
    from test_explorer import click_unit
    page, errors = load(browser, f"{server}/layers", "lost-keys-explorer")
    overview = page.locator("[data-testid='network-overview']")
    overview.wait_for()
    wait_still(overview)
    click_unit(page, 2, 3, 4, 7)
    wait_idle(page)
    page.wait_for_selector(VIEW)
    wait_quiet(page)
    assert _step(page) == 0
    page.keyboard.press("ArrowRight")                  # no click on the view first (the README's promise)
    expect(page.locator(VIEW).first).to_have_attribute("data-step", "1", timeout=5_000)
    assert_clean(page, errors)
    page.close()


def test_10_the_back_button_on_one_page_goes_back_to_its_earlier_settings(server, browser):
    """Each new address of a page is an entry of the browser's history (Streamlit pushes it). Back goes to the
    earlier settings and forward again to the later: use_state keeps a session's newest state against an older
    address of its own only when the browser sent it with a click, not with the back or forward button."""
    page, errors = open_page(browser, f"{server}/conv1d")
    type_into(page, "Stride s", "2")
    page.wait_for_function("() => new URLSearchParams(location.search).get('stride') === '2'")
    type_into(page, "Dilation d", "2")
    page.wait_for_function("() => new URLSearchParams(location.search).get('dilation') === '2'")
    page.go_back()
    expect(page.get_by_label("Dilation d", exact=True)).to_have_value("1")
    expect(page.get_by_label("Stride s", exact=True)).to_have_value("2")
    page.go_forward()
    expect(page.get_by_label("Dilation d", exact=True)).to_have_value("2")
    wait_quiet(page)
    assert "stride=2" in page.url and "dilation=2" in page.url, page.url
    assert_clean(page, errors)
    page.close()



def test_11_a_setting_changed_back_before_its_address_arrived_leaves_no_stale_address(server, browser):
    """Stride 2 writes stride=2 into the address, but the browser has not got it (a busy server: the kit holds the
    server's messages) when the student sets stride 1 again, so that run comes with the address from before. Its
    state is that address, yet the browser is about to show stride=2: the run must send its address anyway. It used
    to compare only with the address it came with, and the page showed stride 1 under an address with stride=2 (a
    reload then brought stride 2 back); /training's model id went missing from the address the same way, once in a
    run of the suite, when a run cut short by the next one still sent its address on the way out."""
    page, errors = open_page(browser, f"{server}/conv1d", slow=True)
    stride = page.get_by_label("Stride s", exact=True)
    hold_from(page, "stride=2")                       # the run's new address and everything after it
    stride.fill("2")
    stride.press("Enter")
    wait_held(page)
    assert "stride=2" not in page.url
    stride.fill("1")
    stride.press("Enter")                               # sent with the address the browser shows: no stride
    release_held(page, "() => true")
    page.wait_for_function("() => window.__stUrls.some(u => u.includes('stride=2'))")   # the held address came ...
    wait_quiet(page)
    page.wait_for_function("() => !location.search.includes('stride=2')", timeout=30_000)  # ... and the next one
    expect(stride).to_have_value("1")
    page.reload()
    wait_quiet(page)
    expect(page.get_by_label("Stride s", exact=True)).to_have_value("1")
    assert_clean(page, errors)
    page.close()
