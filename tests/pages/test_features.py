"""AppTest: the feature-maps page, with samples, uploads (good and bad) and every kernel source."""

import io

import numpy as np
from PIL import Image

from apptest_kit import figures, open_page, rendered, shown, values

PAGE = "pages/images/features.py"


def test_sample_photo_through_hand_made_kernels():
    at = open_page(PAGE)
    assert "8 maps of 85×128" in shown(at)             # china.jpg at 256 px wide, 2×2 pooled
    at.toggle(key="fm_per_channel").set_value(True).run()
    assert "24 maps of" in shown(at)
    at.selectbox(key="fm_act").set_value("sigmoid").run()
    assert "slope is at most 0.25" in shown(at)


def test_random_and_kmeans_kernels():
    at = open_page(PAGE, sample="flower.jpg")
    at.radio(key="fm_kernels").set_value("random").run()
    assert "8 maps of" in shown(at)
    at.radio(key="fm_kernels").set_value("k-means").run()
    at.number_input(key="fm_count").set_value(4).run()
    assert "4 maps of" in shown(at) and not at.exception


def test_upload_good_and_bad_files():
    at = open_page(PAGE, source="upload")
    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((600, 400, 3)) * 255).astype(np.uint8)).save(buf, "PNG")
    at.file_uploader(key="fm_upload").upload("photo.png", buf.getvalue(), "image/png").run()
    text = shown(at)
    assert "downscaled from 400×600 to 171×256" in text and "maps of 128×85" in text
    at = open_page(PAGE, source="upload")
    at.file_uploader(key="fm_upload").upload("photo.png", b"not really a png", "image/png").run()
    assert "not an image ConvLab can read" in rendered(at.error[0].value) and not at.exception


def test_bad_url_values_fall_back():
    at = open_page(PAGE, sample="../../etc/passwd", pool="99")
    assert "URL value sample=../../etc/passwd was ignored" in shown(at)
    assert "URL value pool=99 was ignored" in shown(at)


def test_trained_kernels_and_shifting_the_photo():
    at = open_page(PAGE, kernels="trained")
    assert "16 maps of" in shown(at) and not at.exception        # the bundled shapes model's 16 first-layer kernels
    at = open_page(PAGE, sample="a shape", pool="1")
    before = at.session_state["fm_shift"]
    options = at.select_slider(key="fm_shift").options   # issue 24: a true minus sign on the slider, not "-20"
    assert options[0] == "−20" and options[-1] == "20" and not [o for o in options if "-" in o], options
    at.select_slider(key="fm_shift").set_value(5).run()
    assert before == 0 and not at.exception and at.query_params["shift"] == "5"


def test_custom_kernel_and_its_bad_input():
    at = open_page(PAGE, kernels="custom", sample="a shape")
    assert "1 maps of" in shown(at) and not at.exception
    at.text_area(key="fm_custom").set_value("1 0 -1; 2 0 -2; 1 0 -1").run()
    assert "1 maps of" in shown(at) and at.query_params["custom"] == "1 0 -1; 2 0 -2; 1 0 -1"
    at.text_area(key="fm_custom").set_value("1 2; 3 nan").run()
    assert at.error and not at.exception
    at = open_page(PAGE, kernels="custom", custom="<script>alert(1)</script>")
    assert "URL value custom=" in shown(at) and "1 maps of" in shown(at)


def test_shifted_photo_reports_equivariance_and_pooling():
    at = open_page(PAGE, sample="china.jpg", pool="2")
    at.select_slider(key="fm_shift").set_value(1).run()
    text = shown(at)
    assert "Moving the image 1 px changed the feature maps by" in text
    assert "by 0.0% once they are moved along with it" in text and "After 2×2 max pooling" in text


def test_every_photo_gets_its_face_probability():
    import re

    import convlab
    from convlab.datasets.photos import sample_image

    at = open_page(PAGE, sample="astronaut")
    got = int(re.search(r"P\(face\) = \*\*(\d+)%", shown(at)).group(1))
    assert got == round(100 * convlab.predict("faces", sample_image("astronaut", 256))["face"])


def test_sigmoid_maps_each_span_white_to_red():
    """Issue 24: after a sigmoid every value is between 0.5 and 1, and each map scaled to its largest value was one
    washed-out orange; each map runs from its own smallest value (white, 0) to its largest (red, 1)."""
    at = open_page(PAGE)
    at.selectbox(key="fm_act").set_value("sigmoid").run()
    maps = figures(at)[1]                                   # the kernels, then the maps (one mosaic trace)
    assert len(maps["layout"]["annotations"]) == 8
    z = np.array(values(maps["data"][0]["z"]), dtype=float)  # NaN between the tiles
    assert np.nanmin(z) == 0 and np.nanmax(z) == 1
    assert "from its smallest (white) to its largest (red)" in shown(at)
