"""The ears' memory: what musicnn and basic-pitch heard in a sound, kept on disk by the sound's digest.

The pretrained models are the expensive part of hearing (about 0.1 s of CPU per audio second); the same
sound is heard again whenever the library serves a grid (the re-mix of reused stems is bit-identical to
the earlier run's mix), an eval repeats a request, or a stem is re-judged. Entries are ~10 KB `.npz`
files under `<data dir>/cache/ears/`, written atomically; a corrupt or foreign entry is ignored and
rewritten.

A second, whole-answer memory (`AnswerMemory`, `<data dir>/cache/ears/answers/`) keeps the complete
Analysis for the same sound (`audio.sound_id`: its 24-bit WAV round trip, so a master read back from
disk is the master that was heard) against the same brief, layer and length: a request the library
serves re-hears a bit-identical mix, and this answer skips the DSP features and the critic as well (a
cold process then never imports scipy or loads the critic's trees). Its key covers the analysts' own
code and the critic's weights (size and mtime of each file), so an edited analyst or a retrained
critic is never answered from an older memory. Either memory changes nothing but the time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from sonicgrid.audio import Audio, digest_of, sound_id
from sonicgrid.memory.keyed import JsonMemory, file_stamp, write_quietly
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
        rows = np.array([[n.start_s, n.end_s, n.pitch, n.amplitude] for n in nts], np.float64).reshape(-1, 4)
        arrays: dict[str, Any] = {k: np.asarray(heard[k], np.float32) for k in HEARD_KEYS}

        def save(tmp: str) -> None:
            with open(tmp, "wb") as f:  # a file object: np.savez would add ".npz" to a name
                np.savez(f, notes=rows, **arrays)

        write_quietly(self._path(key), save)  # a full or read-only disk: hearing works, it is only not remembered


def code_stamp() -> str:
    """Size and mtime of every analyst module and of the critic's weights: changes when either does."""
    here = Path(__file__).parent
    return file_stamp(*sorted([*here.glob("*.py"), *here.glob("*.json")]))


class AnswerMemory(JsonMemory):
    """The complete answer (an Analysis as a plain dict) for one sound, brief, layer and length."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self._stamp: str | None = None

    def key(self, audio: Audio, brief: dict[str, Any], layer: str | None, duration_s: float | None) -> str:
        if self._stamp is None:
            self._stamp = code_stamp()
        asked = json.dumps([brief, layer, duration_s], sort_keys=True, default=str)
        return hashlib.sha256(f"{VERSION}|{self._stamp}|{sound_id(audio)}|{asked}".encode()).hexdigest()

    def get(self, key: str) -> dict[str, Any] | None:
        return self.get_json(key)

    def put(self, key: str, answer: dict[str, Any]) -> None:
        self.put_json(key, answer)
