"""Content-addressed audio files: <root>/audio/<sha256[:2]>/<sha256>.wav, written atomically."""

from __future__ import annotations

from pathlib import Path

from sonicgrid.audio import Audio, digest_of, write

__all__ = ["AudioStore", "digest_of"]


class AudioStore:
    def __init__(self, root: Path):
        self.root = Path(root) / "audio"
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.wav"

    def put(self, audio: Audio, digest: str | None = None) -> tuple[str, Path]:
        digest = digest or digest_of(audio)
        path = self.path_for(digest)
        if not path.exists():
            write(path, audio)  # temp file + rename: never half a file under the final name
        return digest, path

    def has(self, digest: str) -> bool:
        return bool(digest) and self.path_for(digest).exists()

    def remove(self, digest: str) -> None:
        self.path_for(digest).unlink(missing_ok=True)

    def all_digests(self) -> set[str]:
        return {p.stem for p in self.root.glob("*/*.wav")}

    def stale_temps(self) -> list[Path]:
        """Temp files a crash left mid-write (never visible under a final name)."""
        return list(self.root.glob("*/.*.tmp"))
