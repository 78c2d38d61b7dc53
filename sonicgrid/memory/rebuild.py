"""`library rebuild`: restore the Chroma records from what is on disk — the audio files and their sidecars.

For every sidecar whose audio file exists and whose record is missing, both records are written again
(metadata, text and audio vector from the sidecar; the text vector re-embedded). A sidecar whose vector is
of another kind than the library's (dsp-33, from before: vectors.py) has its audio heard again for the
library's kind. An audio file that no sidecar describes (a library from before sidecars) is analysed again,
like an imported file. Last, every record still without a vector of the library's kind (a library from
before the music embedding) gets one from its audio (migrate.py). Records that exist are otherwise left
alone, and nothing is ever deleted: rebuild only adds what was lost or missing.
"""

from __future__ import annotations

from collections.abc import Callable

from sonicgrid.memory import migrate, vectors
from sonicgrid.memory.records import unflatten

Progress = Callable[[str, int, int], None]


def rebuild(lib, progress: Progress | None = None) -> dict:
    from sonicgrid.audio import read
    from sonicgrid.memory.embed import embed_texts

    sides, bad = lib.sidecars.all()
    rep: dict = {"restored": [], "reanalysed": [], "kept": 0, "unreadable": [str(p) for p in bad], "missing_audio": []}
    rep["kind"] = lib.audio_kind
    have = set(lib.text.get(ids=[s["id"] for s in sides], include=[])["ids"]) if sides else set()
    todo = []
    for s in sides:
        if s["id"] in have:
            rep["kept"] += 1
        elif not lib.store.has(s["sha256"]):
            rep["missing_audio"].append(s["id"])
        else:
            todo.append(s)
    described = {s["sha256"] for s in sides}
    referenced = {(m or {}).get("sha256") for r in lib._pages(lib.text, None, ["metadatas"]) for m in r["metadatas"]}
    bare = sorted(lib.store.all_digests() - described - referenced)
    total = len(todo) + len(bare)
    for n, s in enumerate(todo, 1):
        audio = read(lib.store.path_for(s["sha256"]))
        vec = vectors.from_sidecar(s)  # another kind (or none): lib.add hears the audio for the library's
        meta = unflatten(s.get("meta") or {}) | {"id": s["id"], "created": (s.get("meta") or {}).get("created")}
        lib.add(audio, {k: v for k, v in meta.items() if v is not None}, s.get("text") or "", vec)
        rep["restored"].append(s["id"])
        if progress:
            progress("sidecars", n, total)
    for n, digest in enumerate(bare, len(todo) + 1):
        rep["reanalysed"].append(_reanalyse(lib, digest, read, embed_texts))
        if progress:
            progress("audio files", n, total)
    rep["vectors"] = migrate.fill(lib, progress=progress)
    return rep


def _reanalyse(lib, digest: str, read, embed_texts) -> str:
    from sonicgrid.memory.maintenance import analyse, heard_meta

    path = lib.store.path_for(digest)
    audio = read(path)
    a = analyse(audio, digest[:12])
    meta = heard_meta(
        a,
        audio,
        prompt=f"recovered {digest[:12]}",
        source=f"rebuilt from {path.name}",
        created=path.stat().st_mtime,
        sha256=digest,
    )
    mood, layer = meta["mood"], meta["layer"]
    text = f"recovered clip | {mood} {layer} | key {a['key']} {a['mode']}"
    return lib.add(audio, meta, text, a)
