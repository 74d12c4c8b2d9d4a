"""A rerun that comes with an address this session wrote itself earlier (the browser had not yet shown the newest
one when the click was sent) is a click, not a link: the click lands and nothing else moves back."""

from apptest_kit import open_page

PAGE = "pages/convolution/conv1d.py"


def test_a_click_sent_with_an_older_address_of_ours_keeps_everything():
    at = open_page(PAGE, step="1")
    old = dict(at.query_params)                                # the address the browser shows
    assert old.get("step") == "1", old
    at.number_input(key="c1_stride").set_value(2).run()       # first click: the run writes a new address ...
    assert at.query_params.get("stride") == "2"
    for key in list(at.query_params):                         # ... which has not reached the browser when the
        del at.query_params[key]                              # second click is sent with the old one
    at.query_params.update(old)
    at.selectbox(key="c1_padding").set_value("same").run()
    assert not at.exception, at.exception
    assert at.session_state["c1_stride"] == 2, "the first click was undone"
    assert at.session_state["c1_padding"] == "same", "the second click was lost"
    assert at.query_params.get("stride") == "2" and at.query_params.get("padding") == "same", dict(at.query_params)


def test_a_link_with_an_address_we_never_wrote_is_still_a_link():
    at = open_page(PAGE, step="1")
    at.number_input(key="c1_stride").set_value(2).run()
    for key in list(at.query_params):
        del at.query_params[key]
    at.query_params.update({"stride": "3", "step": "0"})     # a new address (a link, a typed URL): it wins
    at.run()
    assert at.session_state["c1_stride"] == 3


def test_coming_from_another_page_an_old_address_of_ours_is_a_link():
    """From another page (a lesson link, the back button) an address this session wrote before opens that state."""
    at = open_page(PAGE, stride="2")
    at.number_input(key="c1_stride").set_value(3).run()
    at.switch_page("pages/convolution/conv2d.py").run()
    for key in list(at.query_params):
        del at.query_params[key]
    at.query_params.update({"stride": "2"})
    at.switch_page(PAGE).run()
    assert at.session_state["c1_stride"] == 2
