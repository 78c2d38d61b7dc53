"""Test hook: die with SIGKILL at a named point, to prove crash safety through the real CLI.

Set SONICGRID_CRASH_AT (Settings.crash_at) to a point's name, e.g. `node:finish` (right after that graph
node's update reached the caller), `store:file`, `store:audio_record`, `store:text_record` (right after
that write of a library add), `migrate:sidecars` (a music-vector migration batch: sidecars written, audio
records not), `outputs:before` (the run is checkpointed as finished, nothing written yet).
Unset in normal use: then every call is a no-op. See docs/RELIABILITY.md.
"""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    # Read from the environment at the point itself: the store's writes have no Settings in reach, and a
    # test hook must not thread through every signature. (Settings.crash_at documents the variable.)
    target = os.environ.get("SONICGRID_CRASH_AT")
    if target and target == name:
        os.kill(os.getpid(), signal.SIGKILL)
