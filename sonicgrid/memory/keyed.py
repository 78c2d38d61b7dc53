"""What the on-disk memories share (the ears' answers, the mix memory, the judge's answers): entries
sharded by the first two hex digits of a sha256 key, written atomically with `audio._atomic_bytes`
(temp file + rename), and a miss for anything missing, unreadable or foreign; `file_stamp` names the
code or weights an entry was made with, so an edited file is never answered from an older memory.
A memory that cannot write (a full or read-only disk) only does not remember.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sonicgrid.audio import _atomic_bytes


def file_stamp(*paths: Path | str | None) -> str:
    """name:size:mtime of each file ('-' for None), joined: changes when any of them does."""
    parts = []
    for p in paths:
        if p is None:
            parts.append("-")
            continue
        st = Path(p).stat()
        parts.append(f"{Path(p).name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def write_quietly(path: Path, writer: Callable[[str], object]) -> None:
    """`writer(tmp)` then rename to `path`; a disk that refuses is only not remembered."""
    try:
        _atomic_bytes(path, writer)
    except OSError:
        pass


def _plain(v: Any) -> Any:
    """numpy scalars and arrays as JSON numbers and lists."""
    return v.tolist() if hasattr(v, "tolist") else str(v)


class JsonMemory:
    """One JSON object per key under `folder`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get_json(self, key: str) -> dict[str, Any] | None:
        try:
            got = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None
        return got if isinstance(got, dict) else None

    def put_json(self, key: str, rec: dict[str, Any]) -> None:
        try:
            data = json.dumps(rec, default=_plain)
        except (TypeError, ValueError):  # not JSON-able (a circular structure): not remembered
            return
        write_quietly(self._path(key), lambda tmp: Path(tmp).write_text(data))
