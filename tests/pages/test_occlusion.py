"""AppTest: the explanations page (/occlusion) with the bundled models and with the student's own model: the
occlusion views, Grad-CAM and saliency beside it (their numbers checked against convlab and Captum), the measured
agreement, the worked examples, and the sanity check run through the job pool."""

import json

import numpy as np
import pytest

from apptest_kit import open_page, shown, values
from jobs_kit import wait as _wait, watch as _watch

PAGE = "pages/images/occlusion.py"


def figure(at, key: str) -> dict:
    """The figure of the chart with this key (the page's charts: oc_heat, oc_cam, oc_sal, oc_anim, oc_grid, ...)."""
    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(charts) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return json.loads(charts[0].proto.spec)


def test_digits_default_views():
    at = open_page(PAGE)
    assert "with 49 occluder positions" in shown(at)
    anim = figure(at, "oc_anim")
    assert len(anim["frames"]) == 49 and anim["frames"][8]["layout"]["title"]["text"].startswith("occluder at row 1, col 1")
    grid = values(figure(at, "oc_grid")["data"][1]["z"])
    assert grid.shape == (7, 7) and ((0 <= grid) & (grid <= 1)).all()
    heat = values(figure(at, "oc_heat")["data"][1]["z"])
    assert heat.shape == (8, 8) and np.abs(heat).max() > 0
    assert not [c for c in at.get("plotly_chart") if "oc_photo_" in c.proto.id]    # a test image: no photo to show


def test_shapes_settings_and_target():
    at = open_page(PAGE, model="shapes", window="8", stride="4", baseline="blur", target="2")
    assert "Explaining class **triangle** with 49 occluder positions" in shown(at)
    at.number_input(key="oc_window").set_value(40).run()
    assert not at.exception and "URL value" not in shown(at)
    at = open_page(PAGE, model="shapes", window="4", stride="8")
    assert "stride 8×8 is larger than the window 4×4" in shown(at)


def test_my_model_needs_a_trained_one():
    at = open_page(PAGE, model="mine")
    assert "Train a model in the training lab first" in shown(at)


def _check_on_the_photo(at, k: int) -> None:
    """Each map shown on the photo is the model-size map stretched as Captum's LayerAttribution.interpolate does."""
    import torch
    from captum.attr import LayerAttribution

    for m, key in (("occlusion", "oc_heat"), ("grad_cam", "oc_cam"), ("saliency", "oc_sal")):
        small = values(figure(at, key)["data"][1]["z"])
        on = figure(at, f"oc_photo_{m}")
        h, w = small.shape
        want = LayerAttribution.interpolate(torch.tensor(small)[None, None], (k * h, k * w), "bilinear")[0, 0]
        np.testing.assert_allclose(values(on["data"][1]["z"]), want.numpy(), rtol=1e-5, atol=1e-5 * np.abs(small).max())
        assert on["data"][0]["type"] == "image"                              # the photo in colour underneath
    assert f"kept in colour at {k * h}×{k * w} pixels" in shown(at)


def test_occlusion_on_a_sample_photo_and_an_upload():
    import io

    from PIL import Image

    at = open_page(PAGE, model="shapes", source="sample", sample="a shape", window="8", stride="4")
    text = shown(at)
    assert "cropped and scaled to the model's 32×32 colour input" in text and "with 49 occluder positions" in text
    assert values(figure(at, "oc_heat")["data"][1]["z"]).shape == (32, 32)
    _check_on_the_photo(at, 6)                                  # 32 × 6 = 192 pixels across
    at = open_page(PAGE, source="upload")
    assert "Upload a photo" in shown(at) and not at.exception
    ink = np.full((120, 90), 255, np.uint8)
    ink[20:100, 40:50] = 0                                      # a dark "1" on white paper
    buf = io.BytesIO()
    Image.fromarray(ink).save(buf, "PNG")
    at.file_uploader(key="oc_upload").upload("one.png", buf.getvalue(), "image/png").run()
    at.toggle(key="oc_invert").set_value(True).run()
    assert "8×8 grey input" in shown(at) and values(figure(at, "oc_heat")["data"][1]["z"]).shape == (8, 8)
    _check_on_the_photo(at, 24)                                 # the photo in colour (not inverted), 8 × 24 = 192
    at.file_uploader(key="oc_upload").upload("bad.png", b"GIF89a broken", "image/png").run()
    assert at.error and not at.exception


def test_a_large_map_goes_through_the_job_pool_and_shows_when_done(monkeypatch):
    """The page's job waits in the queue behind another one, then shows its progress, then the map. The pool
    (one worker) and both jobs are the test's: it lets each one go on only after it has checked the page."""
    import threading

    import convlab.images.explain.occlusion
    from ui import jobs

    pool = jobs.JobPool(workers=1)
    monkeypatch.setattr(jobs, "POOL", pool)                              # the page reads ui.jobs.POOL on each run
    other_done, page_job_may_finish = threading.Event(), threading.Event()
    other = jobs.TaskJob(lambda on_progress: other_done.wait(60))         # another student's job holds the worker
    pool.submit(other)
    assert _wait(lambda: other.snapshot().state == "running")
    views = convlab.images.explain.occlusion.occlusion_views

    def held_views(*args, on_progress, **kwargs):                        # reports 5 positions, then waits
        on_progress(5, 961)
        assert page_job_may_finish.wait(60)
        return views(*args, on_progress=on_progress, **kwargs)
    monkeypatch.setattr(convlab.images.explain.occlusion, "occlusion_views", held_views)

    at = open_page(PAGE, model="shapes", window="2", stride="1")        # 31 × 31 = 961 positions > 400
    assert "961 occluder positions: waiting for a free worker, 1 in the queue." in shown(at)
    assert not at.get("progress") and "Explaining class" not in shown(at)
    job = at.session_state["oc_job"]
    other_done.set()                                                     # the worker is free: the page's job runs
    assert _wait(lambda: job.snapshot().done == 5)
    at.run()
    assert [p.proto.text for p in at.get("progress")] == ["Occluding… 5/961"]
    assert "in the queue" not in shown(at) and "Explaining class" not in shown(at)
    page_job_may_finish.set()
    assert _watch(job)
    assert job.snapshot().state == "done" and job.snapshot().done == job.snapshot().total == 961   # one pass: map and grid
    at.run()
    assert "Explaining class" in shown(at) and "with 961 occluder positions" in shown(at)
    grid = values(figure(at, "oc_grid")["data"][1]["z"])
    assert grid.shape == (31, 31)
    assert np.allclose(grid, job.result[1], atol=1e-6)
    # another setting: the old job is dropped, a new one starts (and is held after its first report)
    page_job_may_finish.clear()
    at.number_input(key="oc_window").set_value(3).run()
    new = at.session_state["oc_job"]
    assert new is not job and job.finished
    assert _wait(lambda: new.snapshot().done == 5)
    new.stop()                                  # a closed tab's job: stopped at its next report
    page_job_may_finish.set()
    assert _watch(new)
    assert new.snapshot().state == "stopped"


def test_faces_model_on_a_photo_and_the_eyes_cost_more_than_the_background():
    """The faces model at its own size (25×25 grey) on a bundled photo; the page states the measured
    eyes-versus-background result, the same numbers convlab.networks.face_checks gives."""
    from convlab.networks.face_checks import eyes_versus_background

    at = open_page(PAGE, 90, model="faces", source="sample", sample="astronaut", window="5", stride="2")
    text = shown(at)
    assert "cropped and scaled to the model's 25×25 grey input" in text and "P(face) = " in text
    assert "with 121 occluder positions" in text                       # (25 − 5) / 2 + 1 = 11 per axis
    heat = values(figure(at, "oc_heat")["data"][1]["z"])
    assert heat.shape == (25, 25)
    test = eyes_versus_background("faces")
    assert test.eyes.mean() < test.background.mean()
    assert test.text() in text and "the eyes matter far more than the background" in text


def test_faces_model_reads_a_sample_photo_cropped_to_the_face_found():
    """Issue 24: a sample photo goes through the same crop as a camera frame or an upload: the best box of
    convlab.find_faces, then the model's 25×25 grey input. The astronaut's centre crop, read whole, was "not face";
    cropped to her face it is a face (for any decent faces model: the verdict, not the exact probabilities)."""
    import convlab
    from convlab.datasets.photos import sample_image

    at = open_page(PAGE, 90, model="faces", source="sample", sample="astronaut", window="5", stride="2")
    text = shown(at)
    assert "**The model** says **face** (" in text, text[:600]
    photo = sample_image("astronaut", 256)
    found = convlab.find_faces(photo, "faces", (0.9, 0.6, 0.4, 0.27), 0.5)
    assert found, "find_faces finds no face on the astronaut"
    (top, left, side), _ = found[0]
    assert f"cropped first to the face that Find the face found ({side}×{side} pixels at row {top}, column {left}" in text
    # the maps on the photo are drawn on that box, not on the photo's centre crop
    crop = photo[max(0, top):top + side, max(0, left):left + side]
    picture, _ = convlab.maps_on_photo(crop, {"m": np.zeros((25, 25))}, (1, 25, 25))
    shown_photo = values(figure(at, "oc_photo_occlusion")["data"][0]["z"])
    np.testing.assert_allclose(shown_photo, np.clip(np.transpose(picture, (1, 2, 0)), 0, 1) * 255, atol=1e-3)


