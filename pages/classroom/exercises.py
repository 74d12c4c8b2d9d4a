"""Exercises: the notes' quizzes, graded. Practice one kind at a time, work through a teacher's set, or answer
a live class session (?class=CODE), where every answer goes to the teacher's dashboard."""

import streamlit as st

from convlab.classroom.exercises import KINDS, LEVELS, make_exercise, make_set, parse_kinds, parse_set_params
from ui import store
from ui.classroom import ClassGrader, join_form
from ui.exercise_view import SoloGrader, keep_solo_progress, score_summary, show_exercise
from ui.grading import DEFAULT_TRIES, MAX_TRIES
from ui.lesson_page import lesson
from ui.urlstate import Choice, Int, Schema, Text

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
    page["seed"] = (page["seed"] + 1) % SEED_MAX


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
        page["seat"] = token
        page["class"] = store.seat(token).info.code
        page.sync()                      # before st.rerun(): the URL must carry the new state first
        st.rerun()


def class_session() -> None:
    """A student in a live class: join first, then the class's set, every answer stored."""
    if not page["seat"] and ss.get("class_seat"):
        page["seat"] = ss["class_seat"]            # this tab's own seat (a link to another class drops it below)
    if page["seat"]:
        try:
            seat = store.seat(page["seat"])
        except store.StoreUnavailable as err:      # keep the seat: the database may be back in a minute
            page.stop(err)
        except store.ClassError as err:
            show_error(err)
            page["seat"] = ""
        else:
            if store.code_or_none(page["class"]) not in (None, seat.info.code):
                page["seat"] = ""                  # a link to another class: join that one
    if not page["seat"]:
        enter(join_form(page["class"]))
        return
    info = seat.info
    page["class"] = info.code
    ss["class_seat"], ss["class_left"] = page["seat"], False   # kept for this tab while it visits other pages
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
    answer_set(info.exercises(), ClassGrader(page["seat"], seat), f"class-{info.code}")
    st.button("Leave the class and practise on my own", key=page.key("leave"), on_click=leave, icon=":material/logout:",
              help="Your answers stay with your teacher; the class link brings you back (in this tab).")


def leave() -> None:
    page["class"], page["seat"], ss["class_left"] = "", "", True


page = lesson(P, SCHEMA, "Exercises")
if not (page["class"] or page["seat"] or page["kinds"] or ss.get("class_left")) and ss.get("class_seat"):
    page["seat"] = ss["class_seat"]                # back from another page (the menu's link has no class in it)

if page["class"] or page["seat"]:
    class_session()
elif page["kinds"] and page["count"]:
    kinds, count, level, seed = parse_set_params(
        {"kinds": page["kinds"], "count": page["count"], "level": page["level"], "seed": page["seed"]})
    exercises = make_set(kinds, count, level, seed)
    st.caption(f"Your teacher's set: {count} questions, level {level}. Type each answer and press Check. "
               "Answers like 1, 2 or (1, 2) or 1 2 are all fine; decimals to 2 places are enough.")
    name = f"set-{','.join(kinds)}-{count}-{level}-{seed}"
    answer_set(exercises, SoloGrader(page["tries"], name), name)
    keep_solo_progress()             # this browser keeps the tries and opened solutions: a reload finds them
else:
    st.caption("Questions like the ones in the lecture notes, checked as you answer, with a hint and a worked "
               "solution. A new question is one click away; your teacher can also send you a whole set.")
    with st.sidebar:
        st.selectbox("Kind of question", list(KINDS), key=page.key("kind"), format_func=lambda k: KINDS[k][0])
        st.radio("Level", LEVELS, key=page.key("level"), horizontal=True, format_func=lambda v: ["easy", "medium", "hard"][v - 1])
        st.number_input("Question number (seed)", 0, SEED_MAX, key=page.key("seed"))
    st.button("New question", on_click=new_question, icon=":material/refresh:")
    ex = make_exercise(page["kind"], page["seed"], page["level"])
    key = f"practice-{ex.kind}-{ex.level}-{ex.seed}"
    show_exercise(ex, None, key, SoloGrader(page["tries"], key))
    keep_solo_progress()
    with st.expander("In a class? Join with the code on the projector"):
        enter(join_form(""))
