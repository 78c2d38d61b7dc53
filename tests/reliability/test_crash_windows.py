"""Issue 14 #3: kill -9 at every node and between the store's writes; `make --resume` then gives exactly
one record for the run, and its clip.json + trace, whatever the point of death.

The product's test hook SONICGRID_CRASH_AT (Settings.crash_at, sonicgrid/crashpoints.py) SIGKILLs the
process at a named point."""

from __future__ import annotations

import json
import signal

import pytest
from reliability_helpers import Env, records

# Three points, one per kind of window (a cell's node, between the store's writes, after the final
# checkpoint), run in `make test`; the whole matrix with `make test-all` (-m slow).
EVERY = pytest.mark.slow
POINTS = [
    pytest.param("node:intake", marks=EVERY),
    pytest.param("node:plan", marks=EVERY),
    "node:cell",
    pytest.param("store:file", marks=EVERY),
    "store:audio_record",
    pytest.param("store:text_record", marks=EVERY),
    pytest.param("node:finish", marks=EVERY),
    "outputs:before",
]


@pytest.mark.parametrize("point", POINTS)
def test_kill_then_resume_gives_one_record_and_the_outputs(tmp_path, point):
    env = Env(tmp_path)
    killed = env.cli("make", "calm loop", "--duration", "2", SONICGRID_CRASH_AT=point)
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-1500:] + killed.stderr[-1500:]
    (run_id,) = env.run_ids()
    assert not (env.out / run_id / "clip.json").exists()
    first = env.cli("make", "--resume", run_id)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    again = env.cli("make", "--resume", run_id)  # a second resume changes nothing
    assert again.returncode == 2 and "already finished" in again.stderr
    ours = [r for r in records(env) if r["meta"].get("run_id") == run_id]
    # one record per part of the run: the clip, and each grid stem once (stored for reuse), never twice
    mine = [r for r in ours if r["meta"].get("kind") != "stem"]
    assert len(mine) == 1, mine
    stems = [r["meta"].get("layer") for r in ours if r["meta"].get("kind") == "stem"]
    assert len(stems) == len(set(stems)), stems
    side = json.loads((env.out / run_id / "clip.json").read_text())
    assert side["result"]["clip_id"] == mine[0]["id"]
    assert (env.out / run_id / "clip.wav").is_file() and (env.data / "traces" / f"{run_id}.json").is_file()
    ver = env.json("library", "verify", "--check")
    assert ver["ok"] and ver["records"] == len(ours) and ver["files"] == len(ours)


def test_resume_hint_only_when_there_is_a_checkpoint(tmp_path):
    """A run that dies at once (a wall deadline far too short) says --resume only if resuming can work."""
    env = Env(tmp_path)
    r = env.cli("make", "calm loop", "--duration", "2", SONICGRID_RUN_DEADLINE_S="0.05")
    assert r.returncode == 2, r.stdout[-1500:] + r.stderr[-1500:]
    assert "deadline" in r.stderr and "Traceback" not in r.stderr
    (run_id,) = env.run_ids() or [None]
    if "--resume" in r.stderr:
        back = env.cli("make", "--resume", run_id)
        assert back.returncode == 0, back.stderr[-2000:]
    else:
        assert "nothing to resume" in r.stderr
