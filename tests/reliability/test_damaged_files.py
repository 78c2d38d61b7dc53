"""Issue 14 #7: a zeroed, truncated or garbage checkpoints.sqlite, and trace files that are not traces,
are one clear line with exit 2 — never a traceback."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
from reliability_helpers import Env, one_line_error


@pytest.mark.parametrize(
    "how",
    [pytest.param("zeroed", marks=pytest.mark.slow), pytest.param("truncated", marks=pytest.mark.slow), "garbage"],
)
def test_damaged_checkpoint_store(tmp_path, how):
    env = Env(tmp_path)
    ok = env.cli("make", "calm loop", "--duration", "2")
    assert ok.returncode == 0, ok.stderr[-2000:]
    (run_id,) = env.run_ids()
    db = env.data / "checkpoints.sqlite"
    con = sqlite3.connect(db)  # fold the WAL into the file first, so the damage hits the real data
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for extra in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        extra.unlink(missing_ok=True)
    size = db.stat().st_size
    if how == "zeroed":
        db.write_bytes(bytes(size))
    elif how == "truncated":
        with open(db, "r+b") as f:
            f.truncate(size // 2)
    else:
        db.write_bytes(b"SQLite format 3\x00" + os.urandom(size - 16))  # a valid magic, a garbage body
    for args in (("make", "calm loop", "--duration", "2"), ("make", "--resume", run_id)):
        line = one_line_error(env.cli(*args))
        assert "checkpoint store" in line and str(db) in line, line


def test_trace_files_that_are_not_traces(tmp_path):
    env = Env(tmp_path)
    bad = tmp_path / "no_run_id.json"
    bad.write_text(json.dumps({"request": "x", "verdicts": []}))
    for cmd in ("show", "report", "export"):
        assert "not a SonicGrid trace" in one_line_error(env.cli("trace", cmd, str(bad)))
    listing = tmp_path / "list.json"
    listing.write_text("[1, 2, 3]")
    one_line_error(env.cli("trace", "show", str(listing)))
    traces = env.data / "traces"
    traces.mkdir(parents=True)
    (traces / "broken.json").write_bytes(b"\x00garbage{")
    r = env.cli("trace", "list")
    assert r.returncode == 0 and "1 unreadable trace files skipped" in r.stderr, r.stdout + r.stderr
