"""sonicgrid.audio's file side: a file read again unchanged is decoded once per process, and never stale;
copy() is the same sound without decoding it."""

from __future__ import annotations

import os

import numpy as np

from sonicgrid import audio as aio


def _sound(seed: int, seconds: float = 0.5, sr: int = 22050) -> aio.Audio:
    x = np.random.default_rng(seed).uniform(-0.5, 0.5, (int(sr * seconds), 2)).astype(np.float32)
    return aio.Audio(x, sr)


def test_a_reread_is_the_file_and_never_stale(tmp_path):
    p = aio.write(tmp_path / "a.wav", _sound(1))
    first = aio.read(p)
    first.samples[:] = 0.0  # a caller changing what it got changes nothing for the next reader
    again = aio.read(p)
    assert np.abs(again.samples).max() > 0.4
    decoded = aio._READ.get(aio._file_key(p))
    assert decoded is not None and np.array_equal(decoded[0], again.samples)  # served from the decoded copy
    aio.write(p, _sound(2))  # replaced (a new file under the name): read anew
    assert np.array_equal(aio.read(p).samples, aio.read(tmp_path / "a.wav").samples)
    fresh = aio.Audio(*aio.sf.read(str(p), dtype="float32", always_2d=True))
    assert np.array_equal(aio.read(p).samples, fresh.samples)
    with open(p, "r+b") as f:  # changed in place by someone else: size and mtime tell
        f.seek(-6, os.SEEK_END)
        f.write(b"\x7f" * 6)
    os.utime(p, ns=(os.stat(p).st_atime_ns, os.stat(p).st_mtime_ns + 1000))
    assert np.array_equal(aio.read(p).samples, aio.Audio(*aio.sf.read(str(p), dtype="float32", always_2d=True)).samples)


def test_copy_is_the_same_sound_and_bytes(tmp_path):
    src = aio.write(tmp_path / "src.wav", _sound(3))
    aio.read(src)  # decoded once
    dst = aio.copy(src, tmp_path / "out" / "dst.wav")
    assert dst.read_bytes() == src.read_bytes()
    assert np.array_equal(aio.read(dst).samples, aio.read(src).samples)
    assert aio.sound_id(aio.read(dst)) == aio.sound_id(aio.read(src))
    assert not [p for p in dst.parent.iterdir() if p.name.endswith(".tmp")]
