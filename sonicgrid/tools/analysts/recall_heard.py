"""The ears' memory: what musicnn and basic-pitch heard in a sound, kept on disk by the sound's digest.

The pretrained models are the expensive part of hearing (about 0.1 s of CPU per audio second); the same
sound is heard again whenever the library serves a grid (the re-mix of reused stems is bit-identical to
the earlier run's mix), an eval repeats a request, or a stem is re-judged. The DSP features, the critic
and the brief checks are always recomputed (they are cheap, and the brief differs per request), so a
memory hit changes nothing but the time. Entries are ~10 KB `.npz` files under
`<data dir>/cache/ears/`, written atomically; a corrupt or foreign entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from sonicgrid.audio import Audio, digest_of
from sonicgrid.tools.analysts.notes import Note

VERSION = "musicnn-0.1.0+basic-pitch-0.4.0/1"  # bump when a port or the decoding changes what is heard
HEARD_KEYS = ("mtt_tags", "msd_tags", "mtt_embedding", "msd_embedding")


def key_of(audio: Audio) -> str:
    """The memory key: the sound's digest (sonicgrid.audio.digest_of) under the models' version."""
    return hashlib.sha256(f"{VERSION}|{digest_of(audio)}".encode()).hexdigest()


class HeardMemory:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npz"

    def get(self, key: str) -> tuple[dict[str, np.ndarray], list[Note]] | None:
        p = self._path(key)
        if not p.exists():
            return None
        try:
            with np.load(p) as z:
                heard = {k: np.array(z[k], np.float32) for k in HEARD_KEYS}
                rows = np.array(z["notes"], np.float64).reshape(-1, 4)
        except (OSError, ValueError, KeyError, EOFError):
            return None
        return heard, [Note(float(a), float(b), int(c), float(d)) for a, b, c, d in rows]

    def put(self, key: str, heard: dict[str, np.ndarray], nts: list[Note]) -> None:
        p = self._path(key)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            rows = np.array([[n.start_s, n.end_s, n.pitch, n.amplitude] for n in nts], np.float64).reshape(-1, 4)
            fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                arrays: dict[str, Any] = {k: np.asarray(heard[k], np.float32) for k in HEARD_KEYS}
                np.savez(f, notes=rows, **arrays)
            os.replace(tmp, p)
        except OSError:  # a full or read-only disk: hearing still works, it is only not remembered
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass
