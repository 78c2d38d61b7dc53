"""Issue 14 #5/#6: `library import` has a length cap decided from the header (bounded memory whatever
the file), and a NaN/Inf file is skipped with a reason while the rest of the folder imports."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import soundfile as sf
from reliability_helpers import Env, tone


def _sparse_wav(path, seconds: float, sr: int = 44100) -> None:
    """A real WAV header for `seconds` of 16-bit stereo and a sparse (zero, unallocated) body."""
    frames = int(seconds * sr)
    data = frames * 4
    head = (
        b"RIFF"
        + (36 + data).to_bytes(4, "little")
        + b"WAVEfmt "
        + (16).to_bytes(4, "little")
        + (1).to_bytes(2, "little")
        + (2).to_bytes(2, "little")
        + sr.to_bytes(4, "little")
        + (sr * 4).to_bytes(4, "little")
        + (4).to_bytes(2, "little")
        + (16).to_bytes(2, "little")
        + b"data"
        + data.to_bytes(4, "little")
    )
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(len(head) + data)


def test_two_hour_file_is_refused_from_its_header_with_bounded_memory(tmp_path):
    env = Env(tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    _sparse_wav(src / "a_two_hour_tone.wav", 7200)
    tone(src / "b_short.wav", 440.0)
    # measure the import alone: a fresh wrapper process whose only child is the import (the pytest
    # process's RUSAGE_CHILDREN peak would include every earlier test's subprocesses)
    wrapper = (
        "import resource, subprocess, sys;"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr);"
        "sys.stderr.write('\\nPEAK_KIB=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
        "sys.exit(r.returncode)"
    )
    r = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-m", "sonicgrid.cli", "library", "import", str(src), "--json"],
        capture_output=True,
        text=True,
        env=env.env(),
        timeout=180,
    )
    peak_mib = int(r.stderr.rsplit("PEAK_KIB=", 1)[1].split()[0]) / 1024
    assert r.returncode == 0, r.stderr[-2000:]
    rep = json.loads(r.stdout)
    skipped = {s["path"].rsplit("/", 1)[-1]: s["reason"] for s in rep["skipped"]}
    assert "import cap" in skipped["a_two_hour_tone.wav"], skipped
    assert [a["path"].rsplit("/", 1)[-1] for a in rep["added"]] == ["b_short.wav"]
    # the 2-hour file would be 2.5 GB as float32; the whole import stays far below that
    assert 50 < peak_mib < 2500, peak_mib


def test_cap_is_configurable_and_said_in_one_line(tmp_path):
    env = Env(tmp_path)
    src = tmp_path / "src"
    tone(src / "ten_seconds.wav", 440.0, seconds=10.0)
    r = env.cli("library", "import", str(src), SONICGRID_IMPORT_MAX_S="5")
    assert r.returncode == 0 and "import cap is 5 s" in r.stderr, r.stderr[-2000:]


def test_nan_and_inf_files_are_skipped_and_the_rest_imports(tmp_path):
    env = Env(tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    x = (0.3 * np.sin(np.arange(22050) / 10)).astype(np.float32)
    bad_nan, bad_inf = x.copy(), x.copy()
    bad_nan[100] = np.nan
    bad_inf[200] = np.inf
    sf.write(src / "a_nan.wav", bad_nan, 22050, subtype="FLOAT")
    sf.write(src / "b_inf.wav", bad_inf, 22050, subtype="FLOAT")
    tone(src / "c_fine.wav", 523.0)
    rep = env.json("library", "import", str(src))
    skipped = {s["path"].rsplit("/", 1)[-1]: s["reason"] for s in rep["skipped"]}
    assert set(skipped) == {"a_nan.wav", "b_inf.wav"} and all("NaN" in v for v in skipped.values()), skipped
    assert [a["path"].rsplit("/", 1)[-1] for a in rep["added"]] == ["c_fine.wav"]


def test_files_named_one_by_one_mp3_and_surround_files_import(tmp_path):
    """`library import a.mp3 b.wav` as a user types it: files as well as folders, MP3 (libsndfile reads it),
    and a 5.1 file folded down to stereo (it failed analysis with a matmul error before)."""
    from pedalboard.io import AudioFile

    env = Env(tmp_path)
    t = np.arange(3 * 22050) / 22050
    x = (0.3 * np.sin(2 * np.pi * 330 * t) * (1 + np.sin(2 * np.pi * 0.7 * t))).astype(np.float32)
    with AudioFile(str(tmp_path / "song.mp3"), "w", 22050, 2) as f:
        f.write(np.stack([x, x]))
    surround = np.zeros((len(x), 6), np.float32)
    surround[:, 2] = x  # the centre channel only, as dialogue or a lead would be
    sf.write(tmp_path / "film.wav", surround, 22050)
    (tmp_path / "dir").mkdir()
    tone(tmp_path / "dir" / "c.wav", 523.0)
    rep = env.json("library", "import", str(tmp_path / "song.mp3"), str(tmp_path / "film.wav"), str(tmp_path / "dir"))
    assert sorted(a["path"].rsplit("/", 1)[-1] for a in rep["added"]) == ["c.wav", "film.wav", "song.mp3"], rep
    assert rep["skipped"] == []
    proc = env.cli("library", "import", str(tmp_path / "nope.wav"))
    assert proc.returncode != 0 and "no such file or folder" in proc.stdout + proc.stderr


def test_a_surround_file_is_heard_as_its_stereo_fold_down(tmp_path):
    from sonicgrid.audio import Audio, read

    x = np.zeros((1000, 6), np.float32)
    x[:, 2] = 0.5  # centre: both sides at -3 dB
    x[:, 3] = 0.9  # LFE: left out
    x[:, 4] = 0.2  # left surround
    sf.write(tmp_path / "s.wav", x, 22050, subtype="FLOAT")
    y = read(tmp_path / "s.wav").samples
    g = np.sqrt(0.5)
    assert y.shape == (1000, 2)
    assert np.allclose(y[0], [(g * 0.5 + g * 0.2) / (1 + 2 * g), g * 0.5 / (1 + 2 * g)], atol=1e-6)
    quad = Audio(np.tile(np.float32([0.1, 0.2, 0.3, 0.4]), (10, 1)), 22050).stereo().samples
    assert np.allclose(quad[0], [0.2, 0.3])