def _digits_input(index: int):
    """The bundled digits model and test image `index` as the page reads it (normalised, float32)."""
    from convlab.networks.bundled import bundled
    from convlab.datasets.registry import load_dataset
    data = load_dataset("digits")
    return bundled("digits").model.cpu().eval(), data.normalise(data.x_test[index:index + 1])[0]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients")
def test_grad_cam_and_saliency_beside_occlusion_equal_captum_and_the_agreement_is_measured():
    """The three maps side by side: saliency is Captum's Saliency (largest over channels), Grad-CAM is Captum's
    LayerGradCam at the chosen layer, stretched; the agreement lines are map_agreement of the three maps shown."""
    import torch
    from captum.attr import LayerAttribution, LayerGradCam, Saliency

    import convlab

    at = open_page(PAGE, index="3")
    model, x = _digits_input(3)
    target = int(model(torch.from_numpy(x)[None]).argmax())
    maps = {m: values(figure(at, key)["data"][1]["z"]) for m, key in
            (("occlusion", "oc_heat"), ("grad_cam", "oc_cam"), ("saliency", "oc_sal"))}
    want = Saliency(model).attribute(torch.from_numpy(x)[None], target=target, abs=True)[0].max(0).values.numpy()
    np.testing.assert_allclose(maps["saliency"], want, rtol=1e-5, atol=1e-7)
    last = convlab.default_cam_layer(model)
    cam = LayerGradCam(model, model[last]).attribute(torch.from_numpy(x)[None], target=target, relu_attributions=True)
    assert cam.shape[-2:] == (4, 4)
    stretched = LayerAttribution.interpolate(cam, (8, 8), "bilinear")[0, 0].detach().numpy()   # Captum's upsampling
    np.testing.assert_allclose(maps["grad_cam"], stretched, rtol=1e-4, atol=1e-6)
    text = shown(at)
    for line in convlab.map_agreement(maps, share=0.2).text():
        assert line in text
    assert f"Grad-CAM** at layer {last}" in text and r"\tfrac{1}{16}" in at.latex[1].value
    # another layer: the Grad-CAM map and the worked example follow it
    at.selectbox(key="oc_layer").set_value(0).run()
    cam0 = LayerGradCam(model, model[0]).attribute(torch.from_numpy(x)[None], target=target, relu_attributions=True)
    np.testing.assert_allclose(values(figure(at, "oc_cam")["data"][1]["z"]), cam0[0, 0].detach().numpy(),
                               rtol=1e-4, atol=1e-6)                    # layer 0 keeps 8×8: nothing to stretch
    assert "Grad-CAM** at layer 0" in shown(at)
    at.number_input(key="oc_top").set_value(50).run()
    assert "top 50% = 32 pixels" in shown(at)


def test_a_link_with_a_layer_this_model_has_no_maps_at_says_so():
    at = open_page(PAGE, layer="6")                      # digits: layer 6 is after the Flatten
    text = shown(at)
    assert "Grad-CAM layer 6 gives no maps in this model" in text and "using the last conv layer, 3" in text
    assert at.selectbox(key="oc_layer").value == -1 and not at.error and not at.exception


def test_the_sanity_check_runs_in_the_job_pool_and_shows_which_maps_change():
    """Run: the cascade goes through the pool (ui.experiments) with progress; the records and the figure
    are sanity_check's own numbers for the same model, image and seed; another seed stops the old result."""
    import convlab
    from apptest_kit import finish_experiment

    at = open_page(PAGE, model="digits", index="5", window="3", stride="2")
    assert "Press Run" in shown(at)
    at.button(key="occlusion_run").click().run()
    exp = finish_experiment(at, "occlusion")
    assert exp.job.snapshot().state == "done" and exp.job.snapshot().total == 4    # trained, then layers 7, 3, 0
    model, x = _digits_input(5)
    target = int(exp.job.result.target)
    base = np.zeros_like(x)[None]
    from convlab.datasets.registry import load_dataset
    base_n = load_dataset("digits").normalise(base.astype(np.float32))[0]
    want = convlab.sanity_check(model, x, target, convlab.METHODS, (3, 3), (2, 2), base_n, 3, 0)
    assert [s.layer for s in want.steps] == [s.layer for s in exp.job.result.steps] == [None, 7, 3, 0]
    for got, ref in zip(exp.job.result.steps, want.steps):
        assert got.similarity == ref.similarity
    text = shown(at)
    for line in want.text():
        assert line in text
    sanity = figure(at, "oc_sanity")
    assert len(sanity["data"]) == 3 * 4
    assert [round(y, 6) for y in figure(at, "oc_similarity")["data"][2]["y"]] == \
        [round(s.similarity["saliency"], 6) for s in want.steps]
    at.number_input(key="oc_seed").set_value(1).run()
    assert "Press Run" in shown(at) and exp.job.finished
