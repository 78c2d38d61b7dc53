"""Giving clips the library's kind of audio vector where they lack one: a library from before (its clips
hold dsp-33 vectors only, in the legacy collection), or clips stored while musicnn was missing.

`library rebuild` (and a repairing `library verify`) call `fill`: each clip's stored audio file is heard
again for the library's kind, in batches. The slow part (musicnn) runs without the writer lock; each batch
is then written under it, sidecar first and audio record second, and only for clips whose text record
still holds the same file. No file and no text record is created or removed, so the journal has nothing
to roll back: a run killed anywhere leaves every clip either with its new vector or without one, and the
next run picks up where it stopped (a vector already in a sidecar is taken from there, not heard again).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from sonicgrid.crashpoints import crash_point
from sonicgrid.memory import vectors

BATCH = 16
Progress = Callable[[str, int, int], None]


def vectorless_ids(lib) -> list[str]:
    """Ids of the clips whose record has no audio vector of the library's kind."""
    text = [i for r in lib._pages(lib.text, None, []) for i in r["ids"]]
    have = {i for r in lib._pages(lib.audio, None, []) for i in r["ids"]}
    return [i for i in text if i not in have]


def fill(lib, ids: list[str] | None = None, progress: Progress | None = None, locked: bool = False) -> dict[str, Any]:
    """Compute the library kind's vector for `ids` (default: every clip without one). `locked`: the caller
    holds the writer lock already (verify). Returns {"filled": ids, "failed": ids, "unavailable": n}."""
    ids = vectorless_ids(lib) if ids is None else list(ids)
    rep: dict[str, Any] = {"filled": [], "failed": [], "unavailable": 0}
    if not ids:
        return rep
    if not vectors.available(lib.audio_kind):
        rep["unavailable"] = len(ids)
        vectors.note(
            f"{len(ids)} clips have no {lib.audio_kind} vector and musicnn is not installed to hear them: "
            "they rank by text and metadata"
        )
        return rep
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        heard = _hear(lib, batch, rep)
        with nullcontext() if locked else lib.journal.locked():
            _write(lib, heard)
        rep["filled"] += [h[0] for h in heard]
        if progress:
            progress("music vectors", min(start + BATCH, len(ids)), len(ids))
    return rep


def _hear(lib, batch: list[str], rep: dict[str, Any]) -> list[tuple[str, str, list[float]]]:
    """(id, file digest, vector) of each clip of the batch: from its sidecar when a killed run already
    wrote it there, else heard from its audio file."""
    from sonicgrid.audio import read

    recs = lib.text.get(ids=batch, include=["metadatas"])
    out = []
    for cid, m in zip(recs["ids"], recs["metadatas"]):
        digest = (m or {}).get("sha256", "")
        side = vectors.from_sidecar(lib.sidecars.read(cid))
        vec = side if side is not None and side.kind == lib.audio_kind else None
        if vec is None and lib.store.has(digest):
            try:
                vec = vectors.compute(read(lib.store.path_for(digest)), lib.audio_kind)
            except (OSError, ValueError, RuntimeError):  # an unreadable file: verify reports it, we go on
                vec = None
        if vec is None:
            rep["failed"].append(cid)
        else:
            out.append((cid, digest, vec.values))
    return out


def _write(lib, heard: list[tuple[str, str, list[float]]]) -> None:
    """With the lock held: sidecar then audio record, for the clips still there with the same file."""
    if not heard:
        return
    now = lib.text.get(ids=[h[0] for h in heard], include=["metadatas", "documents"])
    cur = {i: (m or {}, d) for i, m, d in zip(now["ids"], now["metadatas"], now["documents"])}
    keep = [h for h in heard if h[0] in cur and cur[h[0]][0].get("sha256") == h[1]]
    if not keep:
        return
    for cid, digest, vec in keep:
        meta, doc = cur[cid]
        lib.sidecars.write(cid, digest, meta, doc, vec, lib.audio_kind)
    crash_point("migrate:sidecars")
    lib.audio.upsert(ids=[h[0] for h in keep], embeddings=[h[2] for h in keep], metadatas=[cur[h[0]][0] for h in keep])
