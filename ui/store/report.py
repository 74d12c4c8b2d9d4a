"""What the teacher's dashboard shows, computed from the stored answers: who joined and finished, the share
right per question, the most common wrong answers (grouped by the numbers typed), the score distribution, the
question to discuss next; and every answer as CSV. Only with the teacher key (ui.store.classes.teacher_class).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from convlab.classroom.exercises import format_answer
from ui.grading import fold
from ui.store.classes import ClassInfo, teacher_class
from ui.store.db import reading
from ui.store.schema import attempts, classes, reveals, students

__all__ = ["WrongAnswer", "QuestionReport", "StudentRow", "Report", "class_report", "class_csv", "summarise"]

TOP_WRONG = 5


@dataclass(frozen=True)
class WrongAnswer:
    typed: str          # the most common way it was typed
    numbers: str        # the numbers read from it (what groups it)
    students: int


@dataclass(frozen=True)
class QuestionReport:
    number: int                      # 1-based
    title: str
    prompts: str                     # the answer boxes, "total padding | before | after"
    answer: str                      # the right answer, as typed
    answered: int                    # students who answered or opened the solution
    right: int                       # right before opening the solution
    revealed: int                    # opened the solution first
    wrong: list[WrongAnswer]         # most common first
    first_try: int = 0               # right with their first answer (before opening the solution)

    @property
    def missed(self) -> int:
        return self.answered - self.right

    @property
    def percent_right(self) -> float | None:
        return 100.0 * self.right / self.answered if self.answered else None


@dataclass(frozen=True)
class StudentRow:
    nickname: str
    answered: int
    right: int
    revealed: int
    finished: bool                   # every question answered (or its solution opened)
    first_try: int = 0               # questions right with the first answer


@dataclass(frozen=True)
class Report:
    info: ClassInfo
    students: list[StudentRow]
    questions: list[QuestionReport]
    scores: list[int]                # scores[s]: students with s right
    answers: int                     # stored answers (every try)

    @property
    def discuss(self) -> QuestionReport | None:
        """The most missed question (ties: the one with the most wrong answers, then the first)."""
        missed = [q for q in self.questions if q.missed]
        return max(missed, key=lambda q: (q.missed, sum(w.students for w in q.wrong), -q.number), default=None)


def summarise(info: ClassInfo, nicknames: dict[int, str], rows: list, opened: list) -> Report:
    """The report from the class's students {id: nickname}, its attempts in order (student_id, question, typed,
    normalized, correct, revealed) and its reveals (student_id, question)."""
    per: dict[tuple[int, int], list] = defaultdict(list)
    for sid, q, _typed, _norm, ok, after in rows:
        per[(sid, q)].append((ok, after))
    shown = {(sid, q) for sid, q in opened}
    states = {(sid, q): fold(per.get((sid, q), []), (sid, q) in shown) for sid in nicknames for q in range(info.count)}
    first = {key: bool(tries) and tries[0][0] and not tries[0][1] for key, tries in per.items()}   # right, unaided
    wrong_by: dict[int, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    typed_as: dict[tuple[int, str], Counter] = defaultdict(Counter)
    for sid, q, typed, norm, ok, _after in rows:
        if not ok:
            wrong_by[q][norm].add(sid)
            typed_as[(q, norm)][typed] += 1
    questions = []
    for q, ex in enumerate(info.exercises()):
        st = [states[(sid, q)] for sid in nicknames]
        groups = sorted(wrong_by[q].items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP_WRONG]
        questions.append(QuestionReport(
            q + 1, ex.title, " | ".join(p.prompt for p in ex.parts), " | ".join(format_answer(p) for p in ex.parts),
            sum(s.status != "new" for s in st), sum(s.right for s in st), sum(s.revealed for s in st),
            [WrongAnswer(typed_as[(q, norm)].most_common(1)[0][0], norm, len(who)) for norm, who in groups],
            sum(first.get((sid, q), False) for sid in nicknames)))
    people = []
    for sid, nick in nicknames.items():
        st = [states[(sid, q)] for q in range(info.count)]
        answered = sum(s.status != "new" for s in st)
        people.append(StudentRow(nick, answered, sum(s.right for s in st), sum(s.revealed for s in st),
                                 answered == info.count, sum(first.get((sid, q), False) for q in range(info.count))))
    scores = [0] * (info.count + 1)
    for p in people:
        scores[p.right] += 1
    return Report(info, sorted(people, key=lambda p: p.nickname.casefold()), questions, scores, len(rows))


def _load(conn, code: str):
    cid = conn.execute(sa.select(classes.c.id).where(classes.c.code == code)).scalar_one()
    nicknames = dict(conn.execute(sa.select(students.c.id, students.c.nickname)
                                  .where(students.c.class_id == cid).order_by(students.c.id)).all())
    rows = conn.execute(sa.select(attempts.c.student_id, attempts.c.question, attempts.c.typed, attempts.c.normalized,
                                  attempts.c.correct, attempts.c.revealed, attempts.c.created_at)
                        .where(attempts.c.class_id == cid).order_by(attempts.c.id)).all()
    opened = conn.execute(sa.select(reveals.c.student_id, reveals.c.question, reveals.c.created_at)
                          .where(reveals.c.class_id == cid).order_by(reveals.c.id)).all()
    return nicknames, rows, opened


def class_report(code: str, key: str, client: str = "") -> Report:
    """The dashboard's figures; ClassError unless `key` is the class's teacher key."""
    info = teacher_class(code, key, client)
    with reading() as conn:
        nicknames, rows, opened = _load(conn, info.code)
    return summarise(info, nicknames, [r[:6] for r in rows], [r[:2] for r in opened])


_FORMULA = re.compile(r"^[=+@\t\r]|^-(?![\d\s.,;/()|-]*$)")


def _cell(text: str) -> str:
    """A typed text for a spreadsheet: a leading = + @ (or - before anything but numbers) would make it a
    formula, so it gets a ' in front.

    >>> _cell("=HYPERLINK(1)"), _cell("-2, 3"), _cell("-1+cmd")
    ("'=HYPERLINK(1)", '-2, 3', "'-1+cmd")
    """
    return "'" + text if _FORMULA.search(text) else text


def _when(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


def class_csv(code: str, key: str, client: str = "") -> str:
    """Every stored answer and every opened solution, one row each, in the order they came."""
    info = teacher_class(code, key, client)
    with reading() as conn:
        nicknames, rows, opened = _load(conn, info.code)
    titles = [ex.title for ex in info.exercises()]
    events = [(t, sid, q, "answer", typed, norm, ok, after) for sid, q, typed, norm, ok, after, t in rows]
    events += [(t, sid, q, "opened the solution", "", "", None, None) for sid, q, t in opened]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["time (UTC)", "nickname", "question", "title", "event", "try", "typed", "numbers read", "right",
                "after opening the solution"])
    tries: Counter = Counter()
    for t, sid, q, event, typed, norm, ok, after in sorted(events, key=lambda e: e[0]):
        n = ""
        if event == "answer":
            tries[(sid, q)] += 1
            n = tries[(sid, q)]
        w.writerow([_when(t), _cell(nicknames.get(sid, "?")), q + 1, titles[q], event, n, _cell(typed), norm,
                    "" if ok is None else "yes" if ok else "no", "" if after is None else "yes" if after else "no"])
    return out.getvalue()
