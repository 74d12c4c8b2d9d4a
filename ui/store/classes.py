"""Class sessions: a teacher starts one for an exercise set; students join with its code and a nickname; every
answer they check is stored; only the teacher key opens the results.

The pages call these functions, and so do the tests (100 threads at once). Wrong codes and keys are
rate-limited per tab (ui.store.codes says how the secrets are made and kept). A student reaches only their own
answers, through their seat token.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from convlab.classroom.exercises import Exercise, Result, make_set
from ui.grading import MAX_TRIES, QuestionState, fold, read_attempt
from ui.store import limits
from ui.store.codes import (check_nickname, code_or_none, digest, format_code, key_digest, new_code, new_key, new_seat,
                            parse_code, same_digest, valid_seat)
from ui.store.db import ClassError, reading, retention_days, writing
from ui.store.retention import delete_classes, maybe_purge, purge_expired
from ui.store.schema import attempts, classes, reveals, students

__all__ = ["ClassInfo", "Seat", "Submission", "create_class", "lookup", "join", "seat", "submit", "reveal",
           "teacher_class", "close_class", "delete_class", "share_model", "purge_expired", "parse_code",
           "format_code", "code_or_none", "check_nickname", "MAX_STUDENTS"]

MAX_STUDENTS = 300
CLOSED = "your teacher has closed this class: answers are no longer taken (yours so far are saved)"


# ---------------------------------------------------------------- what the pages get

@functools.lru_cache(maxsize=64)
def _exercises(kinds: tuple[str, ...], count: int, level: int, seed: int) -> tuple[Exercise, ...]:
    return tuple(make_set(list(kinds), count, level, seed))


@dataclass(frozen=True)
class ClassInfo:
    """A class session as anyone in it may see it (no secrets)."""

    code: str
    title: str
    kinds: tuple[str, ...]
    count: int
    level: int
    seed: int
    tries: int
    created_at: float
    expires_at: float
    closed_at: float | None = None
    model_id: str | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def shown_code(self) -> str:
        return format_code(self.code)

    def exercises(self) -> tuple[Exercise, ...]:
        return _exercises(self.kinds, self.count, self.level, self.seed)


def _info(row) -> ClassInfo:
    return ClassInfo(row.code, row.title, tuple(row.kinds.split(",")), row.count, row.level, row.seed, row.tries,
                     row.created_at, row.expires_at, row.closed_at, row.model_id)


@dataclass(frozen=True)
class Seat:
    """A student in a class: their nickname and where each of their questions stands."""

    info: ClassInfo
    nickname: str
    states: tuple[QuestionState, ...] = field(default=())

    @property
    def score(self) -> int:
        return sum(s.right for s in self.states)


@dataclass(frozen=True)
class Submission:
    result: Result                      # per part: readable, right
    state: QuestionState                # the question after this answer
    new: bool                           # False: the same answer was already stored (not another try)


# ---------------------------------------------------------------- teacher

def create_class(kinds: Sequence[str], count: int, level: int, seed: int, tries: int = 2,
                 title: str = "ConvLab class") -> tuple[ClassInfo, str]:
    """A new class session for make_set(kinds, count, level, seed): (its info, the teacher key). The key is
    returned only here; the store keeps its digest."""
    _exercises(tuple(kinds), int(count), int(level), int(seed))          # refuses a set that cannot be made
    if not 1 <= int(tries) <= MAX_TRIES:
        raise ClassError(f"tries {tries}: allow 1 to {MAX_TRIES} tries before the solution opens")
    now = time.time()
    maybe_purge(now)
    key = new_key()
    row = dict(key_hash=key_digest(key), title=" ".join(str(title).split())[:120] or "ConvLab class",
               kinds=",".join(kinds), count=int(count), level=int(level), seed=int(seed), tries=int(tries),
               created_at=now, expires_at=now + retention_days() * 86400)
    for _ in range(5):                                  # a clash of random codes is astronomically rare
        code = new_code()
        try:
            with writing() as conn:
                conn.execute(classes.insert().values(code=code, **row))
            break
        except sa.exc.IntegrityError:
            continue
    else:
        raise ClassError("no free class code was found: try again")
    return ClassInfo(code, row["title"], tuple(kinds), row["count"], row["level"], row["seed"], row["tries"],
                     now, row["expires_at"]), key


def teacher_class(code: str, key: str, client: str = "") -> ClassInfo:
    """The class if `key` is its teacher key; else ClassError (the same message for a wrong code or key).
    Wrong keys are rate-limited per tab (`client`)."""
    code = parse_code(code)
    limits.check("bad key", client, take=False)
    with reading() as conn:
        row = conn.execute(sa.select(classes).where(classes.c.code == code)).first()
    stored = row.key_hash if row is not None and row.expires_at > time.time() else digest("no such class")
    if not same_digest(stored, key_digest(key)) or row is None:
        limits.check("bad key", client)
        raise ClassError("that class code and teacher key do not match: check both (the key was shown when you "
                         "started the class)")
    return _info(row)


def _set_class(code: str, key: str, client: str, **values) -> ClassInfo:
    teacher_class(code, key, client)
    with writing() as conn:
        conn.execute(classes.update().where(classes.c.code == parse_code(code)).values(**values))
    return teacher_class(code, key, client)


def close_class(code: str, key: str, client: str = "", closed: bool = True) -> ClassInfo:
    """Stop taking answers (the answers so far stay until the class expires); closed=False reopens it."""
    return _set_class(code, key, client, closed_at=time.time() if closed else None)


def share_model(code: str, key: str, model_id: str | None, client: str = "") -> ClassInfo:
    """Show the teacher's stored model to the class (None: stop sharing). The model is kept as long as the class."""
    from ui.store import models
    info = teacher_class(code, key, client)
    if model_id is not None:
        models.keep_until(model_id, info.expires_at)
    return _set_class(code, key, client, model_id=model_id)


