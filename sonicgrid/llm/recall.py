"""The judge's memory: an in-process model's answer to an exact prompt, kept on disk.

The local judge decodes greedily (temperature 0, top-k 1, seed 0), so the same prompt to the same model
file and adapter gives the same answer; a library-served request asks the agents the same questions as
the run that stored the clip. Remembering the answer per (model file, adapter file, prompt, schema)
skips the completion and, when every question of a run is remembered, the model's load as well (the
local model loads on its first real question: sonicgrid.llm.local). Only models that say they are
deterministic are remembered (`LocalLLM.identity()`); a server or another provider is always asked.
Entries are small JSON files under `<data dir>/cache/judge/` (memory/keyed.py: written atomically, an
unreadable one is a miss). Like the ears' and the mix memory, it changes nothing but the time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sonicgrid.memory.keyed import JsonMemory

VERSION = "judge-memory/1"


class JudgeMemory(JsonMemory):
    def __init__(self, folder: Path, model: str):
        super().__init__(folder)
        self.model = model

    def key(self, prompt: str, schema: dict) -> str:
        blob = json.dumps([VERSION, self.model, prompt, schema], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def get(self, key: str) -> tuple[str, Any, dict[str, float]] | None:
        """(raw text, parsed JSON, per-field probabilities) of the remembered answer."""
        rec = self.get_json(key)
        if rec is None:
            return None
        try:
            return str(rec["raw"]), rec["parsed"], {str(k): float(v) for k, v in rec["probs"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def put(self, key: str, raw: str, parsed: Any, probs: dict[str, float]) -> None:
        self.put_json(key, {"raw": raw, "parsed": parsed, "probs": probs})
