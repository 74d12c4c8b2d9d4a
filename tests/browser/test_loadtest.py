"""The load-test script itself, in miniature against the test server: two students (one training) do a whole
lesson over Streamlit's protocol with no error (the lessons, the explorer, explanations, feature maps, top
patches, training and exercises), while a teacher runs a live class of four more who join and
answer (every confirmed answer stored once), so the script keeps working as the app changes.
The real figures come from running it at full size (docs/deploy.md), never from a timed test."""

import concurrent.futures
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))

import loadtest  # noqa: E402


def test_two_students_do_a_lesson_without_errors(server):
    argv = ["--url", server, "--students", "2", "--training", "1", "--rounds", "1", "--think", "0", "0.1",
            "--ramp", "0", "--epochs", "1", "--ttl", "1", "--settle", "0", "--timeout", "90",
            "--class-students", "4", "--class-questions", "3",
            "--sections", "training,lessons,explorer,occlusion,features,patches,exercises"]
    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        r = pool.submit(loadtest.main, argv).result(timeout=600)
    assert r["errors"] == 0, r["error_samples"]
    assert r["students_finished"] == 2 and r["sessions_lost"] == 0
    assert r["trained"] == 1                       # student 0 trained to the end
    actions = r["per_action"]
    assert actions["features: upload photo"]["n"] == 2 and actions["occlusion: upload photo"]["n"] == 2
    assert actions["start training"]["n"] == 1
    assert actions["step"]["n"] == 4                   # each student reported a step on /conv2d and on /pooling
    for kind in ("explorer: click a unit", "explorer: step", "explorer: softmax", "occlusion: switch model",
                 "occlusion: set window", "features: set activation", "features: set kernels", "patches: choose a unit"):
        assert actions[kind]["n"] == 2, kind
    assert set(r["kinds_over"]) == {k for k, a in actions.items() if a["p95_s"] > r["target_s"]}
    assert r["interactions"] == sum(a["n"] for a in actions.values()) and r["p95_s"] > 0
    assert actions["class: join"]["n"] == 4 and r["class_answers"] == 12 and r["class_answer_p95_s"] > 0
    assert r["class_answers_confirmed"] == r["class_answers_stored"] == 12
    assert r["class_answers_lost"] == r["class_answers_duplicated"] == 0


def test_a_reported_step_reaches_the_url_in_one_rerun(server):
    """What the lesson view does once the stepping pauses (setStateValue), over the protocol: one rerun, and the
    page writes the step into its URL (the link a teacher shares)."""
    import asyncio

    from stclient import StClient

    async def lesson():
        async with StClient(server, timeout=60, name="teacher") as tab:
            await tab.open("conv2d")
            assert "step" not in tab.query
            await tab.set_state("c2_view", step=5)
            assert "step=5" in tab.query, tab.query
            await tab.set_state("c2_view", speed=2)          # the speed too; the step stays
            assert "step=5" in tab.query and not tab.errors, (tab.query, tab.errors)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, lesson()).result(timeout=300)