def delete_class(code: str, key: str, client: str = "") -> None:
    """Delete the class with every nickname and answer, now."""
    teacher_class(code, key, client)
    with writing() as conn:
        cid = conn.execute(sa.select(classes.c.id).where(classes.c.code == parse_code(code))).scalar_one()
        delete_classes(conn, [cid])


# ---------------------------------------------------------------- students

def lookup(code_text: str, client: str) -> ClassInfo:
    """The open-or-closed class behind a typed code. Wrong codes are rate-limited per tab (`client`)."""
    limits.check("bad code", client, take=False)
    try:
        code = parse_code(code_text)
    except ClassError:
        limits.check("bad code", client)
        raise
    with reading() as conn:
        row = conn.execute(sa.select(classes).where(classes.c.code == code, classes.c.expires_at > time.time())).first()
    if row is None:
        limits.check("bad code", client)
        raise ClassError(f"there is no class {format_code(code)} (or it has ended and was deleted): check the code "
                         "with your teacher")
    return _info(row)


def join(code_text: str, nickname: str, client: str) -> tuple[str, ClassInfo]:
    """Join with a nickname: (the student's seat token, the class). Keep the token: it is their only key."""
    info = lookup(code_text, client)
    nick, nick_key = check_nickname(nickname)
    if info.closed:
        raise ClassError(f"class {info.shown_code} is closed: your teacher stopped taking answers")
    limits.check("join session", client)
    limits.check("join class", info.code)
    token = new_seat()
    try:
        with writing() as conn:
            cid = conn.execute(sa.select(classes.c.id).where(classes.c.code == info.code)).scalar_one()
            n = conn.execute(sa.select(sa.func.count()).select_from(students).where(students.c.class_id == cid)).scalar()
            if n >= MAX_STUDENTS:
                raise ClassError(f"class {info.shown_code} is full ({MAX_STUDENTS} students): ask your teacher")
            conn.execute(students.insert().values(class_id=cid, nickname=nick, nickname_key=nick_key,
                                                  seat_hash=digest(token), joined_at=time.time()))
    except sa.exc.IntegrityError:
        raise ClassError(f"the nickname {nick!r} is already taken in this class: choose another") from None
    return token, info


