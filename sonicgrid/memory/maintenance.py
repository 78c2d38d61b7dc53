"""Library upkeep: verify (find and repair dangling records and files), export, import a folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sonicgrid.memory import migrate, vectors
from sonicgrid.memory.records import unflatten

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3", ".aif", ".aiff"}  # what libsndfile reads
ANALYSE_MAX_S = 120.0  # the analysts hear at most this much of an imported file
MAX_CHANNELS = 8
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _ids_and_metas(col, lib) -> dict[str, dict]:
    out = {}
    for r in lib._pages(col, None, ["metadatas"]):
        out.update({i: (m or {}) for i, m in zip(r["ids"], r["metadatas"])})
    return out


def verify(lib, repair: bool = True, progress: Progress | None = None, prune: bool = False) -> dict:
    """Check every record has its file and every file a record; with repair, fix what is found.

    - record whose audio file is missing -> record removed (it can never be loaded)
    - audio-vector record with no text record -> removed (an add that never finished)
    - text record with no audio vector of the library's kind -> heard again from its file (migrate.py: a
      library from before gets its music vectors here); where musicnn is missing these are "vectorless",
      reported but no problem (such clips rank by text and metadata)
    - audio file no record points at -> KEPT and reported: the index may be what was lost
      (`library rebuild` restores its record); deleted only with prune=True (`verify --prune-orphans`)
    - "index_lost": the index holds no records (or far fewer than the sidecars) while audio files exist
    """
    with lib.journal.locked():
        recovered = lib._recover() if repair else {"completed": [], "rolled_back": []}
        text = _ids_and_metas(lib.text, lib)
        audio_ids = set(_ids_and_metas(lib.audio, lib))
        files = lib.store.all_digests()
        total = len(text) + len(audio_ids) + len(files)
        done = 0
        rep: dict[str, Any] = {
            "records": len(text),
            "files": len(files),
            "recovered": recovered,
            "missing_file": [],
            "orphan_vector": [],
            "missing_vector": [],
            "orphan_file": [],
            "pruned": [],
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
        rep["index_lost"] = bool(rep["orphan_file"]) and (not text or len(rep["orphan_file"]) > len(text))
        rep["vectorless"] = []
        if rep["missing_vector"] and not vectors.available(lib.audio_kind):
            rep["vectorless"], rep["missing_vector"] = rep["missing_vector"], []
        if repair:
            _repair(lib, rep, prune, progress)
        if progress:
            progress("done", total, total)
    problems = ("missing_file", "orphan_vector", "missing_vector")
    rep["kind"] = lib.audio_kind
    rep["ok"] = not any(rep[k] for k in problems) and len(rep["pruned"]) == len(rep["orphan_file"])
    return rep


def _repair(lib, rep: dict, prune: bool, progress: Progress | None) -> None:
    if rep["missing_file"]:
        lib.text.delete(ids=rep["missing_file"])
        lib.audio.delete(ids=rep["missing_file"])
        for cid in rep["missing_file"]:
            lib.sidecars.remove(cid)
    if rep["orphan_vector"]:
        lib.audio.delete(ids=rep["orphan_vector"])
    if rep["missing_vector"]:  # the lock is held: fill writes without taking it again
        rep["vectors_filled"] = migrate.fill(lib, rep["missing_vector"], progress, locked=True)["filled"]
    if prune:  # only on explicit request: never delete user audio because its index is missing
        for digest in rep["orphan_file"]:
            lib.store.remove(digest)
            rep["pruned"].append(digest)


def analyse(audio, name: str = "") -> dict:
    """The embedded analyst's reading of a clip (tags, mood, key, tempo, quality, audio vector)."""
    from sonicgrid.audio import Audio
    from sonicgrid.tools.analysts.ears import default_listener

    if audio.duration > ANALYSE_MAX_S:  # a long file is heard by its first minutes: bounded time and memory
        audio = Audio(audio.samples[: int(ANALYSE_MAX_S * audio.sr)], audio.sr)
    return default_listener().hear(audio, {"prompt": name, "mood": "calm", "duration_s": audio.duration})


def heard_meta(a: dict[str, Any], audio: Any, **fields: Any) -> dict[str, Any]:
    """Library metadata for a clip known only by what the analysts heard (an imported file, a recovered
    one): its mood, key, tempo, quality, tags and the layer they suggest; `fields` add or override."""
    from sonicgrid.memory.continuity import centroid_hz

    tags = a.get("tags", {})
    mood = a["mood"]["label"]
    meta = {
        "mood": mood,
        "mood_estimate": mood,
        "key": a["key"],
        "mode": a["mode"],
        "tempo_bpm": a["tempo_bpm"],
        "quality": a["quality"]["score"],
        "tags": tags,
        "layer": _layer_from_tags(tags),
        "section": "loop",
        "cost_s": 0.0,
        "centroid_hz": centroid_hz(audio.samples, audio.sr),
    }
    return meta | fields


def _layer_from_tags(tags: dict) -> str:
    if tags.get("drums", 0) >= 0.5:
        return "rhythm"
    if tags.get("noise", 0) >= 0.6:
        return "texture"
    if tags.get("pad", 0) >= 0.6:
        return "atmosphere"
    return "harmony"


