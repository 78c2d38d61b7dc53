"""The judge's memory: an in-process model's answer to an exact prompt, kept on disk.

The local judge decodes greedily (temperature 0, top-k 1, seed 0), so the same prompt to the same model
file and adapter gives the same answer; a library-served request asks the agents the same questions as
the run that stored the clip. Remembering the answer per (model file, adapter file, prompt, schema)
skips the completion and, when every question of a run is remembered, the model's load as well (the
local model loads on its first real question: sonicgrid.llm.local). Only models that say they are
deterministic are remembered (`LocalLLM.identity()`); a server or another provider is always asked.
Entries are small JSON files under `<data dir>/cache/judge/`, written atomically; an unreadable one is
a miss. Like the ears' and the mix memory, it changes nothing but the time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

VERSION = "judge-memory/1"


def file_stamp(path: Path | None) -> str:
    """name:size:mtime of a file (a changed model or adapter is another model)."""
    if path is None:
        return "-"
    st = Path(path).stat()
    return f"{Path(path).name}:{st.st_size}:{st.st_mtime_ns}"


class JudgeMemory:
    def __init__(self, folder: Path, model: str):
        self.folder = Path(folder)
        self.model = model

    def key(self, prompt: str, schema: dict) -> str:
        blob = json.dumps([VERSION, self.model, prompt, schema], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[str, Any, dict[str, float]] | None:
        """(raw text, parsed JSON, per-field probabilities) of the remembered answer."""
        try:
            rec = json.loads(self._path(key).read_text())
            return str(rec["raw"]), rec["parsed"], {str(k): float(v) for k, v in rec["probs"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, raw: str, parsed: Any, probs: dict[str, float]) -> None:
        p = self._path(key)
        tmp = None
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump({"raw": raw, "parsed": parsed, "probs": probs}, f)
            os.replace(tmp, p)
        except (OSError, TypeError, ValueError):  # a full or read-only disk: only not remembered
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
