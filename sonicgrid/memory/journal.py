"""Crash safety for the library: one writer at a time, and an intent journal for half-done adds.

Every write takes an exclusive lock file (`fcntl.flock`, so a dead process never holds it) and,
before touching the audio store, writes an intent `pending/<first clip id>.json` naming the clips and
their file digests. The intent is removed once both Chroma records exist (the audio record only for a
clip that has a vector of the library's kind: memory/vectors.py). Whoever next holds the lock
(open, verify) finds intents left by dead writers and rolls them back or forward, so no record is
left without its file and no file without its record.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path


class Journal:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.pending_dir = self.root / "pending"
        self.pending_dir.mkdir(parents=True, exist_ok=True)
        self.lock_path = self.root / ".write.lock"

    @contextmanager
    def locked(self):
        """Exclusive across threads and processes on this machine."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def begin(self, entries: list[tuple[str, str, bool]]) -> Path:
        """Record the intent to add these (clip id, file digest, with an audio vector) entries: one fsynced
        file per batch. A clip without a vector of the library's kind (musicnn missing) has no audio record
        to wait for; an intent from before says nothing of it and means one."""
        path = self.pending_dir / f"{entries[0][0]}.json"
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            clips = [{"id": c, "sha256": d, "vector": v} for c, d, v in entries]
            json.dump({"clips": clips, "pid": os.getpid()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return path

    @staticmethod
    def done(path: Path) -> None:
        path.unlink(missing_ok=True)

    def pending(self) -> list[dict]:
        """Intents still on disk (call with the lock held: then every one is from a dead writer)."""
        out = []
        for p in sorted(self.pending_dir.glob("*.tmp")):
            p.unlink(missing_ok=True)  # the intent itself was never completed: nothing followed it
        for p in sorted(self.pending_dir.glob("*.json")):
            try:
                out.append(json.loads(p.read_text()) | {"_path": str(p)})
            except ValueError:
                p.unlink(missing_ok=True)
        return out
