"""Durability: every run's graph state is checkpointed to SQLite under the data dir.

A checkpoint file that is not a database (truncated, zeroed, garbage, a folder) is one clear line
(CheckpointDamaged, a UserError) naming the file and what to do — never a traceback.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path

from sonicgrid.errors import UserError


class CheckpointDamaged(UserError):
    pass


def damaged(path: str, exc: BaseException) -> CheckpointDamaged:
    return CheckpointDamaged(
        f"the checkpoint store {path} is damaged or unreadable ({(str(exc).splitlines() or [''])[0][:120]}): "
        f"move it aside (runs in it can no longer be resumed; finished clips and the library are not affected)"
    )


@lru_cache(maxsize=4)
def sqlite_saver(path: str):
    from langgraph.checkpoint.sqlite import SqliteSaver

    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
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
