"""Issue 14 #8: a full disk is one line that says so, and the library stays consistent."""

from __future__ import annotations

import shutil

import pytest
from reliability_helpers import Env, can_mount, mounted, one_line_error


@pytest.mark.skipif(not can_mount(), reason="needs root to mount a small tmpfs")
def test_out_dir_on_a_full_disk(tmp_path):
    env = Env(tmp_path)
    with mounted("-t", "tmpfs", "-o", "size=600k", "tmpfs", target=tmp_path / "small") as small:
        (small / "filler").write_bytes(b"\0" * (560 * 1024))
        r = env.cli("make", "calm loop", "--duration", "8", "--out", str(small))
        line = one_line_error(r)
        assert "no space left" in line.lower() or "not writable" in line, line
        assert "LibsndfileError" not in line and "System error" not in line
    ver = env.json("library", "verify", "--check")
    assert ver["ok"], ver


@pytest.mark.skipif(not can_mount(), reason="needs root to mount a small tmpfs")
def test_library_on_a_full_disk(tmp_path):
    """The data dir (library, checkpoints) fills up after a first clip: the next make is one line that
    says the disk is full, and the library keeps exactly what it had, verified clean."""
    with mounted("-t", "tmpfs", "-o", "size=48m", "tmpfs", target=tmp_path / "small") as small:
        env = Env(tmp_path, SONICGRID_DATA_DIR=str(small / "data"))
        first = env.json("make", "calm loop", "--duration", "2")
        assert first["result"]["status"] == "ok"
        before = env.json("library", "verify", "--check")
        free = shutil.disk_usage(small).free
        (small / "filler").write_bytes(b"\0" * (free - 40 * 1024))
        r = env.cli("make", "moody intro with drums", "--duration", "4")
        line = one_line_error(r)
        assert "no space left" in line.lower(), line
        (small / "filler").unlink()  # room to verify again: nothing was half-written
        after = env.json("library", "verify", "--check")
        assert after["ok"] and after["records"] == before["records"] and after["files"] == before["files"], after


@pytest.mark.skipif(not can_mount(), reason="needs root to mount a small tmpfs")
def test_disk_full_is_recognised_whatever_the_library_raised(tmp_path):
    """Chroma's Rust start can fail for space and surface as an unrelated AttributeError (CI, stop 18):
    the free space where the index would live decides, for a folder not made yet too."""
    import errno

    from sonicgrid.errors import disk_full

    odd = AttributeError("'RustBindingsAPI' object has no attribute 'bindings'")
    with mounted("-t", "tmpfs", "-o", "size=4m", "tmpfs", target=tmp_path / "small") as small:
        index = small / "data" / "library" / "chroma"
        assert not disk_full(odd, [index])
        (small / "filler").write_bytes(b"\0" * (shutil.disk_usage(small).free - 64 * 1024))
        assert disk_full(odd, [index])
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("sqlite said something else") from inner
    except RuntimeError as chained:
        assert disk_full(chained, [tmp_path])
    assert not disk_full(odd, [tmp_path])
