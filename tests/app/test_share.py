"""The sidebar's "Link for students" box (ui/share.py): drawn only while open, the link carries the page's state and
projector=1 when asked, and the projector choice survives closing and opening the box."""

from apptest_kit import open_page


def _links(at) -> list[str]:
    return [c.value for c in at.sidebar.code]


def test_the_link_box_draws_its_link_only_when_opened_and_carries_the_page_s_state():
    at = open_page("pages/convolution/conv2d.py", stride="2")
    assert _links(at) == []                                   # closed: no code box, so no syntax highlighter loaded
    at.session_state["share_open"] = True
    at.run()
    link, = _links(at)
    assert "stride=2" in link and "projector" not in link                   # (AppTest has no address: the query only)
    at.sidebar.checkbox(key="share_projector").check().run()
    assert _links(at)[0].endswith("projector=1") and "stride=2" in _links(at)[0]
    at.session_state["share_open"] = False                    # closed and opened again: the choice is kept
    at.run()
    assert _links(at) == [] and at.sidebar.checkbox(key="share_projector").value
    at.session_state["share_open"] = True
    at.run()
    assert _links(at)[0].endswith("projector=1")
    assert not at.exception
