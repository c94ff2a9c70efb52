"""Database plumbing: SQLite (WAL, full sync) by default, PostgreSQL by URL; Alembic migrations."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine, create_engine, event

ENV_URL = "COMPUTEGATE_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    """Explicit URL, else $COMPUTEGATE_DATABASE_URL, else SQLite in ./var/."""
    if explicit:
        return explicit
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    return f"sqlite:///{Path('var').resolve() / 'computegate.db'}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged row survives a crash
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # writers ask for IMMEDIATE (take the write lock up front); readers get a snapshot
            mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class WriterLock:
    """Serialise SQLite writers across processes (`serve --workers N`) on a lock file beside the
    database. SQLite's own busy handler polls with sleeps of up to 100 ms, which become the
    service's p99; a kernel file lock wakes the next writer as soon as the last one commits.
    PostgreSQL needs nothing: its row lock on the log head queues writers the same way.
    The file is opened once, on first use, and kept: taking the lock is on every commit's path."""

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._path = f"{database}.writer-lock" if database and database != ":memory:" else None
        self._handle: BinaryIO | None = None

    def __enter__(self) -> None:
        if self._path is None or fcntl is None:  # not POSIX: SQLite's busy handler still works
            return
        if self._handle is None:
            self._handle = open(self._path, "a+b")
        fcntl.flock(self._handle, fcntl.LOCK_EX)

    def __exit__(self, *_exc: object) -> None:
        if self._handle is not None and fcntl is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)


def open_database(url: str | None = None) -> Engine:
    """The database at `url` (see `database_url` for the default), migrated to the newest schema."""
    engine = make_engine(database_url(url))
    migrate(engine)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("computegate.store") / "migrations"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
