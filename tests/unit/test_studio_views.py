"""The studio's views: which files of a run it serves (never outside the run dir), stems from
stems/<section>-<layer>.wav or else the cells' audio, and the live events a graph update becomes."""

from __future__ import annotations

import json

import numpy as np
import soundfile as sf

from sonicgrid.studio import views


def _wav(path, seconds=0.5):
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(22050 * seconds), dtype=np.float32), 22050)
    return path


def _trace(settings, run_id, run_dir, cells=()):
    settings.traces_dir.mkdir(parents=True, exist_ok=True)
    t = {"run_id": run_id, "run_dir": str(run_dir), "cells": list(cells), "verdicts": [], "result": {}}
    (settings.traces_dir / f"{run_id}.json").write_text(json.dumps(t))
    return t


def test_serves_only_wavs_inside_the_run_dir(settings, tmp_path):
    run_dir = tmp_path / "out" / "r1"
    _wav(run_dir / "clip.wav")
    _wav(run_dir / "stems" / "intro-rhythm.wav")
    _wav(tmp_path / "out" / "secret.wav")
    (run_dir / "clip.json").write_text("{}")
    _trace(settings, "r1", run_dir)
    assert views.run_file("r1", "clip.wav", settings) == (run_dir / "clip.wav").resolve()
    assert views.run_file("r1", "stems/intro-rhythm.wav", settings) is not None
    for bad in ("../secret.wav", "stems/../../secret.wav", "clip.json", "/etc/passwd", "", "a/b/c.wav"):
        assert views.run_file("r1", bad, settings) is None, bad
    assert views.run_file("../r1", "clip.wav", settings) is None
    assert views.run_file("nope", "clip.wav", settings) is None


def test_stems_come_from_the_stems_folder_first(settings, tmp_path):
    run_dir = tmp_path / "out" / "r2"
    _wav(run_dir / "stems" / "intro-rhythm.wav")
    _wav(run_dir / "stems" / "intro-atmosphere.wav")
    _wav(run_dir / "cell0.wav")
    t = _trace(settings, "r2", run_dir, [{"path": str(run_dir / "cell0.wav"), "cell": {"section": "intro"}}])
    got = views.stems(t)
    assert [(s["section"], s["layer"]) for s in got] == [("intro", "atmosphere"), ("intro", "rhythm")]
    assert got[0]["file"] == "stems/intro-atmosphere.wav"


def test_without_stems_the_cells_audio_is_the_mixer_and_outside_files_are_not(settings, tmp_path):
    run_dir = tmp_path / "out" / "r3"
    inside = _wav(run_dir / "candidates" / "cell0_try0_rev0.wav")
    outside = _wav(tmp_path / "library" / "x.wav")
    cells = [
        {"path": str(inside), "cell": {"section": "intro", "layer": "harmony"}, "outcome": "ok"},
        {"path": str(outside), "cell": {"section": "intro", "layer": "rhythm"}, "outcome": "ok"},
        {"path": None, "cell": {"section": "intro", "layer": "voice"}, "outcome": "denied"},
    ]
    t = _trace(settings, "r3", run_dir, cells)
    assert views.stems(t) == [
        {"name": "intro-harmony", "section": "intro", "layer": "harmony", "file": "candidates/cell0_try0_rev0.wav"}
    ]
    assert views.stems(_trace(settings, "r4", tmp_path / "out" / "r4")) == []


def test_graph_events_send_each_verdict_once():
    v = {"agent": "decision", "choice": "reuse", "confidence": 0.9, "reason": "near-identical", "evidence": {"s": 1}}
    inner = views.graph_events("cell/decide", {"verdicts": [v]})
    assert [e["type"] for e in inner] == ["node", "verdict"]
    assert inner[1]["reason"] == "near-identical" and inner[1]["evidence"] == {"s": 1}
    assert [e["type"] for e in views.graph_events("cell", {"verdicts": [v]})] == ["node"]
    assert [e["type"] for e in views.graph_events("intake", {"verdicts": [v]})] == ["node", "verdict"]


def test_layers_of_a_library_clip():
    assert views.layers_of({"layers": ["atmosphere", "rhythm"], "layer": "atmosphere+rhythm"}) == [
        "atmosphere",
        "rhythm",
    ]
    assert views.layers_of({"layer": "atmosphere+rhythm"}) == ["atmosphere", "rhythm"]
    assert views.layers_of({"layer": "harmony"}) == ["harmony"]
    assert views.layers_of({}) == []
