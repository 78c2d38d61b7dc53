"""SONICGRID_CHECKPOINT_URL=postgresql://... : runs and chat sessions checkpoint to a real PostgreSQL
(started and stopped here), and a second process with another data dir resumes the same session."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pg_server import PgServer, pg_bin

pytestmark = pytest.mark.skipif(pg_bin() is None, reason="Debian postgresql not installed (make postgres)")


@pytest.fixture(scope="module")
def pg():
    pytest.importorskip("langgraph.checkpoint.postgres")
    server = PgServer().start()
    yield server
    server.stop()


def _rows(url: str, sql: str, *args) -> list:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, args).fetchall()


def test_a_run_checkpoints_to_postgres_and_not_to_sqlite(pg, tmp_path):
    from sonicgrid.config import Settings
    from sonicgrid.graph.run import make

    s = Settings(data_dir=tmp_path / "data", out_dir=tmp_path / "out", brain="rules", checkpoint_url=pg.url)
    summary = make("moody intro with pads, 4 seconds", s, seed=1)
    assert summary["result"]["status"] == "ok"
    n = _rows(pg.url, "select count(*) from checkpoints where thread_id = %s", summary["run_id"])[0][0]
    assert n > 3  # one checkpoint per super-step of the run
    assert not s.checkpoint_path.exists()


def test_a_bad_url_is_one_line(tmp_path):
    from sonicgrid.errors import UserError
    from sonicgrid.graph.checkpoint import postgres_saver

    with pytest.raises(UserError, match="cannot reach the checkpoint database"):
        postgres_saver("postgresql://nobody@127.0.0.1:1/none")


def _chat(url: str, data_dir, session: str, lines: str) -> str:
    env = dict(
        os.environ,
        SONICGRID_CHECKPOINT_URL=url,
        SONICGRID_DATA_DIR=str(data_dir),
        SONICGRID_OUT_DIR=str(data_dir / "out"),
        SONICGRID_BRAIN="rules",
    )
    r = subprocess.run(
        [sys.executable, "-m", "sonicgrid.cli", "chat", "--session", session],
        input=lines,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_two_processes_with_different_data_dirs_share_a_session(pg, tmp_path):
    first = _chat(pg.url, tmp_path / "a", "shared-1", "moody intro with pads, 4 seconds\n")
    assert "clip_" in first
    second = _chat(pg.url, tmp_path / "b", "shared-1", "/history\n")
    assert "resumed: 1 turns" in second
    assert "moody intro with pads" in second
    assert not (tmp_path / "b" / "sessions.sqlite").exists()


def _api(url: str, method: str = "GET", body: dict | None = None) -> dict:
    import json
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def test_two_studio_processes_serve_the_same_session(pg, tmp_path):
    import time
    import urllib.request

    from studio_harness import StudioServer

    env = {"SONICGRID_CHECKPOINT_URL": pg.url}
    a = StudioServer(tmp_path / "shared", None, env=env).start()
    b = StudioServer(tmp_path / "shared", None, env=env).start()
    try:
        sid = _api(a.url + "api/sessions", "POST")["id"]
        _api(f"{a.url}api/sessions/{sid}/send", "POST", {"text": "calm loop with pads, 4 seconds"})
        deadline = time.time() + 240
        while _api(f"{a.url}api/sessions/{sid}")["busy"] and time.time() < deadline:
            time.sleep(0.5)
        seen_by_b = _api(f"{b.url}api/sessions/{sid}")
        assert [t["text"] for t in seen_by_b["turns"]] == ["calm loop with pads, 4 seconds"]
        turn = seen_by_b["turns"][0]
        assert turn["status"] == "ok" and turn["clip_id"].startswith("clip_")
        with urllib.request.urlopen(b.url + turn["audio"].lstrip("/"), timeout=60) as r:
            assert r.read(4) == b"RIFF"
        assert not (tmp_path / "shared" / "sessions.sqlite").exists()
    finally:
        a.stop()
        b.stop()
