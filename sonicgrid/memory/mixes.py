"""The mix memory: a finished master remembered by what went into it.

A request the library serves re-mixes stems that are bit-identical to an earlier run's, with the same
mood, tempo, loudness target and length: the mix and master are then the same numbers again (~1 s of
CPU for a 12 s clip). Stems are recognised by `audio.sound_id` (their 24-bit WAV round trip), the same
for a stem mixed from memory and for it read back from the library's WAV. The memory keeps, per recipe,
a pointer to the clip.wav that an earlier run wrote plus that file's sound digest and the mix and
mastering reports; nothing is copied. A hit re-reads the file and checks its digest, so a file since edited (a remix writes a new file, a user may overwrite
one) or deleted is simply a miss. The key covers the mixer's and mastering's code (size and mtime),
so a changed chain never answers from an older memory. Entries are small JSON files under
`<data dir>/cache/mixes/` (memory/keyed.py: written atomically, any unreadable entry is a miss).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sonicgrid import audio as aio
from sonicgrid.memory.keyed import JsonMemory, file_stamp
from sonicgrid.tools import mixer

VERSION = "mix-memory/1"


def _code_stamp() -> str:
    from sonicgrid.tools.analysts import loudness
    from sonicgrid.tools.enhancers import master

    return file_stamp(mixer.__file__, master.__file__, loudness.__file__, __file__)


def key_of(stems: list[mixer.Stem], **params: Any) -> str:
    """The recipe's identity: every stem's sound and placement, the mix/master parameters, the code."""
    parts = [
        [s.name, s.layer, s.section, s.start_s, s.gain_db, s.pan, s.width, s.mute, s.solo, s.level_db]
        + [aio.sound_id(s.audio)]
        for s in stems
    ]
    blob = json.dumps([VERSION, _code_stamp(), parts, params], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class MixMemory(JsonMemory):
    def get(self, key: str) -> tuple[aio.Audio, dict, dict, Path] | None:
        """(mastered audio, mix report, mastering report, its file) when the remembered file is still that
        sound (a new clip.wav can be a copy of that file)."""
        rec = self.get_json(key)
        if rec is None:
            return None
        try:
            audio = aio.read(rec["path"])
            if aio.digest_of(audio) != rec["digest"]:  # exact: the very file that was remembered
                return None
            return audio, dict(rec["mix"]), dict(rec["mastering"]), Path(rec["path"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, path: str | Path, mix: dict, mastering: dict) -> None:
        """Remember the file just written at `path` (its digest as read back: the WAV holds 24-bit samples)."""
        try:
            digest = aio.digest_of(aio.read(path))
        except (OSError, ValueError):  # unreadable: not remembered
            return
        self.put_json(key, {"path": str(Path(path).resolve()), "digest": digest, "mix": mix, "mastering": mastering})
