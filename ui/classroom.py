"""Class sessions on the pages: the teacher starts one (code, link, QR code, teacher key), students join with
the code and a nickname and answer the set, every answer going to the class store (ui.store).

The teacher keys of the classes a teacher started or opened are kept in the session (ss["class_keys"]) and in
this browser's localStorage (ui.keeper), never in a URL: a reload, a server restart or a new tab in the same
browser finds them again (the store keeps only their SHA-256, so a stolen copy of it opens nothing). A student's
seat token rides in the student's own URL (`seat=`) so a reload keeps their place; the "Link for students" box
never copies it.
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
from ui.keeper import browser_kept, keep_from
from ui.public_url import app_base
from ui.widgets import plain, show_error

__all__ = ["client_id", "app_base", "student_link", "qr_png", "ClassGrader", "join_form", "start_class_panel",
           "remember_key", "known_key", "expiry_text", "kept_teacher_keys", "forget_key", "teacher_classes",
           "your_classes"]

ss = st.session_state
TEACHER_KEYS = "teacher_keys"       # what this browser keeps the teacher keys under (ui.keeper)


def client_id() -> str:
    """This tab's own id: what the rate limits count per session."""
    return ss.setdefault("_client_id", uuid.uuid4().hex)


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
    if code in ss.get("class_keys_dropped", []):
        ss["class_keys_dropped"].remove(code)


def known_key(code: str) -> str | None:
    return ss.get("class_keys", {}).get(code)


def forget_key(code: str) -> None:
    """Forget a class's key in this session and in this browser (a deleted or expired class)."""
    ss.get("class_keys", {}).pop(code, None)
    dropped = ss.setdefault("class_keys_dropped", [])
    if code not in dropped:
        dropped.append(code)


def _teacher_keys_to_keep() -> tuple[dict, list]:
    """What this session wants the browser to keep of its teacher keys: (keys to add, codes to forget)."""
    return dict(ss.get("class_keys", {})), list(ss.get("class_keys_dropped", []))


keep_from(TEACHER_KEYS, _teacher_keys_to_keep)      # kept from any page, if the teacher left this one at once


def kept_teacher_keys() -> bool:
    """Keep this session's teacher keys in the browser and bring the browser's into the session (draw once per run,
    after any key was added). False until the browser has answered in this session (the first run after a reload)."""
    known = ss.setdefault("class_keys", {})
    kept = browser_kept(TEACHER_KEYS, *_teacher_keys_to_keep())
    for code, key in (kept or {}).items():          # from the browser: checked like anything typed
        if store.code_or_none(str(code)) == code and isinstance(key, str) and 8 <= len(key) <= 40:
            known.setdefault(code, key)
    return kept is not None


def teacher_classes() -> list[tuple[store.ClassInfo, str]]:
    """The classes whose keys this tab knows, newest first, with their keys; deleted or expired ones are forgotten."""
    found = []
    for code, key in list(ss.get("class_keys", {}).items()):
        try:
            found.append((store.teacher_class(code, key, client_id()), key))
        except store.StoreUnavailable:
            continue
        except store.RateLimited:
            break
        except store.ClassError:
            forget_key(code)
    return sorted(found, key=lambda pair: -pair[0].created_at)


class ClassGrader:
    """A student's answers in a class session: checked and stored by ui.store (one DB read per page run)."""

    def __init__(self, token: str, seat: store.Seat):
        self.token, self.seat = token, seat
        self.tries = seat.info.tries
        self.closed = store.classes.CLOSED if seat.info.closed else None
        self.closed_at = seat.info.closed_at
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
    """The teacher page's box (under its heading "Run it as a live class", or in that tab): start a class session for
    this set; then its code, link, QR code and key."""
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
        st.warning("Your **teacher key** opens the dashboard and the answers. This browser keeps it (a reload or a "
                   "server restart does not lose it); write it down to open the dashboard from another device.")
        st.code(key, language=None)
        st.page_link("pages/classroom/dashboard.py", label="Open the live dashboard", icon=":material/monitoring:",
                     query_params={"class": code})
        if st.button("Hide the key", key="tc_hide_key"):
            del ss["class_new"]
            st.rerun()
    right.image(qr_png(link), caption="Scan to join", width=260, alt=f"QR code of {link}")


def your_classes(box) -> None:
    """The teacher's classes this browser knows the keys of, in `box`: code, state, when each is deleted, its
    dashboard. Call it last on the page: the browser's first report reruns the page, better after a whole run."""
    with box:
        _your_classes()


def _your_classes() -> None:
    answered = kept_teacher_keys()
    mine = teacher_classes()
    if not mine:
        if not answered:
            st.caption("Looking for the classes this browser started…")
        return
    st.subheader("Your classes")
    st.caption("The classes started in this browser, with their keys (kept in this browser only, never in a link).")
    for info, key in mine:
        with st.container(border=True):
            a, b, c = st.columns([3, 2, 2], vertical_alignment="center")
            a.markdown(f"**{plain(info.title)}** · code `{info.shown_code}` · "
                       + ("closed" if info.closed else "open") + f"  \n{expiry_text(info)}")
            with b.popover("Show the teacher key", icon=":material/key:"):
                st.code(key, language=None)
            c.page_link("pages/classroom/dashboard.py", label="Open its dashboard", icon=":material/monitoring:",
                        query_params={"class": info.code})
