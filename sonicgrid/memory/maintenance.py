"""Library upkeep: verify (find and repair dangling records and files), export, import a folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from sonicgrid.memory.records import unflatten

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg"}
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _ids_and_metas(col, lib) -> dict[str, dict]:
    out = {}
    for r in lib._pages(col, None, ["metadatas"]):
        out.update({i: (m or {}) for i, m in zip(r["ids"], r["metadatas"])})
    return out


def verify(lib, repair: bool = True, progress: Progress | None = None) -> dict:
    """Check every record has its file and every file a record; with repair, fix what is found.

    - record whose audio file is missing -> record removed (it can never be loaded)
    - audio-vector record with no text record -> removed (an add that never finished)
    - text record with no audio vector -> vector recomputed from the file
    - audio file no record points at -> file removed
    """
    with lib.journal.locked():
        recovered = lib._recover() if repair else {"completed": [], "rolled_back": []}
        text = _ids_and_metas(lib.text, lib)
        audio_ids = set(_ids_and_metas(lib.audio, lib))
        files = lib.store.all_digests()
        total = len(text) + len(audio_ids) + len(files)
        done = 0
        rep = {
            "records": len(text),
            "files": len(files),
            "recovered": recovered,
            "missing_file": [],
            "orphan_vector": [],
            "missing_vector": [],
            "orphan_file": [],
            "repaired": repair,
        }
        referenced = set()
        for cid, m in text.items():
            digest = m.get("sha256", "")
            referenced.add(digest)
            if not lib.store.has(digest):
                rep["missing_file"].append(cid)
            elif cid not in audio_ids:
                rep["missing_vector"].append(cid)
            done += 1
            if progress and done % 50 == 0:
                progress("records", done, total)
        rep["orphan_vector"] = sorted(audio_ids - set(text))
        done += len(audio_ids)
        rep["orphan_file"] = sorted(files - referenced)
        done += len(files)
        if progress:
            progress("files", done, total)
        if repair:
            _repair(lib, rep, text)
        if progress:
            progress("done", total, total)
    rep["ok"] = not any(rep[k] for k in ("missing_file", "orphan_vector", "missing_vector", "orphan_file"))
    return rep


def _repair(lib, rep: dict, text: dict) -> None:
    if rep["missing_file"]:
        lib.text.delete(ids=rep["missing_file"])
        lib.audio.delete(ids=rep["missing_file"])
    if rep["orphan_vector"]:
        lib.audio.delete(ids=rep["orphan_vector"])
    for cid in rep["missing_vector"]:
        from sonicgrid.audio import read

        vec = analyse(read(lib.store.path_for(text[cid]["sha256"])))["embedding"]
        lib.audio.upsert(ids=[cid], embeddings=[vec], metadatas=[text[cid]])
    for digest in rep["orphan_file"]:
        lib.store.remove(digest)


def analyse(audio, name: str = "") -> dict:
    """The embedded analyst's reading of a clip (tags, mood, key, tempo, quality, audio vector)."""
    from sonicgrid.tools.analysts.ears import default_listener

    return default_listener().hear(audio, {"prompt": name, "mood": "calm", "duration_s": audio.duration})


def _layer_from_tags(tags: dict) -> str:
    if tags.get("drums", 0) >= 0.5:
        return "rhythm"
    if tags.get("noise", 0) >= 0.6:
        return "texture"
    if tags.get("pad", 0) >= 0.6:
        return "atmosphere"
    return "harmony"


def import_dir(lib, folder: Path, project: str | None = None, progress: Progress | None = None) -> dict:
    """Analyse and add the WAV/FLAC/OGG files under `folder`. Anything else, and anything that cannot
    be read, is reported and skipped; each file is added whole (file + both records) or not at all."""
    from sonicgrid.audio import read
    from sonicgrid.memory.continuity import centroid_hz
    from sonicgrid.memory.store import digest_of

    folder = Path(folder)
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    rep: dict = {"added": [], "skipped": [], "duplicates": []}
    for n, p in enumerate(paths, 1):
        if progress:
            progress(p.name, n - 1, len(paths))
        if p.suffix.lower() not in AUDIO_SUFFIXES:
            rep["skipped"].append({"path": str(p), "reason": f"not audio ({p.suffix or 'no extension'})"})
            continue
        try:
            audio = read(p)
            if audio.samples.shape[0] < audio.sr * 0.05 or not audio.samples.any():
                raise ValueError("empty or silent")
        except (ValueError, RuntimeError, OSError) as exc:
            rep["skipped"].append({"path": str(p), "reason": f"unreadable: {str(exc).splitlines()[0][:120]}"})
            continue
        digest = digest_of(audio)
        same = lib.text.get(where={"sha256": digest}, include=[])["ids"]
        if same:
            rep["duplicates"].append({"path": str(p), "id": same[0]})
            continue
        a = analyse(audio, p.stem)
        tags = a.get("tags", {})
        mood = a["mood"]["label"]
        layer = _layer_from_tags(tags)
        meta = {
            "prompt": p.stem,
            "mood": mood,
            "mood_estimate": mood,
            "key": a["key"],
            "mode": a["mode"],
            "tempo_bpm": a["tempo_bpm"],
            "quality": a["quality"]["score"],
            "tags": tags,
            "layer": layer,
            "section": "loop",
            "project": project,
            "source": str(p),
            "cost_s": 0.0,
            "centroid_hz": centroid_hz(audio.samples, audio.sr),
        }
        top = " ".join(t for t, v in sorted(tags.items(), key=lambda kv: -kv[1]) if v >= 0.4)
        words = p.stem.replace("_", " ").replace("-", " ")
        text = f"{words} | {mood} {layer} {top} | key {a['key']} {a['mode']}"
        cid = lib.add(audio, meta, text, a["embedding"])
        rep["added"].append({"path": str(p), "id": cid, "mood": mood, "key": f"{a['key']} {a['mode']}"})
    if progress:
        progress("done", len(paths), len(paths))
    return rep


def export(lib, dest: Path, where: dict | None = None) -> dict:
    """Copy clips to DEST/<id>.wav and write DEST/library.jsonl (metadata, text, audio vector)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    recs = lib.all(where=where)
    vecs = lib.audio_vectors([r["id"] for r in recs])
    with open(dest / "library.jsonl", "w") as f:
        for r in recs:
            shutil.copyfile(r["path"], dest / f"{r['id']}.wav")
            f.write(
                json.dumps(
                    {"id": r["id"], "meta": unflatten(r["meta"]), "text": r["text"], "audio_vector": vecs.get(r["id"])}
                )
                + "\n"
            )
    return {"exported": len(recs), "dest": str(dest)}
