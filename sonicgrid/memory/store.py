"""Content-addressed audio files: <root>/audio/<sha256[:2]>/<sha256>.wav, written atomically."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sonicgrid.audio import Audio, write


class AudioStore:
    def __init__(self, root: Path):
        self.root = Path(root) / "audio"
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.wav"

    def put(self, audio: Audio) -> tuple[str, Path]:
        digest = hashlib.sha256(audio.samples.tobytes() + str(audio.sr).encode()).hexdigest()
        path = self.path_for(digest)
        if not path.exists():
            write(path, audio)
        return digest, path

    def has(self, digest: str) -> bool:
        return self.path_for(digest).exists()

    def remove(self, digest: str) -> None:
        self.path_for(digest).unlink(missing_ok=True)

    def all_digests(self) -> set[str]:
        return {p.stem for p in self.root.glob("*/*.wav")}
