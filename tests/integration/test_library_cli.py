"""`sonicgrid library` end to end: import a messy folder, ls, search, show, projects, verify, export, rm."""

from __future__ import annotations

import json

import numpy as np
import soundfile as sf
from library_helpers import tone
from typer.testing import CliRunner

from sonicgrid.cli import app


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_library_commands(tmp_path, monkeypatch, moody_clip):
    monkeypatch.setenv("SONICGRID_DATA_DIR", str(tmp_path / "data"))
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    sf.write(src / "dark_piano.flac", moody_clip.samples, moody_clip.sr)
    sf.write(src / "sub" / "bright_tone.ogg", tone(880, 3.0, noise=0.05).samples, 22050)
    sf.write(src / "sub" / "piano_copy.flac", moody_clip.samples, moody_clip.sr)  # the same sound again
    (src / "notes.txt").write_text("not audio")
    (src / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunk" + bytes(200))
    sf.write(src / "silence.wav", np.zeros(22050, np.float32), 22050)
    r = CliRunner()
    rep = _json(r.invoke(app, ["library", "import", str(src), "--project", "film", "--json"]))
    assert sorted(a["path"].split("/")[-1] for a in rep["added"]) == ["bright_tone.ogg", "dark_piano.flac"]
    skipped = {s["path"].split("/")[-1]: s["reason"] for s in rep["skipped"]}
    assert set(skipped) == {"notes.txt", "broken.wav", "silence.wav"} and skipped["notes.txt"].startswith("not audio")
    assert [d["path"].split("/")[-1] for d in rep["duplicates"]] == ["piano_copy.flac"]
    ls = _json(r.invoke(app, ["library", "ls", "--json"]))
    assert len(ls) == 2 and all(x["meta"]["project"] == "film" for x in ls)
    hits = _json(r.invoke(app, ["library", "search", "dark piano", "--json"]))
    assert hits[0]["meta"]["source"].endswith("dark_piano.flac") and hits[0]["reasons"]
    cid = hits[0]["id"]
    shown = _json(r.invoke(app, ["library", "show", cid]))
    assert shown["meta"]["key"] and shown["meta"]["tempo_bpm"] is not None
    proj = _json(r.invoke(app, ["library", "projects", "--json"]))
    assert proj[0]["project"] == "film" and proj[0]["clips"] == 2
    assert _json(r.invoke(app, ["library", "verify", "--json"]))["ok"]
    out = r.invoke(app, ["library", "export", str(tmp_path / "exp")])
    assert out.exit_code == 0, out.output
    lines = (tmp_path / "exp" / "library.jsonl").read_text().splitlines()
    assert len(lines) == 2 and (tmp_path / "exp" / f"{cid}.wav").exists()
    one = r.invoke(app, ["library", "export", str(tmp_path / "one"), "--clip", cid])
    assert one.exit_code == 0 and "exported 1 clip " in one.output, one.output
    assert [json.loads(x)["id"] for x in (tmp_path / "one" / "library.jsonl").read_text().splitlines()] == [cid]
    nope = r.invoke(app, ["library", "export", str(tmp_path / "none"), "--clip", "clip_nope"])
    assert nope.exit_code == 2 and "no clip clip_nope" in nope.output
    assert r.invoke(app, ["library", "rm", cid]).exit_code == 0
    assert len(_json(r.invoke(app, ["library", "ls", "--json"]))) == 1
    bad = r.invoke(app, ["library", "show", cid])
    assert bad.exit_code == 2 and "no clip" in bad.output
