"""Issue 14 #8: a full disk is one line that says so, and the library stays consistent."""

from __future__ import annotations

import pytest
from reliability_helpers import Env, can_mount, mounted, one_line_error


@pytest.mark.skipif(not can_mount(), reason="needs root to mount a small tmpfs")
def test_out_dir_on_a_full_disk(tmp_path):
    env = Env(tmp_path)
    with mounted("-t", "tmpfs", "-o", "size=600k", "tmpfs", target=tmp_path / "small") as small:
        (small / "filler").write_bytes(b"\0" * (560 * 1024))
        r = env.cli("make", "calm loop", "--duration", "8", "--out", str(small))
        line = one_line_error(r)
        assert "no space left" in line.lower() or "not writable" in line, line
        assert "LibsndfileError" not in line and "System error" not in line
    ver = env.json("library", "verify", "--check")
    assert ver["ok"], ver
