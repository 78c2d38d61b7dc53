"""One JSON sidecar per clip record: <root>/records/<clip id>.json = id, file digest, metadata, text,
audio vector and its kind (memory/vectors.py; none in a sidecar from before: dsp-33). Written (atomically) before the Chroma records, removed with them: if the Chroma index is
lost or damaged, `library rebuild` restores every record from its audio file and this sidecar."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sonicgrid.audio import write_json

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class Sidecars:
    def __init__(self, root: Path):
        self.dir = Path(root) / "records"
        self.dir.mkdir(parents=True, exist_ok=True)

    def path(self, clip_id: str) -> Path:
        return self.dir / f"{_SAFE.sub('_', clip_id)}.json"

    def write(
        self, clip_id: str, digest: str, meta: dict, text: str | None, audio_vec: list[float] | None, kind: str | None
    ) -> None:
        write_json(
            self.path(clip_id),
            {
                "id": clip_id,
                "sha256": digest,
                "meta": meta,
                "text": text,
                "audio_vector": audio_vec,
                "audio_vector_kind": kind if audio_vec else None,
            },
        )

    def read(self, clip_id: str) -> dict | None:
        """One clip's sidecar; None when there is none or it cannot be read."""
        return _load(self.path(clip_id))

    def remove(self, clip_id: str) -> None:
        self.path(clip_id).unlink(missing_ok=True)

    def all(self) -> tuple[list[dict], list[Path]]:
        """(readable sidecars, unreadable sidecar paths)."""
        good, bad = [], []
        for p in sorted(self.dir.glob("*.json")):
            d = _load(p)
            if d and d.get("id") and d.get("sha256"):
                good.append(d)
            else:
                bad.append(p)
        return good, bad


def _load(path: Path) -> dict | None:
    """A sidecar's JSON object; None when the file is missing, unreadable or not an object."""
    try:
        d = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return d if isinstance(d, dict) else None
