"""Class sessions on the pages: the teacher starts one (code, link, QR code, teacher key), students join with
the code and a nickname and answer the set, every answer going to the class store (ui.store).

The tab's secrets stay in its session: the teacher keys of the classes it started (ss["class_keys"]), and a
student's seat token, which also rides in the student's own URL (`seat=`) so a reload keeps their place; the
"Link for students" box never copies it.
"""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Sequence
from urllib.parse import urlencode

import streamlit as st

from convlab.classroom.exercises import Exercise, Result
from ui import store
from ui.grading import QuestionState
from ui.widgets import plain, show_error

__all__ = ["client_id", "app_base", "student_link", "qr_png", "ClassGrader", "join_form", "start_class_panel",
           "remember_key", "known_key", "expiry_text"]

ss = st.session_state


def client_id() -> str:
    """This tab's own id: what the rate limits count per session."""
    return ss.setdefault("_client_id", uuid.uuid4().hex)


def app_base() -> str:
    """The app's address, "http://host:port" (with any base path), from the page's URL."""
    return (st.context.url or "").rsplit("/", 1)[0]


def student_link(code: str) -> str:
    return f"{app_base()}/exercises?" + urlencode({"class": code})


def qr_png(text: str) -> bytes:
    """A QR code of `text` as PNG bytes (segno), black on white with a quiet zone."""
    import segno
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=10, border=3)
    return buf.getvalue()


def expiry_text(info: store.ClassInfo) -> str:
    day = datetime.datetime.fromtimestamp(info.expires_at, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"The class, its nicknames and answers are deleted on {day} ({store.retention_days():g} days after it "
            "started; CONVLAB_RETENTION_DAYS).")


def remember_key(code: str, key: str) -> None:
    ss.setdefault("class_keys", {})[code] = key


def known_key(code: str) -> str | None:
    return ss.get("class_keys", {}).get(code)


class ClassGrader:
    """A student's answers in a class session: checked and stored by ui.store (one DB read per page run)."""

    def __init__(self, token: str, seat: store.Seat):
        self.token, self.seat = token, seat
        self.tries = seat.info.tries
        self.closed = store.classes.CLOSED if seat.info.closed else None
        self.states = list(seat.states)

    def state(self, q: int) -> QuestionState:
        return self.states[q]

    def check(self, q: int, ex: Exercise, typed: Sequence[str]) -> tuple[Result, QuestionState, bool]:
        done = store.submit(self.token, q, typed)
        self.states[q] = done.state
        return done.result, done.state, done.new

    def reveal(self, q: int) -> QuestionState:
        self.states[q] = store.reveal(self.token, q)
        return self.states[q]


def join_form(code_text: str) -> str | None:
    """The join box for a class code (from the link, or typed here): the seat token once joined, else None."""
    st.subheader("Join your class")
    info = None
    if code_text:
        try:
            info = store.lookup(code_text, client_id())
            st.markdown(f"Class **{info.shown_code}**: {plain(info.title)}, {info.count} questions.")
        except store.ClassError as err:
            show_error(err)
    with st.form("class_join"):
        code = st.text_input("Class code (on the projector)", value=info.shown_code if info else code_text[:20],
                             max_chars=20, placeholder="e.g. K7QM-4XRP", key="class_code")
        nickname = st.text_input("Your nickname (the teacher sees it; no real name needed)", max_chars=40,
                                 placeholder="2 to 24 letters, digits or spaces", key="class_nickname")
        joined = st.form_submit_button("Join", type="primary")
    if not joined:
        return None
    try:
        token, info = store.join(code, nickname, client_id())
    except store.ClassError as err:
        show_error(err)
        return None
    return token


def start_class_panel(kinds: list[str], count: int, level: int, seed: int, tries: int, title: str) -> None:
    """The teacher page's box: start a class session for this set; then its code, link, QR code and key."""
    st.subheader("Run it as a live class")
    st.caption("Students join with a code and a nickname; every answer they check is stored, and you watch the "
               "class on a live dashboard: who is done, what share got each question, the most common wrong answers.")
    if st.button("Start a class session with this set", key="tc_start", icon=":material/groups:", type="primary"):
        try:
            info, key = store.create_class(kinds, count, level, seed, tries, title)
        except store.ClassError as err:
            show_error(err)
        else:
            remember_key(info.code, key)
            ss["class_new"] = (info.code, key)
    new = ss.get("class_new")
    if new is None:
        return
    code, key = new
    link = student_link(code)
    left, right = st.columns([2, 1])
    with left:
        st.markdown(f"### Class code: `{store.format_code(code)}`")
        st.markdown("Students open this link (or the QR code), or go to **Exercises** and type the code:")
        st.code(link, language=None, wrap_lines=True)
        st.warning("Your **teacher key** opens the dashboard and the answers. It is shown only now and kept in this "
                   "tab; write it down to open the dashboard from another device or after closing this tab.")
        st.code(key, language=None)
        st.page_link("pages/classroom/dashboard.py", label="Open the live dashboard", icon=":material/monitoring:",
                     query_params={"class": code})
        if st.button("Hide the key", key="tc_hide_key"):
            del ss["class_new"]
            st.rerun()
    right.image(qr_png(link), caption="Scan to join", width=260, alt=f"QR code of {link}")
