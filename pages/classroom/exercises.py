"""Exercises: the notes' quizzes, graded. Practice one kind at a time, work through a teacher's set, or answer
a live class session (?class=CODE), where every answer goes to the teacher's dashboard."""

import streamlit as st

import convlab
from convlab.exercises import KINDS, LEVELS, make_exercise, make_set, parse_kinds, parse_set_params
from ui import store
from ui.classroom import ClassGrader, join_form
from ui.exercise_view import SoloGrader, keep_solo_progress, score_summary, show_exercise
from ui.grading import DEFAULT_TRIES, MAX_TRIES
from ui.urlstate import Choice, Int, Schema, Text
from ui.state import stop_with, sync_url, use_state
from ui.widgets import plain, show_error

P = "ex"
SEED_MAX = 2**31 - 1
SCHEMA = Schema(
    Choice("kind", "output_size", tuple(KINDS)), Int("level", 1, 1, 3), Int("seed", 0, 0, SEED_MAX),
    Text("kinds", "", parse_kinds, 400),
    Int("count", 0, 0, 50), Int("tries", DEFAULT_TRIES, 1, MAX_TRIES),
    Text("class", "", max_len=20), Text("seat", "", max_len=64),
)
ss = st.session_state


def new_question() -> None:
    ss["ex_seed"] = (ss["ex_seed"] + 1) % SEED_MAX


def answer_set(exercises, grader, prefix: str) -> None:
    """Every question of a set, with the score above and below."""
    score = st.empty()
    states = [show_exercise(ex, i + 1, f"{prefix}-{i}", grader, i) for i, ex in enumerate(exercises)]
    summary = score_summary(states, [ex.title for ex in exercises])
    score.info(summary)
    st.info(summary)


def enter(token: str | None) -> None:
    """A student who just joined: their seat goes in the session and the URL; the page starts again."""
    if token is not None:
        ss["ex_seat"] = token
        ss["ex_class"] = store.seat(token).info.code
        sync_url(P, SCHEMA)
        st.rerun()


def class_session() -> None:
    """A student in a live class: join first, then the class's set, every answer stored."""
    if not ss["ex_seat"] and ss.get("class_seat"):
        ss["ex_seat"] = ss["class_seat"]            # this tab's own seat (a link to another class drops it below)
    if ss["ex_seat"]:
        try:
            seat = store.seat(ss["ex_seat"])
        except store.StoreUnavailable as err:      # keep the seat: the database may be back in a minute
            stop_with(err, P, SCHEMA)
        except store.ClassError as err:
            show_error(err)
            ss["ex_seat"] = ""
        else:
            if store.code_or_none(ss["ex_class"]) not in (None, seat.info.code):
                ss["ex_seat"] = ""                  # a link to another class: join that one
    if not ss["ex_seat"]:
        enter(join_form(ss["ex_class"]))
        return
    info = seat.info
    ss["ex_class"] = info.code
    ss["class_seat"], ss["class_left"] = ss["ex_seat"], False   # kept for this tab while it visits other pages
    st.caption(f"Class {info.shown_code} · you are **{plain(seat.nickname)}** · your teacher sees your answers, "
               "the other students do not. Type each answer and press Check.")
    if info.closed:
        st.warning("Your teacher has closed this class: answers are no longer taken. Yours so far are saved; "
                   "the worked solutions stay open to you.")
    if info.model_id:
        st.info("Your teacher shared a model with the class: look inside it or occlude it.", icon=":material/share:")
        a, b = st.columns(2)
        a.page_link("pages/images/layers.py", label="Inside the teacher's model", query_params={"model": info.model_id})
        b.page_link("pages/images/occlusion.py", label="Occlusion with it", query_params={"model": info.model_id})
    answer_set(info.exercises(), ClassGrader(ss["ex_seat"], seat), f"class-{info.code}")
    st.button("Leave the class and practise on my own", key="ex_leave", on_click=leave, icon=":material/logout:",
              help="Your answers stay with your teacher; the class link brings you back (in this tab).")


def leave() -> None:
    ss["ex_class"], ss["ex_seat"], ss["class_left"] = "", "", True


use_state(P, SCHEMA)
st.title("Exercises")
if not (ss["ex_class"] or ss["ex_seat"] or ss["ex_kinds"] or ss.get("class_left")) and ss.get("class_seat"):
    ss["ex_seat"] = ss["class_seat"]                # back from another page (the menu's link has no class in it)

if ss["ex_class"] or ss["ex_seat"]:
    class_session()
elif ss["ex_kinds"] and ss["ex_count"]:
    try:
        kinds, count, level, seed = parse_set_params(
            {"kinds": ss["ex_kinds"], "count": ss["ex_count"], "level": ss["ex_level"], "seed": ss["ex_seed"]})
        exercises = make_set(kinds, count, level, seed)
    except convlab.ConvlabError as err:
        show_error(err)
        sync_url(P, SCHEMA)
        st.stop()
    st.caption(f"Your teacher's set: {count} questions, level {level}. Type each answer and press Check. "
               "Answers like 1, 2 or (1, 2) or 1 2 are all fine; decimals to 2 places are enough.")
    name = f"set-{','.join(kinds)}-{count}-{level}-{seed}"
    answer_set(exercises, SoloGrader(ss["ex_tries"], name), name)
    keep_solo_progress()             # this browser keeps the tries and opened solutions: a reload finds them
else:
    st.caption("Questions like the ones in the lecture notes, checked as you answer, with a hint and a worked "
               "solution. A new question is one click away; your teacher can also send you a whole set.")
    with st.sidebar:
        st.selectbox("Kind of question", list(KINDS), key="ex_kind", format_func=lambda k: KINDS[k][0])
        st.radio("Level", LEVELS, key="ex_level", horizontal=True, format_func=lambda v: ["easy", "medium", "hard"][v - 1])
        st.number_input("Question number (seed)", 0, SEED_MAX, key="ex_seed")
    st.button("New question", on_click=new_question, icon=":material/refresh:")
    ex = make_exercise(ss["ex_kind"], ss["ex_seed"], ss["ex_level"])
    key = f"practice-{ex.kind}-{ex.level}-{ex.seed}"
    show_exercise(ex, None, key, SoloGrader(ss["ex_tries"], key))
    keep_solo_progress()
    with st.expander("In a class? Join with the code on the projector"):
        enter(join_form(""))
sync_url(P, SCHEMA)
