"""The class store (ui.store) against SQLite and a real PostgreSQL (a throwaway cluster, tests/postgres.py):
migrations, a whole class, idempotent answers, 100 students at once, secrets, rate limits, retention, stored
models, and an unreachable database."""

from __future__ import annotations

import csv
import io
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from convlab.errors import ConvlabError
from convlab.classroom.exercises import format_answer
from ui import store
from ui.store import db, limits
from ui.store.schema import attempts, classes, metadata, models, reveals, students


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path, monkeypatch):
    """A fresh, empty store: SQLite in a temporary data directory, or a new database in the session's cluster."""
    if request.param == "sqlite":
        monkeypatch.setenv("CONVLAB_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.delenv("CONVLAB_DATABASE_URL", raising=False)
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        monkeypatch.setenv("CONVLAB_DATABASE_URL", cluster.create_database(f"t_{uuid.uuid4().hex[:12]}"))
    limits.reset()
    yield request.param
    db.dispose()
    limits.reset()


def _right(ex) -> list[str]:
    return [format_answer(p) for p in ex.parts]


def _count(table, **where) -> int:
    with db.reading() as conn:
        q = sa.select(sa.func.count()).select_from(table)
        for name, value in where.items():
            q = q.where(table.c[name] == value)
        return conn.execute(q).scalar()


def test_migrations_build_exactly_the_schema(backend):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = db.get_engine()
    db.migrate(engine)                                              # again: nothing to do, nothing breaks
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "version_table": db.VERSION_TABLE,
                                                     "include_name": lambda name, kind, _p: name != db.VERSION_TABLE})
        assert compare_metadata(ctx, metadata) == []
        assert ctx.get_current_revision() == "0001"


