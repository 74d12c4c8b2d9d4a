"""Where the class store lives, how to reach it, and its schema version.

SQLite is the embedded default: one file, `convlab.db`, in the data directory (CONVLAB_DATA_DIR, else
$XDG_DATA_HOME/convlab, else ~/.local/share/convlab), created on first use, in WAL mode so readers never
wait for a writer. CONVLAB_DATABASE_URL (e.g. postgresql+psycopg://convlab:secret@db/convlab) selects another
database, such as PostgreSQL for replicas on several machines. The schema is brought to the newest migration
(ui/store/migrations) the first time a process uses the store; replicas starting together take turns (a
PostgreSQL advisory lock, SQLite's write lock).

Every query goes through SQLAlchemy Core with bound parameters. A database that cannot be reached raises
StoreUnavailable, whose message a page can show as it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import threading

import sqlalchemy as sa
from sqlalchemy import event

from convlab.errors import ConvlabError

__all__ = ["ClassError", "StoreUnavailable", "database_url", "data_dir", "get_engine", "reading", "writing", "dispose", "warm_up",
           "migrate", "retention_days", "RETENTION_DAYS"]

log = logging.getLogger("convlab.store")
RETENTION_DAYS = 7
MIGRATIONS = pathlib.Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "convlab_schema_version"
_LOCK_ID = 0x636F6E766C6162                    # "convlab": the advisory lock replicas take to migrate one at a time


class ClassError(ConvlabError):
    """Something a student or teacher can act on (a bad code, a taken nickname, a closed class); the message
    says what to do."""


class StoreUnavailable(ClassError):
    """The database cannot be reached (or is locked for too long)."""


def data_dir() -> pathlib.Path:
    """The directory of the embedded database (not created here)."""
    if os.environ.get("CONVLAB_DATA_DIR"):
        return pathlib.Path(os.environ["CONVLAB_DATA_DIR"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or pathlib.Path.home() / ".local" / "share"
    return pathlib.Path(base) / "convlab"


def database_url() -> str:
    """CONVLAB_DATABASE_URL, else the SQLite file in data_dir()."""
    url = os.environ.get("CONVLAB_DATABASE_URL", "").strip()
    return url or f"sqlite:///{data_dir() / 'convlab.db'}"


def retention_days() -> float:
    """How long classes, answers and stored models are kept: CONVLAB_RETENTION_DAYS (default 7)."""
    raw = os.environ.get("CONVLAB_RETENTION_DAYS", "").strip()
    try:
        days = float(raw) if raw else RETENTION_DAYS
    except ValueError:
        days = -1
    if not 0 < days <= 3650:
        log.warning("CONVLAB_RETENTION_DAYS=%r is not a number of days from 0 to 3650; using %s", raw, RETENTION_DAYS)
        return RETENTION_DAYS
    return days


def _sqlite_engine(url: str) -> sa.Engine:
    path = sa.make_url(url).database
    if path and path != ":memory:":
        pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                              pool_size=8, max_overflow=24, pool_timeout=60)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None          # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            cur.execute(f"PRAGMA {pragma}")              # constants only
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        # A writer takes the write lock when it starts: a read-then-write transaction that upgraded later could
        # fail at once with "database is locked" when another writer got in between (no busy wait for that case).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("convlab_write") else "BEGIN")

    return engine


def _make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=20, pool_timeout=30,
                            connect_args=connect_args)


_engines: dict[str, sa.Engine] = {}
_migrated: set[str] = set()
_lock = threading.Lock()
_warming: list[bool] = []


def get_engine(url: str | None = None) -> sa.Engine:
    """The engine for `url` (default: database_url()), created once per process, its schema migrated."""
    url = url or database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            try:
                engine = _engines[url] = _make_engine(url)
            except (sa.exc.ArgumentError, ImportError, OSError) as err:
                raise StoreUnavailable(f"the class database is not configured correctly ({type(err).__name__}): "
                                       "check CONVLAB_DATABASE_URL / CONVLAB_DATA_DIR") from None
        if url not in _migrated:
            with _translate():
                migrate(engine)
            _migrated.add(url)
    return engine


def warm_up() -> None:
    """At the server's start (app.py, every run; only the first does anything): reach the database and migrate
    it in a background thread, so the first class action does not wait for it. A database that is down is only
    logged here; the pages say so when they need it."""
    with _lock:
        if _warming:
            return
        _warming.append(True)

    def run() -> None:
        try:
            get_engine()
        except StoreUnavailable as err:
            log.warning("the class store is not reachable at start: %s", err)

    threading.Thread(target=run, name="convlab-store-warm-up", daemon=True).start()


@contextlib.contextmanager
def _sqlite_file_lock(engine: sa.Engine):
    """Replicas on one SQLite file migrate one at a time behind an OS file lock beside it. SQLite's own write lock
    gives up after its busy timeout, which a heavily loaded machine starting several replicas at once can exceed;
    this lock waits as long as it takes (the migration itself takes milliseconds)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    import fcntl

    with open(f"{path}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision, one process at a time."""
    from alembic.config import Config
    from alembic import command

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with _sqlite_file_lock(engine), engine.connect().execution_options(convlab_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextlib.contextmanager
def _translate():
    """Database failures become StoreUnavailable with a message a page can show."""
    try:
        yield
    except sa.exc.OperationalError as err:
        log.warning("class store unavailable: %s", err.orig if err.orig is not None else err)
        raise StoreUnavailable("the class database cannot be reached right now, so nothing was saved: try again in a "
                               "minute (the rest of ConvLab keeps working)") from None
    except sa.exc.InterfaceError as err:
        log.warning("class store unavailable: %s", err)
        raise StoreUnavailable("the class database connection broke, so nothing was saved: try again") from None


@contextlib.contextmanager
def writing(url: str | None = None):
    """A write transaction (SQLite: BEGIN IMMEDIATE). Commits at the end, rolls back on an exception."""
    engine = get_engine(url)
    with _translate(), engine.connect().execution_options(convlab_write=True) as conn, conn.begin():
        yield conn


@contextlib.contextmanager
def reading(url: str | None = None):
    """A read-only transaction (a consistent snapshot)."""
    engine = get_engine(url)
    with _translate(), engine.connect() as conn, conn.begin():
        yield conn



def dispose(url: str | None = None) -> None:
    """Close the pooled connections to `url` (default: database_url()) and forget its engine."""
    with _lock:
        engine = _engines.pop(url or database_url(), None)
        _migrated.discard(url or database_url())
    if engine is not None:
        engine.dispose()
