"""AppTest: the Find the face page (/find-faces): its heat maps and boxes are convlab.images.find_faces's on the chosen photo,
the widgets change what is shown, the worked numbers, an upload; and the camera/upload view of the Explanations page
crops a photo to the face found before the faces model reads it."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from apptest_kit import open_page, shown, values
from convlab.images.find_faces import detection_threshold, face_heat_maps, find_faces
from convlab.datasets.photos import sample_image
from ui.find_faces import default_threshold, scales_from

PAGE = "pages/images/find_faces.py"


def chart(at, key: str) -> dict:
    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(charts) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return json.loads(charts[0].proto.spec)


def heat(at, k: int) -> np.ndarray:
    return values(chart(at, f"ff_heat_{k}")["data"][-1]["z"])


def test_default_astronaut_heat_maps_box_and_numbers():
    at = open_page(PAGE)
    photo = sample_image("astronaut", 256)
    search = face_heat_maps(photo, "faces", scales_from(27))
    for k, m in enumerate(search.maps):
        np.testing.assert_allclose(heat(at, k), m.p, rtol=1e-6, atol=1e-7)
    (top, left, side), p = search.best
    text = shown(at)
    assert f"{side}×{side} pixels at row {top}, column {left} of the 256×256 photo, P(face) = **{p:.2f}**" in text
    threshold = default_threshold() / 100                              # the detector's, above the classifier's 0.5
    assert threshold == pytest.approx(detection_threshold("faces"), abs=0.01) and threshold > 0.5
    found = find_faces(photo, "faces", scales_from(27), threshold)
    assert f"**{len(found)}** window(s) above P = {threshold:.2f}" in text
    assert found and found[0][0] == (top, left, side)                   # the best window is the first box
    assert len(chart(at, "ff_photo")["layout"]["shapes"]) == len(found) + (search.best not in found)
    assert "the largest difference is" in text and "float32 rounding" in text
    m = search.maps[1]                                                   # scale 2 by default
    assert f"scaled to **{m.scaled[0]}×{m.scaled[1]}** grey pixels" in text
    assert "2 kernels of 10×3×3" in text and "becomes 10 maps of 3×3" in text and "Cost" in text


def test_widgets_change_scales_threshold_and_the_worked_scale():
    at = open_page(PAGE, sample="coffee")
    at.slider(key="ff_smallest").set_value(40).run()
    assert not at.exception
    photo = sample_image("coffee", 256)
    search = face_heat_maps(photo, "faces", scales_from(40))
    assert [heat(at, k).shape for k in range(4)] == [m.p.shape for m in search.maps]
    at.slider(key="ff_threshold").set_value(99).run()
    found = find_faces(photo, "faces", scales_from(40), 0.99)
    assert f"**{len(found)}** window(s) above P = 0.99" in shown(at)
    at.number_input(key="ff_scale").set_value(4).run()
    m = search.maps[3]
    rows, cols = m.p.shape
    assert f"**{rows}×{cols} = {rows * cols}** windows" in shown(at)
    assert at.query_params["smallest"] == "40" and at.query_params["scale"] == "4"


def test_an_uploaded_photo_and_a_bad_one():
    at = open_page(PAGE, source="upload")
    assert "Upload a photo" in shown(at)
    img = (sample_image("astronaut", 200) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    at.file_uploader(key="ff_upload").upload("me.png", buf.getvalue(), "image/png").run()
    assert not at.exception and "of the 200×200 photo" in shown(at)
    at = open_page(PAGE, source="upload")
    at.file_uploader(key="ff_upload").upload("me.png", b"not a png", "image/png").run()
    assert not at.exception and len(at.error) == 1


def test_the_explanations_page_crops_an_upload_to_the_face_first():
    """A portrait whose face fills a small part of the frame: the faces model reads the best box, not the room."""
    from convlab.datasets.faces import package_photo
    grey = package_photo("grace hopper")
    img = (np.repeat(grey[..., None], 3, axis=2) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    at = open_page("pages/images/occlusion.py", model="faces", source="upload", window="5", stride="2")
    at.file_uploader(key="oc_upload").upload("grace.png", buf.getvalue(), "image/png").run()
    assert not at.exception
    text = shown(at)
    assert "cropped first to the face that Find the face found" in text
    assert "says **face**" in text