def _check_size(p: Path, max_s: float) -> None:
    """Refuse, from the header alone (no samples read), a file past the length cap: bounded memory."""
    import soundfile as sf

    try:
        info = sf.info(str(p))
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise ValueError(str(exc)) from exc
    if info.samplerate <= 0 or info.frames <= 0:
        raise ValueError("empty or silent")
    if info.channels > MAX_CHANNELS:
        raise ValueError(f"{info.channels} channels (at most {MAX_CHANNELS})")
    if info.frames / info.samplerate > max_s or info.samplerate > 192000:
        raise ValueError(
            f"too long: {info.frames / info.samplerate:.0f} s at {info.samplerate} Hz, the import cap is "
            f"{max_s:g} s at up to 192 kHz (SONICGRID_IMPORT_MAX_S); cut it into shorter files"
        )


def _files(sources: Path | list[Path]) -> list[Path]:
    """The files named, and those under the folders named (recursively, hidden ones left out), once each."""
    out: list[Path] = []
    for src in [sources] if isinstance(sources, (str, Path)) else sources:
        src = Path(src)
        out += (
            sorted(p for p in src.rglob("*") if p.is_file() and not p.name.startswith(".")) if src.is_dir() else [src]
        )
    return list(dict.fromkeys(out))


def import_paths(
    lib, folder: Path | list[Path], project: str | None = None, progress: Progress | None = None, max_s: float = 600.0
) -> dict:
    """Analyse and add the audio files (AUDIO_SUFFIXES) named or under the folders named. Anything else, anything that
    cannot be read, longer than `max_s`, or holding NaN/Inf samples, is reported and skipped; each file is
    added whole (file + both records) or not at all, and one bad file never stops the rest."""
    import numpy as np

    from sonicgrid.audio import read
    from sonicgrid.memory.store import digest_of

    paths = _files(folder)
    rep: dict = {"added": [], "skipped": [], "duplicates": []}
    for n, p in enumerate(paths, 1):
        if progress:
            progress(p.name, n - 1, len(paths))
        if p.suffix.lower() not in AUDIO_SUFFIXES:
            rep["skipped"].append({"path": str(p), "reason": f"not audio ({p.suffix or 'no extension'})"})
            continue
        try:
            _check_size(p, max_s)
            audio = read(p)
            if not np.isfinite(audio.samples).all():
                raise ValueError("NaN or infinite samples")
            if audio.samples.shape[0] < audio.sr * 0.05 or not audio.samples.any():
                raise ValueError("empty or silent")
        except (ValueError, RuntimeError, OSError, MemoryError) as exc:
            why = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
            rep["skipped"].append({"path": str(p), "reason": f"unreadable: {why}"})
            continue
        digest = digest_of(audio)
        same = lib.text.get(where={"sha256": digest}, include=[])["ids"]
        if same:
            rep["duplicates"].append({"path": str(p), "id": same[0]})
            continue
        try:
            a = analyse(audio, p.stem)
        except Exception as exc:  # one file the analysts choke on is skipped; the rest of the folder imports
            rep["skipped"].append({"path": str(p), "reason": f"analysis failed: {type(exc).__name__}: {exc}"[:200]})
            continue
        meta = heard_meta(a, audio, prompt=p.stem, project=project, source=str(p))
        tags, mood, layer = meta["tags"], meta["mood"], meta["layer"]
        top = " ".join(t for t, v in sorted(tags.items(), key=lambda kv: -kv[1]) if v >= 0.4)
        words = p.stem.replace("_", " ").replace("-", " ")
        text = f"{words} | {mood} {layer} {top} | key {a['key']} {a['mode']}"
        cid = lib.add(audio, meta, text, a)
        q = a["quality"]
        rep["added"].append(
            {
                "path": str(p),
                "id": cid,
                "mood": mood,
                "key": f"{a['key']} {a['mode']}",
                "tempo_bpm": round(float(a["tempo_bpm"]), 1),
                "quality": float(q["score"]),
                "heard": list((q.get("critic") or {}).get("drivers", {}))[:3],
            }
        )
    if progress:
        progress("done", len(paths), len(paths))
    return rep


def export(lib, dest: Path, where: dict | None = None, ids: list[str] | None = None) -> dict:
    """Copy clips (all, those `where` matches, or the `ids`) to DEST/<id>.wav and write DEST/library.jsonl
    (metadata, text, audio vector and its kind)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    recs = [r for r in lib.all(where=where) if ids is None or r["id"] in ids]
    vecs = lib.audio_vectors([r["id"] for r in recs])
    with open(dest / "library.jsonl", "w") as f:
        for r in recs:
            shutil.copyfile(r["path"], dest / f"{r['id']}.wav")
            f.write(
                json.dumps(
                    {
                        "id": r["id"],
                        "meta": unflatten(r["meta"]),
                        "text": r["text"],
                        "audio_vector": vecs.get(r["id"]),
                        "audio_vector_kind": lib.audio_kind if vecs.get(r["id"]) else None,
                    }
                )
                + "\n"
            )
    return {"exported": len(recs), "dest": str(dest)}
