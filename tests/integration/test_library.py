"""Clip library round trips on the embedded store and on a real Chroma server, ranking, verify."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from library_helpers import chroma_server, tone, unit  # noqa: F401

from sonicgrid.audio import read
from sonicgrid.memory.library import ClipLibrary
from sonicgrid.memory.maintenance import analyse


@pytest.fixture(params=["embedded", "server"])
def lib(request, tmp_path):
    if request.param == "embedded":
        return ClipLibrary(tmp_path / "lib")
    url = request.getfixturevalue("chroma_server")
    # one server for the session: each test gets its own collections
    return ClipLibrary(tmp_path / "lib", url=url, collection_prefix=f"t{uuid.uuid4().hex[:8]}")


def test_round_trip(lib, moody_clip):
    a = analyse(moody_clip)
    meta = {
        "mood": "moody",
        "key": a["key"],
        "mode": a["mode"],
        "tempo_bpm": a["tempo_bpm"],
        "tags": a["tags"],
        "quality": 7.5,
        "project": "film",
        "section": "intro",
        "layer": "harmony",
        "parent": None,
        "cost_s": 0.4,
    }
    cid = lib.add(moody_clip, meta, "moody dark piano intro | moody intro harmony", a)  # its vectors by kind
    rec = lib.get(cid)
    assert rec["meta"]["tags"] == a["tags"]  # dicts survive the flat Chroma metadata
    assert rec["meta"]["project"] == "film" and "parent" not in rec["meta"]
    assert rec["meta"]["duration_s"] == pytest.approx(moody_clip.duration, abs=1e-3)
    back = lib.load(cid)
    assert back.sr == moody_clip.sr and np.allclose(back.samples, moody_clip.samples, atol=1e-5)
    assert lib.audio_kind == "msd-musicnn-200" and len(a["music_embedding"]) == 200
    assert lib.audio_vectors([cid])[cid] == pytest.approx(a["music_embedding"], abs=1e-5)
    other = lib.add(
        tone(880, noise=0.3),
        {"mood": "happy", "layer": "texture", "project": "ad"},
        "bright noisy texture",
        unit(1, 200),
    )
    assert lib.count() == 2 and lib.projects() == {"ad": 1, "film": 1}
    hits = lib.search("dark moody intro", k=2)
    assert [h["id"] for h in hits] == [cid, other]
    assert hits[0]["components"]["text"] > hits[1]["components"]["text"]
    assert [r["id"] for r in lib.search("dark moody intro", k=5, where={"layer": "texture"})] == [other]
    body = lib.body(project="film")
    assert len(body) == 1 and body[0]["embedding"] == pytest.approx(a["music_embedding"], abs=1e-5)
    assert lib.last()["id"] == other
    path = rec["path"]
    assert lib.remove(cid) and lib.get(cid) is None and not lib.remove(cid)
    assert not __import__("os").path.exists(path)
    assert lib.verify()["ok"]


def test_search_ranks_by_metadata_and_sound_with_reasons(tmp_path):
    lib = ClipLibrary(tmp_path / "lib")
    base = {"mood": "moody", "layer": "atmosphere", "section": "loop"}
    far = lib.add(tone(220), base | {"key": "F#", "mode": "major", "tempo_bpm": 150}, "dark pad", unit(1, 200))
    near = lib.add(tone(330), base | {"key": "A", "mode": "minor", "tempo_bpm": 92}, "dark pad", unit(2, 200))
    brief = {"key": "C", "mode": "major", "tempo_bpm": 90, "duration_s": 2.0, "mood": "moody"}
    hits = lib.search("dark pad", k=2, brief=brief)
    assert [h["id"] for h in hits] == [near, far]  # same text: A minor (relative of C) at 92 bpm wins
    assert hits[0]["components"]["meta_parts"]["key"] == 1.0 and hits[1]["components"]["meta_parts"]["key"] == 0.0
    assert any("tempo 92 vs 90" in r for r in hits[0]["reasons"])
    # the sound of a clip can outrank metadata: query with far's audio vector and no brief
    by_sound = lib.search("dark pad", k=2, audio_vec=unit(1, 200))
    assert by_sound[0]["id"] == far and by_sound[0]["components"]["audio"] == pytest.approx(1.0, abs=1e-4)


def test_verify_repairs_outside_damage(tmp_path):
    lib = ClipLibrary(tmp_path / "lib")
    clips = [
        lib.add(tone(200 + 100 * i), {"mood": "calm"}, f"clip {i}", analyse(tone(200 + 100 * i))) for i in range(3)
    ]
    rec0, rec1 = lib.get(clips[0]), lib.get(clips[1])
    __import__("os").unlink(rec0["path"])  # record without its file
    lib.audio.delete(ids=[clips[1]])  # record without its audio vector
    stray = lib.store.put(tone(999))[0]  # file without a record
    lib.audio.upsert(ids=["clip_ghost"], embeddings=[unit(3, 200)])  # vector without a record
    rep = lib.verify(repair=False)
    assert not rep["ok"] and rep["missing_file"] == [clips[0]] and rep["missing_vector"] == [clips[1]]
    assert rep["orphan_file"] == [stray] and rep["orphan_vector"] == ["clip_ghost"]
    assert lib.verify()["repaired"]
    rep = lib.verify(repair=False)  # the orphan file is kept: verify never deletes audio unless asked
    assert not rep["ok"] and rep["orphan_file"] == [stray] and lib.store.has(stray)
    assert lib.verify(prune=True)["pruned"] == [stray] and not lib.store.has(stray)
    rep = lib.verify(repair=False)
    assert rep["ok"] and rep["records"] == 2 and rep["files"] == 2
    assert lib.get(clips[0]) is None and lib.audio_vectors([clips[1]])[clips[1]] is not None
    assert read(rec1["path"]).duration == pytest.approx(2.0)