def test_sqlite_lives_in_the_data_directory_in_wal_mode(tmp_path, monkeypatch):
    monkeypatch.delenv("CONVLAB_DATABASE_URL", raising=False)
    monkeypatch.delenv("CONVLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert db.data_dir() == tmp_path / "xdg" / "convlab"
    monkeypatch.setenv("CONVLAB_DATA_DIR", str(tmp_path / "mine"))
    assert not (tmp_path / "mine").exists()
    try:
        with db.reading() as conn:                                     # created on first use
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (tmp_path / "mine" / "convlab.db").is_file()
    finally:
        db.dispose()


def test_a_whole_class(backend):
    info, key = store.create_class(["tf_same", "pooling"], 3, 1, 9, tries=2, title="Period 3")
    assert len(info.code) == 8 and store.parse_code(info.shown_code.lower()) == info.code
    ex = info.exercises()
    ada, _ = store.join(info.code, "Ada", "tab-a")
    bob, _ = store.join(info.shown_code, " Bob  ", "tab-b")
    assert store.submit(ada, 0, _right(ex[0])).state.right
    assert store.submit(ada, 1, _right(ex[1])).state.right
    wrong = store.submit(bob, 0, ["9", "9", "9"])
    assert wrong.new and wrong.state.status == "wrong" and not wrong.result.correct
    with pytest.raises(store.ClassError, match="opens after 2 tries: 1 more"):
        store.reveal(bob, 0)
    store.submit(bob, 0, ["9", "9", "8"])
    assert store.reveal(bob, 0).revealed
    late = store.submit(bob, 0, _right(ex[0]))
    assert late.result.correct and late.state.status == "revealed"        # right, but after seeing the solution
    unreadable = store.submit(bob, 1, ["no idea"])
    assert not unreadable.result.readable and not unreadable.new

    mine = store.seat(bob)
    assert mine.nickname == "Bob" and [s.status for s in mine.states] == ["revealed", "new", "new"]
    report = store.class_report(info.code, key)
    q1 = report.questions[0]
    assert (q1.answered, q1.right, q1.revealed, q1.percent_right) == (2, 1, 1, 50.0)
    assert [(w.typed, w.students) for w in q1.wrong] == [("9 | 9 | 8", 1), ("9 | 9 | 9", 1)]
    assert report.scores == [1, 0, 1, 0] and report.answers == 5 and report.discuss.number == 1
    assert [(s.nickname, s.right, s.revealed) for s in report.students] == [("Ada", 2, 0), ("Bob", 0, 1)]
    rows = list(csv.DictReader(io.StringIO(store.class_csv(info.code, key))))
    assert len(rows) == 6 and [r["event"] for r in rows].count("opened the solution") == 1
    assert [r["try"] for r in rows if r["nickname"] == "Bob" and r["event"] == "answer"] == ["1", "2", "3"]

    store.close_class(info.code, key)
    with pytest.raises(store.ClassError, match="closed this class"):
        store.submit(ada, 2, _right(ex[2]))
    with pytest.raises(store.ClassError, match="is closed"):
        store.join(info.code, "Cy", "tab-c")
    store.delete_class(info.code, key)
    assert _count(attempts) == _count(students) == _count(reveals) == _count(classes) == 0
    with pytest.raises(store.ClassError, match="class has ended"):
        store.seat(ada)


def test_the_same_answer_twice_is_one_attempt(backend):
    info, _ = store.create_class(["params"], 1, 1, 3)
    token, _ = store.join(info.code, "Ada", "tab")
    first = store.submit(token, 0, ["10", "20"])
    again = store.submit(token, 0, [" 10 ", "(20)"])                    # a double click, a retry, the same numbers
    assert first.new and not again.new and again.state.tries == 1
    assert _count(attempts) == 1


def test_a_hundred_students_answer_at_once(backend):
    """Threads calling what the page calls (join, submit): every student's answers arrive once, none lost."""
    info, key = store.create_class(["tf_same", "params", "pooling"], 3, 1, 5)
    ex = info.exercises()
    n = 100
    start = threading.Barrier(n)
    failures: list[str] = []

    def student(i: int) -> None:
        try:
            start.wait(timeout=60)
            token, _ = store.join(info.code, f"student {i}", f"tab-{i}")
            store.submit(token, 0, _right(ex[0]))
            store.submit(token, 1, ["1", str(i)])                           # wrong, different per student
            store.submit(token, 1, ["1", str(i)])                           # a double click: no new row
            store.submit(token, 2 if i % 2 else 1, _right(ex[2]) if i % 2 else _right(ex[1]))
        except Exception as err:                                             # noqa: BLE001  every failure counts
            failures.append(f"student {i}: {type(err).__name__}: {err}")

    threads = [threading.Thread(target=student, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not failures, failures[:5]
    assert _count(students) == n and _count(attempts) == 3 * n
    with db.reading() as conn:
        dupes = conn.execute(sa.select(attempts.c.student_id, attempts.c.question, attempts.c.attempt_key)
                             .group_by(attempts.c.student_id, attempts.c.question, attempts.c.attempt_key)
                             .having(sa.func.count() > 1)).all()
    assert dupes == []
    report = store.class_report(info.code, key)
    assert [q.right for q in report.questions] == [n, n // 2, n // 2] and report.answers == 3 * n


def test_secrets_are_stored_hashed_and_wrong_keys_refused(backend):
    info, key = store.create_class(["params"], 1, 1, 3)
    token, _ = store.join(info.code, "Ada", "tab")
    with db.reading() as conn:
        row = conn.execute(sa.select(classes)).one()
        seat_hash = conn.execute(sa.select(students.c.seat_hash)).scalar()
    assert key not in str(tuple(row)) and len(row.key_hash) == 64 and token not in seat_hash
    assert store.teacher_class(info.code, key.lower().replace("-", " ")).code == info.code   # forgiving typing
    for wrong in ("", key[:-1] + ("A" if key[-1] != "A" else "B"), token):
        with pytest.raises(store.ClassError, match="do not match"):
            store.class_report(info.code, wrong, "intruder")
    with pytest.raises(store.RateLimited, match="teacher keys"):
        for _ in range(10):
            try:
                store.class_csv(info.code, "guess", "intruder")
            except store.RateLimited:
                raise
            except store.ClassError:
                pass
    assert store.class_report(info.code, key, "teacher").info.code == info.code   # another tab is not blocked


def test_guessing_codes_hits_the_rate_limit(backend):
    info, _ = store.create_class(["params"], 1, 1, 3)
    guesses = 0
    with pytest.raises(store.RateLimited, match=r"wrong class codes .*wait \d+ s"):
        while guesses < 50:
            guesses += 1
            try:
                store.join("ZZZZ-ZZZ" + "23456789"[guesses % 8], "Eve", "guesser")
            except store.RateLimited:
                raise
            except store.ClassError:
                pass
    assert guesses == 6                                              # 5 wrong codes, then the limit
    with pytest.raises(store.RateLimited):                             # even the right code, from that tab
        store.join(info.code, "Eve", "guesser")
    assert store.join(info.code, "Ada", "honest tab")[1].code == info.code


def test_joins_and_answers_are_rate_limited_per_tab_and_per_class(backend, monkeypatch):
    monkeypatch.setitem(limits.LIMITS, "join class", limits.Limit(3, 0.001, "too many students are joining"))
    monkeypatch.setitem(limits.LIMITS, "submit session", limits.Limit(4, 0.001, "answers are being sent too fast"))
    info, _ = store.create_class(["params"], 1, 1, 3)
    tokens = [store.join(info.code, f"s{i}", f"tab{i}")[0] for i in range(3)]
    with pytest.raises(store.RateLimited, match="joining"):
        store.join(info.code, "s3", "tab3")
    for i in range(4):
        store.submit(tokens[0], 0, [str(i), "1"])
    with pytest.raises(store.RateLimited, match="too fast"):
        store.submit(tokens[0], 0, ["9", "9"])
    assert store.submit(tokens[1], 0, ["9", "9"]).new                      # the others carry on


def test_nicknames(backend):
    info, _ = store.create_class(["params"], 1, 1, 3)
    for bad, why in (("<script>", "letters, digits"), ("a", "2 to 24"), ("x" * 25, "2 to 24"), ("Ada\u200b", "letters"),
                     ("=cmd|' /C calc'!A0", "letters")):
        with pytest.raises(store.ClassError, match=why):
            store.join(info.code, bad, "tab")
    store.join(info.code, "Zoë O'Neil", "tab")
    with pytest.raises(store.ClassError, match="already taken"):
        store.join(info.code, "ZOË  O'NEIL", "tab2")


def test_markup_in_answers_is_refused_unstored_and_the_csv_never_starts_a_formula(backend):
    """Issue 22 (10): markup or words around the numbers are not read as an answer: refused with the accepted
    form, not stored, no try used. What is stored is numbers only, and the CSV still never starts a formula."""
    info, key = store.create_class(["params"], 1, 1, 3)
    token, _ = store.join(info.code, "Mallory", "tab")
    done = store.submit(token, 0, ["<script>alert(1)</script>", "=HYPERLINK(\"x\") 6"])
    assert not done.result.readable and done.state.tries == 0 and not done.new
    assert "type only" in done.result.parts[0].message
    assert store.class_report(info.code, key).answers == 0
    store.submit(token, 0, ["+3", "3"])
    typed = [r["typed"] for r in csv.DictReader(io.StringIO(store.class_csv(info.code, key)))]
    assert typed == ["'+3 | 3"]                                        # no formula for a spreadsheet


def test_retention_deletes_old_classes_and_models(backend, monkeypatch):
    monkeypatch.setenv("CONVLAB_RETENTION_DAYS", "2")
    info, key = store.create_class(["params"], 1, 1, 3)
    assert abs(info.expires_at - info.created_at - 2 * 86400) < 1
    token, _ = store.join(info.code, "Ada", "tab")
    store.submit(token, 0, ["1", "2"])
    assert store.purge_expired(time.time() + 86400) == {"classes": 0, "models": 0}
    assert store.purge_expired(time.time() + 3 * 86400)["classes"] == 1
    assert _count(classes) == _count(students) == _count(attempts) == 0
    monkeypatch.setenv("CONVLAB_RETENTION_DAYS", "soon")
    assert store.retention_days() == 7


def _model_bytes(seed: int = 0) -> bytes:
    import torch

    from convlab.networks.modelio import save_model
    from convlab.networks.models import build_model, preset
    torch.manual_seed(seed)
    spec = preset("small")
    return save_model(build_model(spec, (1, 8, 8), 10), spec, (1, 8, 8), [str(i) for i in range(10)])


def test_stored_models(backend, monkeypatch):
    blob = _model_bytes()
    model_id = store.save_model_bytes(blob, "digits", "trained in the training lab")
    assert store.valid_id(model_id) and store.save_model_bytes(blob, "digits", "again") == model_id
    got = store.load_model_bytes(model_id)
    assert got.data == blob and got.meta["dataset"] == "digits" and got.meta["input_shape"] == [1, 8, 8]
    assert store.save_model_bytes(_model_bytes(1), "digits", "x") != model_id
    with pytest.raises(store.ClassError, match="not stored here"):
        store.load_model_bytes("abcdefghjk")
    with pytest.raises(store.ClassError, match="not a model id"):
        store.load_model_bytes("../etc")
    with pytest.raises(ConvlabError, match="not a safetensors file"):
        store.save_model_bytes(b"\x00" * 64, "digits", "junk")
    monkeypatch.setenv("CONVLAB_MODEL_MAX_MB", "0.001")
    with pytest.raises(store.ClassError, match="at most"):
        store.save_model_bytes(blob, "digits", "big")
    info, key = store.create_class(["params"], 1, 1, 3)
    store.share_model(info.code, key, model_id)
    token, _ = store.join(info.code, "Ada", "tab")
    assert store.seat(token).info.model_id == model_id
    assert store.purge_expired(time.time() + 30 * 86400)["models"] == 2
    assert _count(models) == 0


def test_an_unreachable_database_says_so(monkeypatch):
    monkeypatch.setenv("CONVLAB_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    t0 = time.perf_counter()
    with pytest.raises(store.StoreUnavailable, match="cannot be reached right now"):
        store.create_class(["params"], 1, 1, 3)
    with pytest.raises(store.StoreUnavailable):
        store.lookup("K7QM-4XRP", "tab")
    assert time.perf_counter() - t0 < 30
    monkeypatch.setenv("CONVLAB_DATABASE_URL", "nonsense://")
    with pytest.raises(store.StoreUnavailable, match="not configured correctly"):
        store.lookup("K7QM-4XRP", "tab")


def test_replicas_starting_together_migrate_once(backend):
    """Four processes' engines (separate pools) migrating the same empty database at the same moment."""
    url = db.database_url()
    engines = [db._make_engine(url) for _ in range(4)]
    start = threading.Barrier(len(engines))
    failures: list[str] = []

    def replica(engine) -> None:
        try:
            start.wait(timeout=30)
            db.migrate(engine)
        except Exception as err:                                             # noqa: BLE001
            failures.append(f"{type(err).__name__}: {err}")

    threads = [threading.Thread(target=replica, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for e in engines:
        e.dispose()
    assert not failures, failures
    with db.reading() as conn:
        assert conn.execute(sa.text(f"SELECT version_num FROM {db.VERSION_TABLE}")).scalars().all() == ["0001"]


def test_a_full_class_takes_no_more_students(backend, monkeypatch):
    from ui.store import classes as store_classes
    monkeypatch.setattr(store_classes, "MAX_STUDENTS", 2)
    info, _ = store.create_class(["params"], 1, 1, 3)
    store.join(info.code, "Ada", "a")
    store.join(info.code, "Bob", "b")
    with pytest.raises(store.ClassError, match="is full"):
        store.join(info.code, "Cy", "c")
