"""The mix memory: a finished master remembered by what went into it.

A request the library serves re-mixes stems that are bit-identical to an earlier run's, with the same
mood, tempo, loudness target and length: the mix and master are then the same numbers again (~1 s of
CPU for a 12 s clip). Stems are recognised by `audio.sound_id` (their 16-bit rounding), the same for a
stem mixed from memory and for it read back from the library's 24-bit WAV. The memory keeps, per recipe, a pointer to the clip.wav that an earlier run wrote
plus that file's sound digest and the mix and mastering reports; nothing is copied. A hit re-reads the
file and checks its digest, so a file since edited (a remix writes a new file, a user may overwrite
one) or deleted is simply a miss. The key covers the mixer's and mastering's code (size and mtime),
so a changed chain never answers from an older memory. Entries are small JSON files under
`<data dir>/cache/mixes/`, written atomically; any unreadable entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sonicgrid import audio as aio
from sonicgrid.tools import mixer

VERSION = "mix-memory/1"


def _code_stamp() -> str:
    from sonicgrid.tools.analysts import loudness
    from sonicgrid.tools.enhancers import master

    files = [Path(mixer.__file__), Path(master.__file__), Path(loudness.__file__), Path(__file__)]
    return "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)


def key_of(stems: list[mixer.Stem], **params: Any) -> str:
    """The recipe's identity: every stem's sound and placement, the mix/master parameters, the code."""
    parts = [
        [s.name, s.layer, s.section, s.start_s, s.gain_db, s.pan, s.width, s.mute, s.solo, s.level_db]
        + [aio.sound_id(s.audio)]
        for s in stems
    ]
    blob = json.dumps([VERSION, _code_stamp(), parts, params], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class MixMemory:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[aio.Audio, dict, dict] | None:
        """(mastered audio, mix report, mastering report) when the remembered file is still that sound."""
        try:
            rec = json.loads(self._path(key).read_text())
            audio = aio.read(rec["path"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if aio.digest_of(audio) != rec.get("digest"):  # exact: the very file that was remembered
            return None
        return audio, dict(rec["mix"]), dict(rec["mastering"])

    def put(self, key: str, path: str | Path, mix: dict, mastering: dict) -> None:
        """Remember the file just written at `path` (its digest as read back: the WAV holds 24-bit samples)."""
        p = self._path(key)
        tmp = None
        try:
            rec: dict[str, Any] = {"path": str(Path(path).resolve()), "digest": aio.digest_of(aio.read(path))}
            rec |= {"mix": mix, "mastering": mastering}
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump(rec, f, default=str)
            os.replace(tmp, p)
        except (OSError, TypeError, ValueError):  # unreadable, or a full or read-only disk: only not remembered
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
