"""One exercise on a page: the question, its matrices, answer boxes, Check, the hint and the worked solution,
graded by a Grader: SoloGrader (a student practising alone, kept in the session) or ui.classroom.ClassGrader
(a class session: every answer stored). Both follow ui.grading's rules: the worked solution can be opened after
`tries` wrong answers, and opening it first means the question earns no credit.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

import convlab
from convlab.classroom.exercises import Exercise, Result, format_answer, make_exercise
from convlab.figures.grids import grid_figure
from ui.grading import QuestionState, SoloGrades, read_attempt
from ui.keeper import browser_kept, keep_from, reported
from ui.state import font_size
from ui.widgets import chart, plain, show_error

__all__ = ["SoloGrader", "show_exercise", "score_summary", "keep_solo_progress"]
PROGRESS = "practice"            # this browser's practice record (ui.keeper): tries, right, revealed per question
_MAX_KEPT = 400                  # questions kept in the browser (the newest)


@st.cache_resource(max_entries=256, show_spinner=False)
def _figure(kind: str, seed: int, level: int, start: int, fs: int):
    """Up to five of an exercise's matrices as one figure, built once per process for everyone who gets that
    question (a class of 30 rerunning its set on every Check) and only read afterwards."""
    chunk = list(make_exercise(kind, seed, level).figures)[start:start + 5]
    return grid_figure([g for _, g in chunk], [t for t, _ in chunk], font_size=fs)


class SoloGrader:
    """Grades of one student practising alone, in this tab's session state; question q of the set `name`."""

    closed: str | None = None

    def __init__(self, tries: int, name: str):
        self.tries, self.name = tries, name
        grades = st.session_state.setdefault("ex_grades", {})
        for q, entry in (reported(PROGRESS) or {}).items():       # after a reload: what this browser kept
            if q not in grades and _valid_entry(q, entry):
                grades[q] = {"keys": list(entry["keys"]), "attempts": [tuple(a) for a in entry["attempts"]],
                             "revealed": entry["revealed"]}
        self.grades = SoloGrades(grades)

    def state(self, q: int) -> QuestionState:
        return self.grades.state(f"{self.name}-{q}")

    def check(self, q: int, ex: Exercise, typed: Sequence[str]) -> tuple[Result, QuestionState, bool]:
        result, attempt = read_attempt(ex, typed)
        if attempt is None:
            return result, self.state(q), False
        state, new = self.grades.record(f"{self.name}-{q}", attempt)
        return result, state, new

    def reveal(self, q: int) -> QuestionState:
        if not self.state(q).can_open(self.tries):
            raise convlab.ConvlabError(f"the worked solution opens after {self.tries} tries")
        return self.grades.reveal(f"{self.name}-{q}")


def _closed_notice(grader) -> str:
    """Where the student types, once the teacher closed the class: when, and that nothing more is sent."""
    import datetime
    at = getattr(grader, "closed_at", None)
    when = f" at {datetime.datetime.fromtimestamp(at, datetime.UTC):%H:%M} UTC" if at else ""
    return (f"Your teacher closed this class{when}: answers are no longer taken. What you typed here stays on "
            "screen but is not sent or stored.")


def _valid_entry(q, entry) -> bool:
    """A question's record from the browser (user input): the shape SoloGrades keeps, nothing else."""
    try:
        return (isinstance(q, str) and len(q) <= 300 and isinstance(entry, dict) and isinstance(entry["revealed"], bool)
                and isinstance(entry["keys"], list) and isinstance(entry["attempts"], list)
                and len(entry["keys"]) == len(entry["attempts"]) <= 100
                and all(isinstance(k, str) and len(k) <= 64 for k in entry["keys"])
                and all(isinstance(a, list) and len(a) == 2 and all(isinstance(v, bool) for v in a)
                        for a in entry["attempts"]))
    except (KeyError, TypeError):
        return False


def _progress_to_keep() -> tuple[dict, list]:
    """What this session wants the browser to keep of its practice record: the newest questions' entries."""
    grades = st.session_state.get("ex_grades", {})
    newest = dict(list(grades.items())[-_MAX_KEPT:])
    return {q: {"keys": e["keys"], "attempts": [list(a) for a in e["attempts"]], "revealed": e["revealed"]}
            for q, e in newest.items()}, []


keep_from(PROGRESS, _progress_to_keep)      # kept from any page, if the student left this one at once


def keep_solo_progress() -> None:
    """Keep this session's practice record in the browser, so a reload (a new session) finds every question's tries,
    right answers and opened solutions again. Draw once per run, after the questions."""
    browser_kept(PROGRESS, *_progress_to_keep())


