"""The client-side lesson view: one Streamlit custom component (v2) for every sliding-window lesson.

Python sends the whole trace of the current parameters once (convlab/view/payload.py); view.js steps,
plays, hovers and explains it in the browser with no rerun. When the stepping pauses, the browser reports
the step back as component state: one rerun that writes it to the URL (lesson links) and the exports.
The CSS and JS are the package-neutral files in convlab/view (shared with convlab.show and convlab.export_html),
inlined at registration: no CDN, no fetch, no build step. This module is only the Streamlit wrapper.
"""

from __future__ import annotations

import streamlit as st

from convlab.view import module_js, view_css
from ui.leaving import staying_only
from ui.state import projector

__all__ = ["lesson_view", "speed", "SPEEDS"]

SPEEDS = (0.5, 1, 2, 4, 8)          # steps per second; one setting for every view and the GIF exports
SPEED_KEY = "lesson_speed"
MAX_STEP = 10_000                   # the pages' URL schemas allow step 0..10_000

# no step report once a link to another page was clicked (ui.leaving): its rerun of this page lost the click
_VIEW = st.components.v2.component("convlab_lessonview", html='<div class="lv-host"></div>', css=view_css(),
                                   js=staying_only(module_js(), "lessonView"))


def speed() -> float:
    """The speed of the views (steps per second), shared by every page and its GIF export."""
    value = st.session_state.get(SPEED_KEY, 1)
    return value if value in SPEEDS else 1


def _valid_step(value) -> int | None:
    """A step reported by the browser, or None when it is not a whole number in range (state is user input)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return None
    return int(value) if 0 <= value <= MAX_STEP else None


def lesson_view(key: str, body: bytes, n_steps: int, step_key: str | None = None) -> int:
    """Mount the view for one encoded document (payload.encode). Returns the step it starts at.

    step_key names the page's session-state key of the step (its URL field): the view starts there, and
    the step the browser reports comes back into it (and so into the URL) without a rerun per step.
    """
    ss = st.session_state
    step = int(min(max(ss.get(step_key, 0) if step_key else 0, 0), max(n_steps - 1, 0)))
    if step_key:
        ss[step_key] = step

    def on_step() -> None:
        reported = _valid_step((ss.get(key) or {}).get("step"))
        if step_key and reported is not None:
            ss[step_key] = min(reported, max(n_steps - 1, 0))

    def on_speed() -> None:
        value = (ss.get(key) or {}).get("speed")
        if value in SPEEDS:
            ss[SPEED_KEY] = value

    head = b'{"step":%d,"speed":%s,"projector":%s,' % (step, str(speed()).encode(),
                                                         b"true" if projector() else b"false")
    _VIEW(key=key, data=head + body[1:], default={"step": step, "speed": speed()},
          on_step_change=on_step, on_speed_change=on_speed)
    return step
