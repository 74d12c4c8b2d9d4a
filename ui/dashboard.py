"""The teacher's live view of a class (pages/classroom/dashboard.py draws it in a self-refreshing fragment):
who joined and finished, the share right per question, the most common wrong answers, the score distribution and
the question to discuss next. Everything typed by students is shown as data (tables, escaped text), never HTML.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.state import font_size
from ui.store.report import QuestionReport, Report
from ui.widgets import chart, plain

__all__ = ["right_figure", "scores_figure", "show_report", "show_summary", "show_details"]

GOOD, BAD, GREY = "#2171b5", "#d6604d", "#bdbdbd"


def _style(fig: go.Figure, title: str, fs: int, height: int) -> go.Figure:
    fig.update_layout(title={"text": title, "font": {"size": fs + 2}}, height=height, font={"size": fs},
                      margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="white", dragmode=False, showlegend=False)
    fig.update_xaxes(tickfont={"size": fs})
    fig.update_yaxes(gridcolor="#eee", tickfont={"size": fs - 2})
    return fig


def right_figure(questions: list[QuestionReport], fs: int = 16, height: int | None = None) -> go.Figure:
    """Percent right per question (of the students who answered it), labelled "60% (3/5)"; `height` given (the
    compact dashboard, in a narrower column), the title is shorter.

    >>> from ui.store.report import QuestionReport
    >>> q = [QuestionReport(1, "a", "x", "1", 4, 3, 1, []), QuestionReport(2, "b", "x", "2", 0, 0, 0, [])]
    >>> list(right_figure(q).data[0].text)
    ['75% (3/4)', 'no answers yet']
    """
    pct = [q.percent_right or 0.0 for q in questions]
    fig = go.Figure(go.Bar(
        x=[f"Q{q.number}" for q in questions], y=pct, textposition="outside", cliponaxis=False,
        text=[f"{q.percent_right:.0f}% ({q.right}/{q.answered})" if q.answered else "no answers yet" for q in questions],
        marker_color=[GREY if not q.answered else GOOD if p >= 50 else BAD for q, p in zip(questions, pct)],
        hovertext=[q.title for q in questions]))
    fig.update_yaxes(range=[0, 115], title="% right", tickvals=[0, 25, 50, 75, 100])
    title = "Right per question" if height else "Right per question (of those who answered)"
    return _style(fig, title, fs, height or (380 if fs > 16 else 320))


def scores_figure(scores: list[int], fs: int = 16, height: int | None = None) -> go.Figure:
    """How many students have each score 0..n.

    >>> list(scores_figure([1, 0, 2]).data[0].y)
    [1, 0, 2]
    """
    fig = go.Figure(go.Bar(x=[str(s) for s in range(len(scores))], y=scores, text=[str(n) if n else "" for n in scores],
                           textposition="outside", cliponaxis=False, marker_color=GOOD))
    fig.update_xaxes(title=f"score (right of {len(scores) - 1})", type="category")
    fig.update_yaxes(title="students", rangemode="tozero", dtick=max(1, max(scores, default=0) // 5))
    return _style(fig, "Score distribution", fs, height or (340 if fs > 16 else 280))


def _wrong_table(q: QuestionReport) -> pd.DataFrame:
    return pd.DataFrame({"typed (" + q.prompts + ")": [w.typed for w in q.wrong],
                         "numbers read": [w.numbers for w in q.wrong], "students": [w.students for w in q.wrong]})


def _discuss(report: Report) -> None:
    q = report.discuss
    if q is None:
        st.success("Nothing to discuss yet: no wrong answers so far." if report.answers else
                   "Waiting for the first answers…")
        return
    with st.container(border=True):
        st.markdown(f"### Discuss next: question {q.number}, {q.title}")
        st.markdown(f"**{q.percent_right:.0f}% right in the end** ({q.right} of {q.answered}), {q.first_try} right "
                    f"first time; {q.missed} missed it"
                    + (f", {q.revealed} of them opened the solution first." if q.revealed else "."))
        if q.wrong:
            top = q.wrong[0]
            st.markdown(f"Most common wrong answer: **{plain(top.typed)}** ({top.students} "
                        f"student{'s' if top.students > 1 else ''}).")
        # kept off the projector while students still answer, until the teacher shows it (issue 24)
        shown, which = st.session_state.setdefault("db_answers_shown", set()), f"{report.info.code}-{q.number}"
        if which not in shown and st.button("Show the answer", key=f"db_show_answer_{which}",
                                            icon=":material/visibility:"):
            shown.add(which)
        if which in shown:
            st.markdown(f"The right answer: **{plain(q.answer)}**.")
        if q.wrong:
            st.dataframe(_wrong_table(q), hide_index=True, width="stretch")


def _figure(value, label: str, column) -> None:
    """A big number with its label under it (st.metric's value is small in projector mode)."""
    column.markdown(f"## {value}")
    column.caption(label)


def _who(report: Report) -> None:
    """Nicknames only: who is done and who is still working (how far); the scores stay in a closed box."""
    if not report.students:
        st.info("No one has joined yet: show the code or the QR code (How students join, above).")
        return
    done = [plain(s.nickname) for s in report.students if s.finished]
    busy = [f"{plain(s.nickname)} ({s.answered}/{report.info.count})" for s in report.students if not s.finished]
    st.markdown(f"**Finished ({len(done)}):** " + (", ".join(done) or "no one yet"))
    st.markdown(f"**Still working ({len(busy)}):** " + (", ".join(busy) or "no one"))
    with st.expander("Each student's score (keep it off the projector)", icon=":material/lock:"):
        st.dataframe(pd.DataFrame({
            "nickname": [s.nickname for s in report.students], "answered": [s.answered for s in report.students],
            "right first time": [s.first_try for s in report.students],
            "right in the end": [s.right for s in report.students],
            "opened the solution": [s.revealed for s in report.students],
            "finished": ["✓" if s.finished else "" for s in report.students]}), hide_index=True, width="stretch")


def show_summary(report: Report, compact: bool = False) -> None:
    """The figures, the two charts and the question to discuss. Compact (beside the join panel while the class is
    open): the charts before the question to discuss and a little lower, so that they are on a 1280×720 projector's
    first screen together with the code and the QR code (issue 24); the answer stays hidden either way."""
    fs = font_size()
    joined, finished = len(report.students), sum(s.finished for s in report.students)
    a, b, c, d = st.columns(4)
    _figure(joined, "joined", a)
    _figure(f"{finished} of {joined}", "finished", b)
    _figure(report.answers, "answers stored", c)
    _figure("closed" if report.info.closed else "open", "taking answers" if not report.info.closed else
            "no more answers taken", d)
    if not compact:
        _discuss(report)
    height = 300 if compact else None
    left, right = st.columns([3, 2])
    with left:
        chart(right_figure(report.questions, fs, height), "db_right")
    with right:
        chart(scores_figure(report.scores, fs, height), "db_scores")
    if compact:
        _discuss(report)


def show_details(report: Report) -> None:
    """Who joined and finished, and every question's figures in a table (below the summary)."""
    st.markdown("#### Students")
    _who(report)
    st.markdown("#### Every question")
    st.dataframe(pd.DataFrame({
        "question": [f"{q.number}. {q.title}" for q in report.questions],
        "% right": [q.percent_right for q in report.questions],
        "answered": [q.answered for q in report.questions],
        "right first time": [q.first_try for q in report.questions],
        "right in the end": [q.right for q in report.questions],
        "opened the solution": [q.revealed for q in report.questions],
        "most common wrong answer": [f"{q.wrong[0].typed} ({q.wrong[0].students})" if q.wrong else ""
                                     for q in report.questions]}),
        hide_index=True, width="stretch",
        column_config={"% right": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100)})
    for q in report.questions:
        if q.wrong:
            with st.expander(f"Question {q.number}: wrong answers, most common first"):
                st.dataframe(_wrong_table(q), hide_index=True, width="stretch")


def show_report(report: Report) -> None:
    """The live part of the dashboard: the summary, then the details."""
    show_summary(report)
    show_details(report)