def _feedback(ex: Exercise, shown: tuple[Result, bool] | None, state: QuestionState) -> None:
    if shown is None:                    # nothing checked in this session (e.g. after a reload): where it stands
        if state.right:
            st.success("Right! (answered before)")
        elif state.revealed:
            st.info("Solution opened before a right answer: no credit for this one.")
        elif state.tries:
            st.caption(f"{state.tries} answer{'s' if state.tries > 1 else ''} checked so far, not right yet.")
        return
    result, new = shown
    unread = [r.message for r in result.parts if not r.readable]
    if unread:                              # not graded: it used no try
        st.warning(plain("; ".join(unread)) + ". This check did not use a try.", icon=":material/edit_note:")
        return
    again = "" if new else " You had checked this answer before: it does not use up another try."
    if result.correct:
        st.success(("Right!" if state.right else "Right, but after opening the solution: no credit for this one.")
                   + again)
        return
    wrong = [p.prompt for p, r in zip(ex.parts, result.parts) if not r.correct]
    right = [p.prompt for p, r in zip(ex.parts, result.parts) if r.correct]
    st.error("Not quite. Check again: " + ", ".join(wrong) + (f" (right: {', '.join(right)})" if right else "") + "."
             + again)


def _solution(ex: Exercise, key: str, state: QuestionState, grader, q) -> None:
    if not (state.right or state.revealed):
        if not state.can_open(grader.tries):
            left = grader.tries - state.tries
            st.caption(f"The worked solution can be opened after {grader.tries} tries ({left} to go). "
                       "The same answer checked twice counts once.")
            return
        if not st.button("Show the worked solution", key=f"{key}_open", icon=":material/visibility:",
                         help="This question then earns no credit, even if you answer it right afterwards."):
            st.caption("Stuck? You may open the worked solution now; the question then earns no credit.")
            return
        try:
            state = grader.reveal(q)
        except convlab.ConvlabError as err:
            show_error(err)
            return
    with st.expander("Worked solution", expanded=state.revealed):
        st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(ex.solution, start=1)))
        st.markdown("**Answer:** " + "; ".join(f"{p.prompt} = {format_answer(p)}" for p in ex.parts))


def show_exercise(ex: Exercise, number: int | None, key: str, grader, q: int = 0) -> QuestionState:
    """Draw question `q` of the grader's set (widget keys start with `key`); returns its state after this run."""
    with st.container(border=True):
        st.markdown(f"#### {'' if number is None else f'{number}. '}{ex.title}")
        st.markdown(ex.question)
        for start in range(0, len(ex.figures), 5):
            chart(_figure(ex.kind, ex.seed, ex.level, start, font_size() - 2), f"{key}_fig{start}")
        state = grader.state(q)
        closed = grader.closed is not None
        if not closed or not (state.right or state.revealed):
            # a closed class keeps the same boxes (same keys), read-only: what a student was typing stays on screen
            with st.form(f"{key}_form", border=False):
                cols = st.columns(min(len(ex.parts), 3))
                typed = [cols[i % len(cols)].text_input(p.prompt, key=f"{key}_a{i}", max_chars=400,
                                                        placeholder="e.g. " + (p.example or "…"))
                         for i, p in enumerate(ex.parts)]
                checked = st.form_submit_button("Check", type="primary", disabled=closed)
                if closed:          # after the boxes: they keep their place, so the browser keeps what was typed
                    st.warning(_closed_notice(grader), icon=":material/lock:")
            if checked and not closed:
                try:
                    result, state, new = grader.check(q, ex, typed)
                    st.session_state[f"{key}_result"] = (result, new)
                except convlab.ConvlabError as err:
                    show_error(err)
        _feedback(ex, st.session_state.get(f"{key}_result"), state)
        with st.expander("Hint"):
            st.markdown(ex.hint)
        _solution(ex, key, state, grader, q)
        return grader.state(q)


def score_summary(states: Sequence[QuestionState], titles: Sequence[str]) -> str:
    """"**Score: 2 of 5** (3 answered, 1 with the solution opened)." or the finished message."""
    count = len(states)
    right = sum(s.right for s in states)
    answered = sum(s.status != "new" for s in states)
    opened = sum(s.revealed for s in states)
    seen = f", {opened} with the solution opened" if opened else ""
    if answered < count:
        return f"**Score: {right} of {count}** ({answered} answered{seen})."
    missed = [f"{i + 1} ({titles[i]})" for i, s in enumerate(states) if not s.right]
    if not missed:
        return f"**Finished: {right} of {count} right.** All right. Well done!"
    return (f"**Finished: {right} of {count} right{seen}.** Look again at question{'s' if len(missed) > 1 else ''} "
            f"{', '.join(missed)}.")
