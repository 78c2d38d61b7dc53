"""Issue 14 #7/#8: bad flags and unusable folders are one line with exit 2, fast (before any model loads)."""

from __future__ import annotations

import json
import time

import pytest
from reliability_helpers import Env, can_mount, one_line_error, read_only


@pytest.mark.parametrize("seed", [str(2**64), "-1"])
def test_seed_out_of_range(tmp_path, seed):
    t0 = time.monotonic()
    line = one_line_error(Env(tmp_path).cli("make", "calm loop", "--seed", seed))
    assert "--seed" in line and time.monotonic() - t0 < 30


@pytest.mark.parametrize("budget", ["inf", "nan", "-1"])
def test_non_finite_budget(tmp_path, budget):
    line = one_line_error(Env(tmp_path).cli("make", "calm loop", "--budget", budget))
    assert "budget" in line


def test_data_dir_is_a_file(tmp_path):
    env = Env(tmp_path)
    env.data.write_text("not a folder")
    for args in (("make", "calm loop", "--duration", "2"), ("library", "ls"), ("make", "--resume", "x")):
        line = one_line_error(env.cli(*args))
        assert str(env.data) in line, line


@pytest.mark.skipif(not can_mount(), reason="needs root to bind-mount a folder read-only")
def test_read_only_places(tmp_path):
    env = Env(tmp_path)
    ok = env.cli("make", "calm loop", "--duration", "2")
    assert ok.returncode == 0, ok.stderr[-2000:]
    ro = tmp_path / "ro"
    ro.mkdir()
    with read_only(ro):
        for cmd in ("report", "export"):
            line = one_line_error(env.cli("trace", cmd, "last", "-o", str(ro / "x" / "out.html")))
            assert "cannot write" in line and "Read-only" in line, line
        line = one_line_error(env.cli("make", "calm loop", "--out", str(ro)))
        assert "not writable" in line
    with read_only(env.data):
        line = one_line_error(env.cli("make", "calm loop", "--duration", "2"))
        assert "not writable" in line and str(env.data) in line, line
        r = env.cli("library", "ls")  # reading a read-only library: works, or one line
        assert r.returncode in (0, 2) and "Traceback" not in r.stderr, r.stderr[-2000:]


def test_clip_json_is_valid_json_and_files_are_private(tmp_path):
    env = Env(tmp_path)
    ok = env.cli("make", "calm loop", "--duration", "2", "--budget", "1e308")
    assert ok.returncode == 0, ok.stderr[-2000:]
    (run_id,) = env.run_ids()
    side = (env.out / run_id / "clip.json").read_text()
    json.loads(side, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c} in clip.json"))
    private = [
        env.out / run_id / "clip.wav",
        env.out / run_id / "clip.json",
        env.data / "checkpoints.sqlite",
        env.data / "library" / "chroma" / "chroma.sqlite3",
        env.data / "traces" / f"{run_id}.json",
        *(env.data / "library" / "audio").glob("*/*.wav"),
        *(env.data / "library" / "records").glob("*.json"),
    ]
    modes = {str(p.relative_to(tmp_path)): oct(p.stat().st_mode & 0o777) for p in private}
    assert all(m == "0o600" for m in modes.values()), modes  # one policy: owner-only
