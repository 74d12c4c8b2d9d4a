"""The teacher's live dashboard of a class session: open it with the class code and the teacher key."""

import streamlit as st

from ui import store
from ui.classroom import (client_id, expiry_text, forget_key, kept_teacher_keys, known_key, qr_png, remember_key,
                          student_link)
from ui.dashboard import show_details, show_summary
from ui.lesson_page import lesson
from ui.public_url import localhost_warning
from ui.models import current_model, model_id

from ui.urlstate import Schema, Text
from ui.widgets import friendly_errors, plain, show_error

P = "db"
SCHEMA = Schema(Text("class", "", max_len=20))
REFRESH_S = 3


def sign_in(code: str | None, answered: bool) -> None:
    """Code and teacher key; the key stays in this session and this browser, never in the URL."""
    if code and not answered:
        st.caption("Looking for your teacher key in this browser…")
    st.caption("Open the results of a class you started: its code and the teacher key shown when you started it. "
               "Start a class on the page \"Exercise sets for teachers\".")
    if code:
        class_exists(code)
    with st.form(page.key("open")):
        code = st.text_input("Class code", value=page["class"], max_chars=20, placeholder="e.g. K7QM-4XRP",
                             key=page.key("code"))
        key = st.text_input("Teacher key", type="password", max_chars=40, key=page.key("key"))
        opened = st.form_submit_button("Open the dashboard", type="primary")
    if opened:
        try:
            info = store.teacher_class(code, key, client_id())
        except store.ClassError as err:
            page.stop(err)
        remember_key(info.code, key)
        page["class"] = info.code
        page.sync()                      # before st.rerun(): the URL must carry the new state first
        st.rerun()
    with st.expander("Lost the teacher key?", icon=":material/key_off:"):
        st.markdown("The server keeps only a fingerprint of the key (SHA-256), so nobody can show it again. In the "
                    "browser that started the class it is still under **Your classes** on the teacher page. Without "
                    "it the answers stay closed; the class goes on taking answers until it is deleted (the date is "
                    "above, once you type its code in the link). Start a new class for your next lesson.")


def class_exists(code: str) -> None:
    """Without its key a class's answers stay closed, but anyone with the code (like its students) sees that it
    exists and when it is deleted."""
    try:
        info = store.lookup(code, client_id())
    except store.ClassError:
        return
    st.info(f"Class **{info.shown_code}** ({plain(info.title)}) exists and is {'closed' if info.closed else 'open'}. "
            f"{expiry_text(info)}", icon=":material/info:")


page = lesson(P, SCHEMA, "Class dashboard")
answered = kept_teacher_keys()           # this browser's teacher keys: a reload or a server restart keeps them
code = store.code_or_none(page["class"])
key = known_key(code) if code else None
if key is None:
    sign_in(code, answered)
    st.stop()
try:
    info = store.teacher_class(code, key, client_id())
except store.ClassError as err:
    page.stop(err)


def join_panel(folded: bool) -> None:
    """The code large, the QR code big, then the link. At localhost a warning that phones cannot open it: in one
    line, folded (`folded`), where the panel is not itself in a folded box (expanders do not nest)."""
    link = student_link(info.code)
    st.markdown(f"Open **Exercises** and type the code\n# {info.shown_code}")
    st.image(qr_png(link), width=260, caption=f"QR code: the link for class {info.shown_code}", alt=f"QR code of {link}")
    localhost_warning("above", compact=folded)
    st.markdown("or open this link:")
    st.code(link, language=None, wrap_lines=True)


def report(part, *args) -> None:
    """One part of the live report; the figures come from the database, so every replica agrees."""
    with friendly_errors("class dashboard (live)"):
        try:
            part(store.class_report(info.code, key, client_id()), *args)
        except store.ClassError as err:
            show_error(err)


# Two fragments, each refreshing itself every few seconds: the summary beside the join panel while the class is open,
# the details below both (a fragment draws only into its own place)
@st.fragment(run_every=REFRESH_S)
def live_summary(compact: bool) -> None:
    report(show_summary, compact)


@st.fragment(run_every=REFRESH_S)
def live_details() -> None:
    report(show_details)


heading = f"## {plain(info.title)} · code `{info.shown_code}`"
about = (f"{info.count} questions, level {info.level}, set {info.seed}; the worked solution opens after {info.tries} "
         f"tries. {expiry_text(info)}")
if info.closed:
    st.markdown(heading)
    st.caption(about)
    with st.expander("How students join", icon=":material/qr_code_2:"):
        join_panel(False)
    live_summary(False)
else:
    # open: how to join (the code large, the QR code big) beside the charts, all on a 1280×720 projector's first
    # screen (issue 24); the localhost warning folded under the QR code (in full it pushed everything off the screen)
    join, results = st.columns([1, 2], gap="medium")
    with join:
        with st.container(border=True):
            join_panel(True)
        st.caption(about)
    with results:
        st.markdown(heading)
        live_summary(True)
live_details()

st.divider()
c1, c2, c3, c4 = st.columns(4)
try:
    if c1.button("Reopen the class" if info.closed else "Close the class", key=page.key("close"),
                 icon=":material/lock_open:" if info.closed else ":material/lock:",
                 help="A closed class takes no more answers; the answers so far stay until it is deleted."):
        store.close_class(info.code, key, client_id(), closed=not info.closed)
        st.rerun()
    c2.download_button("Every answer (CSV)", lambda: store.class_csv(info.code, key, client_id()),
                       file_name=f"convlab-class-{info.code}.csv", mime="text/csv", icon=":material/download:",
                       on_click="ignore")
    mine = current_model()
    if info.model_id:
        if c3.button("Stop sharing the model", key=page.key("unshare")):
            store.share_model(info.code, key, None, client_id())
            st.rerun()
    elif mine is not None:
        if c3.button("Share my model with the class", key=page.key("share"), help="Students get links to look inside it"):
            if model_id(mine) is None:
                raise store.ClassError(f"your model could not be kept on the server ({mine['not_stored']})")
            store.share_model(info.code, key, mine["id"], client_id())
            st.rerun()
    with c4.popover("Delete the class now", icon=":material/delete:"):
        st.markdown("Deletes the class, every nickname and every answer now. This cannot be undone.")
        if st.button("Delete everything", key=page.key("delete"), type="primary"):
            store.delete_class(info.code, key, client_id())
            forget_key(info.code)
            page["class"] = ""
            st.rerun()
except store.ClassError as err:
    show_error(err)
