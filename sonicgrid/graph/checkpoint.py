"""Durability: every run's graph state and every chat session is checkpointed.

Default: SQLite files under the data dir (checkpoints.sqlite for runs, sessions.sqlite for chats).
With SONICGRID_CHECKPOINT_URL=postgresql://... both go to LangGraph's Postgres checkpointer
(langgraph-checkpoint-postgres), so several processes (studio servers behind one address, CLIs
on other machines) serve the same sessions and resume the same runs.

A checkpoint file that is not a database (truncated, zeroed, garbage, a folder) is one clear line
(CheckpointDamaged, a UserError) naming the file and what to do — never a traceback.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sonicgrid.errors import UserError

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from sonicgrid.config import Settings


class CheckpointDamaged(UserError):
    pass


def damaged(path: str, exc: BaseException) -> CheckpointDamaged:
    return CheckpointDamaged(
        f"the checkpoint store {path} is damaged or unreadable ({(str(exc).splitlines() or [''])[0][:120]}): "
        f"move it aside (runs in it can no longer be resumed; finished clips and the library are not affected)"
    )


def saver_for(settings: Settings, name: str = "checkpoints") -> BaseCheckpointSaver[Any]:
    """The checkpointer for `name` (checkpoints: runs; sessions: chats) under these settings."""
    if settings.checkpoint_url:
        return postgres_saver(settings.checkpoint_url)
    if name == "checkpoints":
        return sqlite_saver(str(settings.checkpoint_path))
    return sqlite_saver(str(Path(settings.data_dir) / f"{name}.sqlite"))


@lru_cache(maxsize=4)
def sqlite_saver(path: str) -> BaseCheckpointSaver[Any]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        # WAL + synchronous=NORMAL: a commit is in the WAL file (the OS holds it) without an fsync, so a
        # killed process loses nothing and the store stays consistent; only a power cut can lose the last
        # steps. Full sync cost ~0.7 s of fsyncs per run (one per super-step) on this disk.
        conn.execute("PRAGMA synchronous=NORMAL")
        saver = SqliteSaver(conn)
        saver.setup()
        conn.execute("SELECT count(*) FROM checkpoints WHERE 0").fetchall()  # reads the schema and a page
        if conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
    except sqlite3.DatabaseError as exc:
        raise damaged(path, exc) from exc
    except OSError as exc:
        raise UserError(f"cannot open the checkpoint store {path}: {exc.strerror or exc}") from exc
    return saver


@lru_cache(maxsize=4)
def postgres_saver(url: str) -> BaseCheckpointSaver[Any]:
    """LangGraph's PostgresSaver on a small connection pool (threads of one studio share it)."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise UserError(f"SONICGRID_CHECKPOINT_URL must be a postgresql:// URL, not {url.split('://')[0]}://...")
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool
    except ImportError as exc:
        raise UserError(
            f"the Postgres checkpointer needs langgraph-checkpoint-postgres and psycopg ({exc.name} is missing): "
            "pip install 'sonicgrid[postgres]'"
        ) from exc
    import psycopg

    kwargs: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    try:
        with psycopg.connect(url, connect_timeout=5, **kwargs) as conn:  # fail fast with one line
            PostgresSaver(conn).setup()
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"cannot reach the checkpoint database: {first}") from exc
    pool: ConnectionPool[Any] = ConnectionPool(url, min_size=1, max_size=8, kwargs=kwargs, open=True)
    return PostgresSaver(pool)
