"""Issue 12: the library compares sounds by the music embedding (kind msd-musicnn-200, its own collection);
a library from before (dsp-33 vectors only) keeps working and gets music vectors from `library rebuild`,
crash-safely; sidecars keep the kind; without musicnn the library ranks by text and metadata."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from library_helpers import tone
from typer.testing import CliRunner

from sonicgrid.cli import app
from sonicgrid.memory import vectors
from sonicgrid.memory.continuity import fit
from sonicgrid.memory.library import ClipLibrary
from sonicgrid.memory.maintenance import analyse
from sonicgrid.memory.vectors import DSP, MUSIC
from sonicgrid.tools.analysts.listen import EmbeddedListener


@pytest.fixture(scope="module")
def sounds(moody_clip):
    """Three real sounds and what the default ears heard of each."""
    clips = {"moody": moody_clip, "hum": tone(110, 4.0), "hiss": tone(880, 4.0, noise=0.3)}
    return {name: (audio, analyse(audio)) for name, audio in clips.items()}


def _add_all(lib, sounds, project="p") -> dict[str, str]:
    meta = {"mood": "calm", "layer": "texture", "section": "loop", "project": project}
    return {name: lib.add(audio, meta, "a calm texture loop", a) for name, (audio, a) in sounds.items()}


def _legacy_library(root, sounds) -> dict[str, str]:
    """A library as the version before wrote it: dsp-33 vectors in `clips_audio`, sidecars without a kind."""
    old = ClipLibrary(root, audio_kind=DSP)
    ids = _add_all(old, sounds)
    for p in (root / "records").glob("*.json"):
        d = json.loads(p.read_text())
        assert d.pop("audio_vector_kind") == DSP and len(d["audio_vector"]) == 33
        p.write_text(json.dumps(d))
    return ids


def _same_sound(u, v) -> bool:
    """Vectors heard from the stored (16-bit) file match the in-memory analysis to a cosine of 0.999."""
    return float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))) > 0.999


def _sidecar(lib, cid) -> dict:
    return json.loads(lib.sidecars.path(cid).read_text())


def test_music_vectors_are_stored_searched_and_kept_with_their_kind(tmp_path, sounds):
    lib = ClipLibrary(tmp_path / "lib")
    ids = _add_all(lib, sounds)
    got = lib.audio_vectors(list(ids.values()))
    for name, cid in ids.items():
        assert got[cid] == pytest.approx(sounds[name][1]["music_embedding"], abs=1e-5)
        side = _sidecar(lib, cid)
        assert side["audio_vector_kind"] == MUSIC and side["audio_vector"] == pytest.approx(got[cid], abs=1e-5)
    assert lib.audio.name == "clips_audio_msd200" and lib.audio.count() == 3 and lib.vectorless() == 0
    # the same words for all three: the sound of the query decides
    for name in sounds:
        hits = lib.search("a calm texture loop", k=3, audio_vec=sounds[name][1])
        assert hits[0]["id"] == ids[name] and hits[0]["components"]["audio"] == pytest.approx(1.0, abs=1e-3)
        assert all(h["components"]["audio"] is not None for h in hits)
    # a query vector of the other kind is not compared (no mismatch, no traceback): text + metadata only
    hits = lib.search("a calm texture loop", k=3, audio_vec=sounds["hum"][1]["embedding"])
    assert len(hits) == 3 and all(h["components"]["audio"] is None for h in hits)
    # the DSP fallback listener's analysis carries dsp-33 only: the library hears the clip for its own kind
    clip = tone(330, 3.0, noise=0.05)
    dsp_only = EmbeddedListener().hear(clip, {"prompt": "x"})
    assert "music_embedding" not in dsp_only and dsp_only["embedding_kind"] == DSP
    cid = lib.add(clip, {"mood": "calm"}, "fallback clip", dsp_only)
    assert lib.audio_vectors([cid])[cid] == pytest.approx(vectors.compute(clip, MUSIC).values, abs=1e-5)
    assert _sidecar(lib, cid)["audio_vector_kind"] == MUSIC


def test_continuity_compares_music_vectors(tmp_path, sounds):
    lib = ClipLibrary(tmp_path / "lib")
    meta = {"key": "A", "mode": "minor", "tempo_bpm": 90, "mood": "moody", "project": "film"}
    for _ in range(2):
        lib.add(sounds["moody"][0], meta | {"id": f"clip_m{_}"}, "moody", sounds["moody"][1])
    body = lib.body(project="film")
    assert all(b["embedding_kind"] == MUSIC and len(b["embedding"]) == 200 for b in body)
    scores = {}
    for name, (_, a) in sounds.items():
        _, comps, _ = fit({"embedding": a["music_embedding"]}, body)
        scores[name] = comps["timbre"]["value"]
    assert scores["moody"] == pytest.approx(1.0, abs=1e-3) and scores["hiss"] < scores["moody"] - 0.01
    # a dsp-33 vector is never measured against the body's music vectors
    assert "timbre" not in fit({"embedding": sounds["moody"][1]["embedding"]}, body)[1]


def test_without_musicnn_clips_go_without_a_music_vector_until_rebuild(tmp_path, sounds, monkeypatch):
    monkeypatch.setattr(vectors, "available", lambda kind: kind == DSP)
    lib = ClipLibrary(tmp_path / "lib")
    audio, a = sounds["hum"]
    dsp_only = {k: v for k, v in a.items() if k != "music_embedding"}
    cid = lib.add(audio, {"mood": "calm", "project": "p"}, "a low hum", dsp_only)
    assert lib.count() == 1 and lib.audio.count() == 0 and lib.vectorless() == 1
    assert _sidecar(lib, cid)["audio_vector"] is None
    hits = lib.search("a low hum", k=1, audio_vec=a)
    assert hits[0]["id"] == cid and hits[0]["components"]["audio"] is None and hits[0]["components"]["text"] > 0.5
    assert lib.body(project="p")[0]["embedding"] is None
    rep = lib.verify(repair=True)  # nothing to repair: the clip is whole, only unheard
    assert rep["ok"] and rep["vectorless"] == [cid] and rep["missing_vector"] == []
    # an add killed after its text record: the intent says no audio record was due, so it is complete
    intent = lib.journal.begin([(cid, lib.get(cid)["meta"]["sha256"], False)])
    with lib.journal.locked():
        assert lib._recover()["completed"] == [cid] and not intent.exists()
    assert lib.get(cid) is not None
    assert lib.rebuild()["vectors"]["unavailable"] == 1
    monkeypatch.undo()  # musicnn is back: rebuild hears the clip once
    rep = lib.rebuild()
    assert rep["vectors"]["filled"] == [cid] and lib.vectorless() == 0
    assert _same_sound(lib.audio_vectors([cid])[cid], a["music_embedding"])  # heard from the stored file


def test_a_library_from_before_degrades_then_rebuild_gives_it_music_vectors(tmp_path, sounds, monkeypatch):
    root = tmp_path / "data" / "library"
    ids = _legacy_library(root, sounds)
    lib = ClipLibrary(root)  # the new code opens it: nothing is heard on open
    assert lib.count() == 3 and lib.vectorless() == 3
    hits = lib.search("a calm texture loop", k=3, audio_vec=sounds["hiss"][1])
    assert len(hits) == 3 and all(h["components"]["audio"] is None for h in hits)  # text + metadata only
    assert all(b["embedding"] is None for b in lib.body(project="p"))
    monkeypatch.setenv("SONICGRID_DATA_DIR", str(tmp_path / "data"))
    r = CliRunner()
    ls = r.invoke(app, ["library", "ls"])
    assert ls.exit_code == 0 and "3 clips have no msd-musicnn-200 audio vector yet" in ls.output
    reb = r.invoke(app, ["library", "rebuild"])
    assert reb.exit_code == 0 and "3 clips given a msd-musicnn-200 audio vector" in reb.output, reb.output
    assert lib.vectorless() == 0
    got = lib.audio_vectors(list(ids.values()))
    for name, cid in ids.items():
        assert _same_sound(got[cid], sounds[name][1]["music_embedding"])  # heard from the stored file
        assert _sidecar(lib, cid)["audio_vector_kind"] == MUSIC
    assert lib.client.get_collection("clips_audio").count() == 3  # the legacy vectors are left as they were
    hits = lib.search("a calm texture loop", k=3, audio_vec=sounds["hiss"][1])
    assert hits[0]["id"] == ids["hiss"] and hits[0]["components"]["audio"] == pytest.approx(1.0, abs=1e-3)
    assert lib.rebuild()["vectors"]["filled"] == []  # once
    assert lib.verify(repair=False)["ok"]


MIGRATE = "import sys; from sonicgrid.memory.library import ClipLibrary; ClipLibrary(sys.argv[1]).rebuild()"


def test_a_migration_killed_midway_loses_nothing_and_resumes_without_hearing_again(tmp_path, sounds, monkeypatch):
    root = tmp_path / "lib"
    ids = _legacy_library(root, sounds)
    env = dict(os.environ, PYTHONPATH=os.getcwd(), SONICGRID_CRASH_AT="migrate:sidecars")
    r = subprocess.run([sys.executable, "-c", MIGRATE, str(root)], env=env, capture_output=True, timeout=300)
    assert r.returncode == -9, r.stderr  # killed after the sidecars, before the audio records
    lib = ClipLibrary(root)
    rep = lib.verify(repair=False)
    assert rep["records"] == 3 and sorted(rep["missing_vector"]) == sorted(ids.values())
    assert not rep["missing_file"] and not rep["orphan_vector"] and not list((root / "pending").iterdir())
    assert all(_sidecar(lib, cid)["audio_vector_kind"] == MUSIC for cid in ids.values())
    heard = []
    monkeypatch.setattr(vectors, "compute", lambda audio, kind: heard.append(kind))
    assert sorted(lib.rebuild()["vectors"]["filled"]) == sorted(ids.values()) and heard == []  # from the sidecars
    assert lib.verify(repair=False)["ok"] and lib.vectorless() == 0


def test_rebuild_from_sidecars_keeps_the_kind_and_hears_only_legacy_ones(tmp_path, sounds, monkeypatch):
    lib = ClipLibrary(tmp_path / "lib")
    ids = _add_all(lib, sounds)
    before = lib.audio_vectors(list(ids.values()))
    side = _sidecar(lib, ids["hum"])  # one sidecar as the version before wrote it: a dsp-33 vector, no kind
    side.update(audio_vector=sounds["hum"][1]["embedding"])
    side.pop("audio_vector_kind")
    lib.sidecars.path(ids["hum"]).write_text(json.dumps(side))
    lib.client.delete_collection("clips_text")  # the index is lost
    lib.client.delete_collection("clips_audio_msd200")
    real, heard = vectors.compute, []
    monkeypatch.setattr(vectors, "compute", lambda audio, kind: heard.append(kind) or real(audio, kind))
    lib = ClipLibrary(tmp_path / "lib")
    rep = lib.rebuild()
    assert sorted(rep["restored"]) == sorted(ids.values()) and rep["kind"] == MUSIC
    assert heard == [MUSIC]  # only the legacy sidecar's clip was heard again
    after = lib.audio_vectors(list(ids.values()))
    for cid in ids.values():
        assert _same_sound(after[cid], before[cid])
        assert _sidecar(lib, cid)["audio_vector_kind"] == MUSIC
