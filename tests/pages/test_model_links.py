"""AppTest: a finished model is kept under an id, and a URL with ?model=<id> brings it back (a reload, a link
to a friend, the teacher's shared model) on the occlusion and network pages."""

import numpy as np

from ui import store
from convlab.networks.bundled import ASSETS
from ui.models import KEY

from apptest_kit import figure, open_page, shown, values

OCCLUSION = "pages/images/occlusion.py"
LAYERS = "pages/images/layers.py"


def _stored_digits() -> str:
    return store.save_model_bytes((ASSETS / "digits_small.safetensors").read_bytes(), "digits", "a test")


def test_a_link_with_a_model_id_brings_the_model_back():
    model_id = _stored_digits()
    at = open_page(OCCLUSION, model=model_id, window="3")
    assert not at.exception and "Explaining class" in shown(at)
    assert f"the model from the link ({model_id})" in at.radio(key="oc_model").options
    same_weights = open_page(OCCLUSION, model="digits", window="3")
    assert np.array_equal(values(figure(at, 1)["data"][1]["z"]), values(figure(same_weights, 1)["data"][1]["z"]))
    net = open_page(LAYERS, model=model_id, source="test", index="4")
    assert f"the shared model {model_id}** says" in shown(net)


def test_unknown_or_malformed_model_ids_say_what_to_do():
    at = open_page(OCCLUSION, model="abcdefghjk")
    assert "the model abcdefghjk is not stored here" in shown(at) and not at.exception
    at = open_page(LAYERS, model="<img src=x>")
    assert "URL value model=<img src=x> was ignored" in shown(at) and "the bundled faces model" in shown(at)


def test_my_model_goes_into_the_url_as_its_id():
    at = open_page("pages/training/lab.py")
    at.file_uploader(key="tr_upload").upload("mine.safetensors", (ASSETS / "digits_small.safetensors").read_bytes(),
                                             "application/octet-stream").run()
    assert not at.exception
    stored = at.session_state[KEY].get()["id"]                        # issue 22: stored at once, and the lab's URL has it
    assert store.valid_id(stored) and at.query_params["model"] == stored
    at.switch_page(OCCLUSION)
    at.query_params["model"] = "mine"
    at.run()
    mine = at.session_state[KEY].get()
    assert store.valid_id(mine["id"]) and mine["not_stored"] == ""
    assert at.query_params["model"] == mine["id"] and "Explaining class" in shown(at)
    assert at.radio(key="oc_model").value == mine["id"]


def test_a_model_over_the_size_cap_stays_in_the_tab(monkeypatch):
    monkeypatch.setenv("CONVLAB_MODEL_MAX_MB", "0.001")
    at = open_page("pages/training/lab.py")
    at.file_uploader(key="tr_upload").upload("mine.safetensors", (ASSETS / "digits_small.safetensors").read_bytes(),
                                             "application/octet-stream").run()
    at.switch_page(OCCLUSION)
    at.query_params["model"] = "mine"
    at.run()
    assert "Explaining class" in shown(at) and at.query_params["model"] == "mine"     # works here, not by link
    assert "my trained model (this tab only)" in at.radio(key="oc_model").options
    assert "Your model is not kept on the server (this model is" in shown(at)