def _seat_row(conn, token: str):
    if not valid_seat(token):
        raise ClassError("this class link is damaged: join again with the class code")
    row = conn.execute(
        sa.select(students.c.id.label("student_id"), students.c.nickname, classes)
        .join(classes, classes.c.id == students.c.class_id)
        .where(students.c.seat_hash == digest(token), classes.c.expires_at > time.time())).first()
    if row is None:
        raise ClassError("this class has ended and its answers were deleted, or the link is not yours: join a "
                         "class with its code")
    return row


def _states(conn, student_id: int, count: int) -> tuple[QuestionState, ...]:
    done: dict[int, list] = {}
    for q, ok, after in conn.execute(
            sa.select(attempts.c.question, attempts.c.correct, attempts.c.revealed)
            .where(attempts.c.student_id == student_id).order_by(attempts.c.id)):
        done.setdefault(q, []).append((ok, after))
    opened = set(conn.execute(sa.select(reveals.c.question).where(reveals.c.student_id == student_id)).scalars())
    return tuple(fold(done.get(q, []), q in opened) for q in range(count))


def seat(token: str) -> Seat:
    """The student behind a seat token: their class, nickname and every question's state."""
    with reading() as conn:
        row = _seat_row(conn, token)
        return Seat(_info(row), row.nickname, _states(conn, row.student_id, row.count))


def _insert_once(conn, table, values: dict, keys: list[str]) -> bool:
    """INSERT unless a row with the same unique `keys` exists; True if a row was added."""
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(conn.dialect.name)
    if insert is not None:
        done = conn.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
                            .returning(table.c.id))
        return done.first() is not None             # (rowcount is -1 here with psycopg 3)
    try:
        with conn.begin_nested():
            conn.execute(table.insert().values(**values))
        return True
    except sa.exc.IntegrityError:
        return False


def submit(token: str, question: int, typed: Sequence[str]) -> Submission:
    """Check a student's answer to `question` (0-based) and store it, once: the same numbers again are not a
    new try. An unreadable answer is returned ungraded and not stored."""
    with reading() as conn:
        row = _seat_row(conn, token)
        info = _info(row)
        if not 0 <= int(question) < info.count:
            raise ClassError(f"question {question} is not in this set of {info.count}")
        before = _states(conn, row.student_id, info.count)[question]
    if info.closed:
        raise ClassError(CLOSED)
    result, attempt = read_attempt(info.exercises()[question], typed)
    if attempt is None:
        return Submission(result, before, False)
    limits.check("submit session", digest(token))
    limits.check("submit class", info.code)
    with writing() as conn:
        if conn.execute(sa.select(classes.c.closed_at).where(classes.c.code == info.code)).scalar() is not None:
            raise ClassError(CLOSED)
        opened = conn.execute(sa.select(reveals.c.id).where(reveals.c.student_id == row.student_id,
                                                            reveals.c.question == question)).first() is not None
        new = _insert_once(conn, attempts, dict(
            class_id=row.id, student_id=row.student_id, question=question, attempt_key=attempt.key,
            typed=attempt.typed, normalized=attempt.normalized, correct=attempt.correct, revealed=opened,
            created_at=time.time()), ["student_id", "question", "attempt_key"])
        state = _states(conn, row.student_id, info.count)[question]
    return Submission(result, state, new)


def reveal(token: str, question: int) -> QuestionState:
    """Open the worked solution of `question`: allowed after the class's tries (or once right). Before a right
    answer it marks the question revealed: no credit for it."""
    with reading() as conn:
        row = _seat_row(conn, token)
        info = _info(row)
        if not 0 <= int(question) < info.count:
            raise ClassError(f"question {question} is not in this set of {info.count}")
        state = _states(conn, row.student_id, info.count)[question]
    if not state.can_open(info.tries):
        left = info.tries - state.tries
        raise ClassError(f"the worked solution opens after {info.tries} tries: {left} more to go")
    if state.right or state.revealed or info.closed:
        return state
    with writing() as conn:
        _insert_once(conn, reveals, dict(class_id=row.id, student_id=row.student_id, question=question,
                                         created_at=time.time()), ["student_id", "question"])
        return _states(conn, row.student_id, info.count)[question]
