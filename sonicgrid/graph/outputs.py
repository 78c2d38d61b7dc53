"""Run hardening: checks before a run, the wall deadline, one-line crash reports, re-derivable outputs.

- `check_data_dir`: a read-only data dir, or a file where it should be, is one line before any work.
- `check_seed`: seeds are 0 .. 2**32-1 (numpy, torch and the generators all accept that range).
- `Deadline`: a run's wall-clock limit (Settings.run_deadline_s), checked as every node returns; a node
  that hangs is interrupted by SIGALRM when the run is in the main thread.
- `crash_message`: what a crashed run says — disk full as such, and the `--resume` hint only when a
  checkpoint exists to resume from.
- `missing_outputs`: a run checkpointed as finished whose clip.json/trace were never written (killed in
  between) gets them written on `--resume`, from the checkpoint (and the clip from the library if needed).
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sonicgrid.errors import UserError, disk_full

if TYPE_CHECKING:
    from sonicgrid.memory.library import ClipLibrary

SEED_MAX = 2**32 - 1


def check_seed(seed: int) -> int:
    if not 0 <= int(seed) <= SEED_MAX:
        raise UserError(f"--seed must be between 0 and {SEED_MAX}, not {seed}")
    return int(seed)


def check_data_dir(data_dir: Path) -> None:
    """The data dir (library, checkpoints, traces) must be a writable folder: say so in one line."""
    d = Path(data_dir)
    if d.exists() and not d.is_dir():
        raise UserError(f"the data dir {d} is a file, not a folder: set SONICGRID_DATA_DIR to a folder")
    try:
        d.mkdir(parents=True, exist_ok=True)
        probe = d / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UserError(
            f"the data dir {d} is not writable ({exc.strerror or exc}): set SONICGRID_DATA_DIR to a writable folder"
        ) from exc


class DeadlineExceeded(Exception):
    pass


class Deadline:
    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.t0 = time.monotonic()

    def check(self) -> None:
        if time.monotonic() - self.t0 > self.seconds:
            raise DeadlineExceeded(f"the run passed its {self.seconds:g} s wall deadline")

    @contextmanager
    def alarm(self) -> Iterator[None]:
        """Interrupt a node that never returns (main thread only: elsewhere the per-node check holds)."""
        main = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        if not main or not math.isfinite(self.seconds):
            yield
            return

        def ring(_sig: int, _frame: object) -> None:
            raise DeadlineExceeded(f"the run passed its {self.seconds:g} s wall deadline")

        old = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def crash_message(run_id: str, exc: BaseException, resumable: bool, paths: list[Path]) -> str:
    if disk_full(exc, paths):
        what = f"no space left on the disk of {', '.join(str(p) for p in paths)}"
    elif isinstance(exc, DeadlineExceeded):
        what = f"{exc} (SONICGRID_RUN_DEADLINE_S)"
    elif isinstance(exc, OSError):
        what = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    else:
        what = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}"
    if resumable:
        return f"run {run_id} stopped ({what}); its progress is checkpointed: continue it with: sonicgrid make --resume {run_id}"
    return f"run {run_id} stopped ({what}) before its first checkpoint: nothing to resume, run the request again"


def missing_outputs(state: dict[str, Any], run_dir: Path, traces_dir: Path) -> bool:
    res = state.get("result") or {}
    name = "clip.json" if res.get("status") == "ok" else "run.json"
    return not (run_dir / name).is_file() or not (traces_dir / f"{state.get('run_id')}.json").is_file()


def restore_clip(state: dict[str, Any], library: ClipLibrary) -> None:
    """clip.wav is written before the library add; should it be gone, the library still has the clip."""
    res = state.get("result") or {}
    if res.get("status") != "ok" or not res.get("path") or Path(res["path"]).is_file():
        return
    from sonicgrid import audio as aio

    rec = library.get(res.get("clip_id") or "")
    if rec is None:
        raise UserError(f"run {state.get('run_id')} finished but its clip is gone from {res['path']} and the library")
    aio.write(res["path"], aio.read(rec["path"]))


def last_resumable(graph: Any, config: dict[str, Any]) -> dict[str, Any] | None:
    """The config of the newest checkpoint of this thread that still has a node to run."""
    for snap in graph.get_state_history(config):
        if snap.next:
            found: dict[str, Any] = snap.config
            return found
    return None
