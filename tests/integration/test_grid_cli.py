"""Through the real CLI: make -> stems/ + clip.mid + sections/ + variations/, then stem edits
with `sonicgrid remix` (nothing regenerated)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sonicgrid import audio as aio

# A clean environment is a fresh user's, but a test must not leave a warm worker behind (test_worker.py
# covers SONICGRID_WORKER=auto).
NO_WORKER = {"SONICGRID_WORKER": "off"}


def _cli(tmp_path: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {
        "SONICGRID_DATA_DIR": str(tmp_path / "d"),
        "SONICGRID_OUT_DIR": str(tmp_path / "o"),
        "SONICGRID_BRAIN": "rules",
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "HF_HUB_OFFLINE": "1",
        **NO_WORKER,
    }
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run(
        [sys.executable, "-m", "sonicgrid.cli", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.fixture(scope="module")
def two_sections(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grid")
    p = _cli(tmp, "make", "a moody intro and outro with drums, 8 seconds", "--json", "--seed", "2")
    assert p.returncode == 0, p.stderr
    summary = json.loads(p.stdout)
    return tmp, summary, Path(summary["result"]["path"]).parent


def test_make_writes_stems_midi_and_sections(two_sections):
    import pretty_midi

    _, _summary, run_dir = two_sections
    side = json.loads((run_dir / "clip.json").read_text())
    res = side["result"]
    names = {Path(p).stem for p in res["stems"]}
    assert {"intro-rhythm", "outro-rhythm"} <= names and any(n.startswith("intro-") and "harmony" in n for n in names)
    for p in res["stems"]:
        assert (run_dir / p).is_file()
    pm = pretty_midi.PrettyMIDI(str(run_dir / "clip.mid"))
    assert any(i.is_drum and i.notes for i in pm.instruments) and sum(len(i.notes) for i in pm.instruments) > 20
    assert [s["section"] for s in res["sections"]] == ["intro", "outro"]
    lens = [aio.read(s["path"]).duration for s in res["sections"]]
    assert abs(sum(lens) - 8.0) < 0.1 and abs(aio.read(res["path"]).duration - 8.0) < 0.05
    mix = res["mix"]
    assert mix["lr_correlation"] < 0.97 and -25 < mix["side_mid_db"] < 0  # stereo, not near-mono
    assert mix["drums_vs_rest_db"] > -6  # drums asked for: clearly audible
    assert res["soundfont"].endswith(".sf2") and abs(res["mastering"]["lufs_out"] + 14) < 0.6


def test_remix_cli_edits_stems_without_regenerating(two_sections):
    tmp, summary, run_dir = two_sections
    before = json.loads((run_dir / "clip.json").read_text())["result"]["mix"]["drums_vs_rest_db"]
    made = sorted((run_dir / "candidates").glob("*.wav"))  # what the make rendered (regenerations included)
    p = _cli(tmp, "remix", summary["run_id"], "drums louder", "--json")
    assert p.returncode == 0, p.stderr
    louder = json.loads(p.stdout)
    assert louder["mix"]["drums_vs_rest_db"] > before + 2
    assert Path(louder["path"]).is_file() and abs(louder["duration_s"] - 8.0) < 0.05
    p = _cli(tmp, "remix", str(run_dir), "remove the drums", "--json")
    gone = json.loads(p.stdout)
    assert "rhythm" not in gone["mix"]["layers_db"] and all(s["mute"] for s in gone["stems"] if s["layer"] == "rhythm")
    x = aio.read(gone["path"]).samples
    assert np.isfinite(x).all() and np.abs(x).max() > 0.1
    assert sorted((run_dir / "candidates").glob("*.wav")) == made  # the remixes generated nothing
    p = _cli(tmp, "remix", summary["run_id"], "louder please, and more reverb", "--json")
    loud = json.loads(p.stdout)  # the whole mix: the master's target 2 LU up, the sends x1.6
    assert abs(loud["mastering"]["lufs_out"] + 12.0) < 0.6 and loud["finish"] == {"loudness_db": 2.0, "space": 1.6}
    assert all(s["mute"] for s in loud["stems"] if s["layer"] == "rhythm")  # from the latest recipe on
    p = _cli(tmp, "remix", summary["run_id"], "what a lovely day")
    assert p.returncode == 2 and "no stem edit" in p.stderr and "Traceback" not in p.stderr
    p = _cli(tmp, "remix", summary["run_id"], "voice louder")
    assert p.returncode == 2 and "no voice stem" in p.stderr


def test_remix_help_teaches():
    p = subprocess.run([sys.executable, "-m", "sonicgrid.cli", "remix", "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "drums louder" in p.stdout and "solo the bass" in p.stdout


def test_variations_are_ranked_and_kept(tmp_path):
    p = _cli(tmp_path, "make", "two variations of a calm loop, 4 seconds", "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)["result"]
    var = res["variations"]
    assert len(var) == 2 and [v["rank"] for v in var] == [1, 2]
    assert var[0]["score"] >= var[1]["score"] and var[0]["path"] == res["path"]
    assert Path(var[1]["path"]).is_file() and (Path(var[1]["path"]).parent / "stems").is_dir()
    assert var[0]["clip_id"] != var[1]["clip_id"]
