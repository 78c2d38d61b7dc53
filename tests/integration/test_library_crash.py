"""Crash safety and concurrency of the clip library, with real processes that really die."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from sonicgrid.memory.library import ClipLibrary

# A child process adds one clip and dies (os._exit: no cleanup, no finally) at a chosen point.
CHILD = textwrap.dedent("""
    import json, os, sys
    import numpy as np
    from sonicgrid.audio import Audio
    from sonicgrid.memory.library import ClipLibrary
    root, crash_at, tvec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    lib = ClipLibrary(root)
    def die(*a, **k):
        os._exit(9)
    col = {"audio_record": lib.audio, "text_record": lib.text}.get(crash_at)
    if col is not None:
        col.upsert = die                      # dies after the file is written, before this record
    if crash_at == "intent_removal":
        lib.journal.done = staticmethod(die)  # dies with both records written
    t = np.arange(22050) / 22050
    lib.add(Audio((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 22050), {"mood": "calm"},
            "a calm tone", [1.0] + [0.0] * 199, text_vec=tvec)
""")

WRITER = textwrap.dedent("""
    import json, sys
    import numpy as np
    from sonicgrid.audio import Audio
    from sonicgrid.memory.library import ClipLibrary
    root, w, n, tvec = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
    lib = ClipLibrary(root)
    rng = np.random.default_rng(w)
    ids = []
    for i in range(n):
        x = (0.1 * rng.standard_normal(4000)).astype(np.float32)
        ids.append(lib.add(Audio(x, 16000), {"mood": "calm", "project": f"w{w}"}, f"writer {w} clip {i}",
                           rng.standard_normal(200).tolist(), text_vec=tvec))
    print(json.dumps(ids))
""")


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def tvec():
    from sonicgrid.memory.embed import embed_text

    return json.dumps(embed_text("a calm tone"))


def _state(root) -> tuple[int, int, int, int]:
    lib = ClipLibrary(root)  # opening takes the writer lock and recovers what a dead writer left
    return lib.count(), lib.audio.count(), len(lib.store.all_digests()), len(list(lib.journal.pending_dir.iterdir()))


@pytest.mark.parametrize("crash_at", ["audio_record", "text_record"])
def test_crash_between_file_and_record_rolls_back(tmp_path, tvec, crash_at):
    root = tmp_path / "lib"
    r = _run(CHILD, str(root), crash_at, tvec)
    assert r.returncode == 9, r.stderr[-2000:]
    assert len(list((root / "audio").glob("*/*.wav"))) == 1  # the crash really left a file behind
    assert len(list((root / "pending").glob("*.json"))) == 1
    assert _state(root) == (0, 0, 0, 0)  # no file without a record, no record without a file
    assert ClipLibrary(root).verify(repair=False)["ok"]


def test_crash_after_both_records_keeps_the_clip(tmp_path, tvec):
    root = tmp_path / "lib"
    assert _run(CHILD, str(root), "intent_removal", tvec).returncode == 9
    assert _state(root) == (1, 1, 1, 0)
    lib = ClipLibrary(root)
    rec = lib.all()[0]
    assert lib.load(rec["id"]).duration == pytest.approx(1.0) and lib.verify(repair=False)["ok"]


def test_four_concurrent_writers_lose_nothing(tmp_path, tvec):
    root = tmp_path / "lib"
    ClipLibrary(root)  # create the collections once, before the race
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), str(w), "15", tvec],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for w in range(4)
    ]
    ids = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-2000:]
        ids += json.loads(out.strip().splitlines()[-1])
    assert len(set(ids)) == 60
    lib = ClipLibrary(root)
    assert lib.count() == 60 and lib.audio.count() == 60 and len(lib.store.all_digests()) == 60
    assert all(lib.get(i) is not None for i in ids)
    assert lib.projects() == {f"w{w}": 15 for w in range(4)}
    assert lib.verify(repair=False)["ok"]
    assert len(lib.search("writer 2 clip", k=60, text_vec=json.loads(tvec))) == 60


def test_a_fresh_library_is_created_by_one_process_at_a_time(tmp_path):
    """Two processes opening a fresh library at once both ran Chroma's schema migrations ("table collections
    already exists": the auto-started worker and a command beside it, on a loaded machine). Opening now waits for
    the journal's lock: while another process holds it, no Chroma file is made; released, the open completes."""
    import subprocess
    import sys
    import time

    from sonicgrid.memory.journal import Journal

    root = tmp_path / "lib"
    root.mkdir()
    code = "import sys; from pathlib import Path; from sonicgrid.memory.library import ClipLibrary; ClipLibrary(Path(sys.argv[1])); print('opened')"
    with Journal(root).locked():
        p = subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 8.0  # the import and Chroma's client take ~3 s here when nothing waits
        while time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.2)
        assert p.poll() is None
        assert not (root / "chroma" / "chroma.sqlite3").exists()
    out, _ = p.communicate(timeout=120)
    assert p.returncode == 0 and "opened" in out
    assert (root / "chroma" / "chroma.sqlite3").exists()
