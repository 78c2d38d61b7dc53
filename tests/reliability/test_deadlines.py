"""Issue 14 #4: every external call is bounded in time. A Chroma server that hangs, trickles, fails
or speaks garbage is one line within its deadline (SONICGRID_CHROMA_TIMEOUT_S), never a hang.
(LLM server deadlines and `--brain auto` falling back on LLM failure: see the `health` work's tests.)"""

from __future__ import annotations

import time

import pytest
from reliability_helpers import Env, bad_server, one_line_error


@pytest.mark.parametrize("mode", ["hang", "trickle", "500", "garbage"])
def test_chroma_server_misbehaving(tmp_path, mode):
    env = Env(tmp_path)
    with bad_server(mode, lifetime_s=40) as url:
        t0 = time.monotonic()
        r = env.cli("library", "ls", timeout=60, SONICGRID_CHROMA_URL=url, SONICGRID_CHROMA_TIMEOUT_S="2")
        wall = time.monotonic() - t0
    line = one_line_error(r)
    assert "Chroma" in line or "clip library" in line, line
    assert wall < 30, f"{mode}: {wall:.1f} s"  # the deadline (2 s) plus process start, not forever
