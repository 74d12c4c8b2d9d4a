"""Exercises: the notes' quizzes, graded. Practice one kind at a time, or work through a teacher's set."""

import streamlit as st

import convlab
from convlab.exercises import KINDS, LEVELS, format_answer, make_exercise, make_set, parse_kinds, parse_set_params
from convlab.figures.grids import grid_figure
from ui.urlstate import Choice, Int, Schema, Text
from ui.state import font_size, sync_url, use_state
from ui.widgets import chart, show_error

P = "ex"
SEED_MAX = 2**31 - 1
SCHEMA = Schema(
    Choice("kind", "output_size", tuple(KINDS)), Int("level", 1, 1, 3), Int("seed", 0, 0, SEED_MAX),
    Text("kinds", "", parse_kinds, 400),
    Int("count", 0, 0, 50),
)
ss = st.session_state


def new_question() -> None:
    ss["ex_seed"] = (ss["ex_seed"] + 1) % SEED_MAX


def show_exercise(ex, number: int | None, key: str) -> None:
    """One exercise: question, figures, answer boxes, check, hint and worked solution."""
    results = ss.setdefault("ex_results", {})
    with st.container(border=True):
        st.markdown(f"#### {'' if number is None else f'{number}. '}{ex.title}")
        st.markdown(ex.question)
        figs = list(ex.figures)
        for start in range(0, len(figs), 5):
            chunk = figs[start:start + 5]
            chart(grid_figure([g for _, g in chunk], [t for t, _ in chunk], font_size=font_size() - 2),
                  f"{key}_fig{start}")
        with st.form(f"{key}_form", border=False):
            cols = st.columns(min(len(ex.parts), 3))
            typed = [cols[i % len(cols)].text_input(p.prompt, key=f"{key}_a{i}",
                                                    placeholder="e.g. " + (p.example or "…"))
                     for i, p in enumerate(ex.parts)]
            checked = st.form_submit_button("Check", type="primary")
        if checked:
            result = ex.check(typed)
            if result.readable:
                results[key] = result.correct
            ss[f"{key}_result"] = result
        result = ss.get(f"{key}_result")
        if result is not None:
            for _p, r in zip(ex.parts, result.parts):
                if not r.readable:
                    st.warning(r.message)
            if result.readable:
                wrong = [p.prompt for p, r in zip(ex.parts, result.parts) if not r.correct]
                right = [p.prompt for p, r in zip(ex.parts, result.parts) if r.correct]
                (st.success if result.correct else st.error)(
                    "Right!" if result.correct else
                    "Not quite. Check again: " + ", ".join(wrong) + (f" (right: {', '.join(right)})" if right else ""))
        with st.expander("Hint"):
            st.markdown(ex.hint)
        if key in results:
            with st.expander("Worked solution", expanded=not results[key]):
                st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(ex.solution, start=1)))
                st.markdown("**Answer:** " + "; ".join(f"{p.prompt} = {format_answer(p)}" for p in ex.parts))


use_state(P, SCHEMA)
st.title("Exercises")

if ss["ex_kinds"] and ss["ex_count"]:
    try:
        kinds, count, level, seed = parse_set_params(
            {"kinds": ss["ex_kinds"], "count": ss["ex_count"], "level": ss["ex_level"], "seed": ss["ex_seed"]})
        exercises = make_set(kinds, count, level, seed)
    except convlab.ConvlabError as err:
        show_error(err)
        sync_url(P, SCHEMA)
        st.stop()
    set_id = f"set-{','.join(kinds)}-{count}-{level}-{seed}"
    st.caption(f"Your teacher's set: {count} questions, level {level}. Type each answer and press Check. "
               "Answers like 1, 2 or (1, 2) or 1 2 are all fine; decimals to 2 places are enough.")
    score = st.empty()
    for i, ex in enumerate(exercises):
        show_exercise(ex, i + 1, f"{set_id}-{i}")
    results = ss.get("ex_results", {})
    done = [results.get(f"{set_id}-{i}") for i in range(count)]
    right = sum(1 for d in done if d)
    answered = sum(1 for d in done if d is not None)
    wrong = [f"{i + 1} ({exercises[i].title})" for i, d in enumerate(done) if d is False]
    summary = f"**Score: {right} of {count}** ({answered} answered)."
    if answered == count:
        summary = (f"**Finished: {right} of {count} right.** "
                   + (f"Look again at question{'s' if len(wrong) > 1 else ''} {', '.join(wrong)}: "
                      + ("their worked solutions are open." if len(wrong) > 1 else "its worked solution is open.")
                      if wrong else "All right. Well done!"))
    score.info(summary)
    st.info(summary)
else:
    st.caption("Questions like the ones in the lecture notes, checked as you answer, with a hint and a worked "
               "solution. A new question is one click away; your teacher can also send you a whole set.")
    with st.sidebar:
        st.selectbox("Kind of question", list(KINDS), key="ex_kind", format_func=lambda k: KINDS[k][0])
        st.radio("Level", LEVELS, key="ex_level", horizontal=True, format_func=lambda v: ["easy", "medium", "hard"][v - 1])
        st.number_input("Question number (seed)", 0, SEED_MAX, key="ex_seed")
    st.button("New question", on_click=new_question, icon=":material/refresh:")
    ex = make_exercise(ss["ex_kind"], ss["ex_seed"], ss["ex_level"])
    show_exercise(ex, None, f"practice-{ex.kind}-{ex.level}-{ex.seed}")
sync_url(P, SCHEMA)
