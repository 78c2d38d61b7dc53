"""The clip library on Chroma: embedded PersistentClient, or a Chroma server when a URL is set.

Two collections share ids: `clips_text` (MiniLM embedding of brief + tags) and `clips_audio`
(a fixed-length vector from the audio). The audio file is written before any record, and a
record is never written without its file; `verify()` repairs what a crash left between them.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from sonicgrid.audio import Audio
from sonicgrid.memory.embed import embed_text
from sonicgrid.memory.store import AudioStore

_SCALARS = (str, int, float, bool)


def _flatten(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata holds scalars only: lists and dicts go in as JSON strings."""
    out = {}
    for k, v in meta.items():
        if v is None:
            continue
        out[k] = v if isinstance(v, _SCALARS) else json.dumps(v)
    return out


def _client(root: Path, url: str | None):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url:
        from urllib.parse import urlparse

        u = urlparse(url if "://" in url else f"http://{url}")
        return chromadb.HttpClient(host=u.hostname or "localhost", port=u.port or 8000,
                                   ssl=u.scheme == "https", settings=settings)
    (root / "chroma").mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(root / "chroma"), settings=settings)


class ClipLibrary:
    def __init__(self, root: Path, url: str | None = None):
        self.root = Path(root)
        self.store = AudioStore(self.root)
        self.client = _client(self.root, url)
        cfg = {"hnsw": {"space": "cosine"}}
        self.text = self.client.get_or_create_collection("clips_text", embedding_function=None, configuration=cfg)
        self.audio = self.client.get_or_create_collection("clips_audio", embedding_function=None, configuration=cfg)

    # -- writing -------------------------------------------------------------------------
    def add(self, audio: Audio, meta: dict[str, Any], text: str, audio_vec: list[float]) -> str:
        digest, path = self.store.put(audio)  # file first: a record never points at nothing
        clip_id = meta.get("id") or f"clip_{uuid.uuid4().hex[:12]}"
        meta = dict(meta, id=clip_id, sha256=digest, created=meta.get("created", time.time()),
                    duration_s=round(audio.duration, 3))
        flat = _flatten(meta)
        self.audio.upsert(ids=[clip_id], embeddings=[audio_vec], metadatas=[flat])
        # The text record is the clip's record of truth: written last, so a crash before it
        # leaves only an orphan that verify() removes.
        self.text.upsert(ids=[clip_id], embeddings=[embed_text(text)], metadatas=[flat], documents=[text])
        return clip_id

    def remove(self, clip_id: str) -> bool:
        rec = self.get(clip_id)
        if rec is None:
            return False
        self.text.delete(ids=[clip_id])
        self.audio.delete(ids=[clip_id])
        digest = rec["meta"].get("sha256")
        if digest and not self.text.get(where={"sha256": digest})["ids"]:
            self.store.remove(digest)
        return True

    # -- reading -------------------------------------------------------------------------
    def _record(self, clip_id: str, meta: dict, doc: str | None, score: float | None = None) -> dict:
        return {"id": clip_id, "meta": meta, "text": doc, "score": score,
                "path": str(self.store.path_for(meta.get("sha256", "")))}

    def get(self, clip_id: str) -> dict | None:
        r = self.text.get(ids=[clip_id], include=["metadatas", "documents"])
        if not r["ids"]:
            return None
        return self._record(r["ids"][0], r["metadatas"][0], r["documents"][0])

    def load(self, clip_id: str) -> Audio:
        from sonicgrid.audio import read

        rec = self.get(clip_id)
        if rec is None:
            raise KeyError(clip_id)
        return read(rec["path"])

    def count(self) -> int:
        return self.text.count()

    def all(self, where: dict | None = None, limit: int | None = None) -> list[dict]:
        r = self.text.get(where=where, limit=limit, include=["metadatas", "documents"])
        recs = [self._record(i, m, d) for i, m, d in zip(r["ids"], r["metadatas"], r["documents"])]
        return sorted(recs, key=lambda x: x["meta"].get("created", 0), reverse=True)

    def last(self, where: dict | None = None) -> dict | None:
        recs = self.all(where=where)
        return recs[0] if recs else None

    def search(self, text: str, k: int = 5, where: dict | None = None,
               audio_vec: list[float] | None = None) -> list[dict]:
        n = self.count()
        if n == 0:
            return []
        r = self.text.query(query_embeddings=[embed_text(text)], n_results=min(k, n), where=where,
                            include=["metadatas", "documents", "distances"])
        out = []
        for cid, meta, doc, dist in zip(r["ids"][0], r["metadatas"][0], r["documents"][0], r["distances"][0]):
            out.append(self._record(cid, meta, doc, score=round(1.0 - float(dist), 4)))
        return out
