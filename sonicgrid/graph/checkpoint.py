"""Durability: every run's graph state is checkpointed to SQLite under the data dir."""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=4)
def sqlite_saver(path: str):
    from langgraph.checkpoint.sqlite import SqliteSaver

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    saver = SqliteSaver(conn)
    saver.setup()
    return saver
