"""Issue 14 #1: a lost or damaged library index never costs user audio; `library rebuild` restores it."""

from __future__ import annotations

import os

import pytest
from reliability_helpers import Env, one_line_error, records, tone


def _two_clips(tmp_path) -> tuple[Env, list[dict], set]:
    env = Env(tmp_path)
    src = tmp_path / "src"
    tone(src / "low_hum.wav", 220.0)
    tone(src / "high_beep.wav", 880.0)
    rep = env.json("library", "import", str(src), "--project", "keep")
    assert len(rep["added"]) == 2
    recs = records(env)
    files = set((env.data / "library" / "audio").glob("*/*.wav"))
    assert len(recs) == 2 and len(files) == 2
    return env, recs, files


def _damage(db, how: str) -> None:
    size = db.stat().st_size
    if how == "emptied":
        db.write_bytes(b"")
    elif how == "zeroed":
        db.write_bytes(bytes(size))
    elif how == "truncated":
        with open(db, "r+b") as f:
            f.truncate(size // 3)
    else:
        db.write_bytes(os.urandom(size))


@pytest.mark.parametrize(
    "how",  # zeroed and truncated behave like garbage (the file is not a database): `make test-all` runs them
    [
        "emptied",
        pytest.param("zeroed", marks=pytest.mark.slow),
        pytest.param("truncated", marks=pytest.mark.slow),
        "garbage",
    ],
)
def test_damaged_index_keeps_audio_and_rebuild_restores_it(tmp_path, how):
    env, recs, files = _two_clips(tmp_path)
    _damage(env.data / "library" / "chroma" / "chroma.sqlite3", how)
    ls = env.cli("library", "ls")
    if ls.returncode == 0:  # opened as an empty index: it must say so, not pass for an empty library
        assert "rebuild" in ls.stderr, ls.stderr
        ver = env.cli("library", "verify")  # the default, repairing verify
        assert ver.returncode == 1 and "NOT deleted" in ver.stderr, ver.stdout + ver.stderr
    else:
        assert "rebuild" in one_line_error(ls)
    assert set((env.data / "library" / "audio").glob("*/*.wav")) == files  # no user audio lost
    reb = env.cli("library", "rebuild")
    assert reb.returncode == 0, reb.stdout + reb.stderr
    assert "restored 2" in reb.stdout, reb.stdout
    back = records(env)
    assert sorted(r["meta"]["prompt"] for r in back) == sorted(r["meta"]["prompt"] for r in recs)
    assert {r["id"] for r in back} == {r["id"] for r in recs}  # the same ids: references still resolve
    assert all(r["meta"]["project"] == "keep" for r in back)
    assert env.json("library", "verify")["ok"]
    hits = env.json("library", "search", "low hum")
    assert hits and hits[0]["meta"]["prompt"] == "low_hum"


def test_verify_deletes_orphan_audio_only_when_asked(tmp_path):
    env, _recs, files = _two_clips(tmp_path)
    stray = env.data / "library" / "audio" / "00" / ("0" * 64 + ".wav")
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(next(iter(files)).read_bytes())
    ver = env.cli("library", "verify")
    assert ver.returncode == 1 and stray.exists() and "NOT deleted" in ver.stderr
    pruned = env.cli("library", "verify", "--prune-orphans")
    assert pruned.returncode == 0, pruned.stdout + pruned.stderr
    assert not stray.exists() and all(f.exists() for f in files)


def test_audio_without_sidecar_is_reanalysed(tmp_path):
    env, _recs, files = _two_clips(tmp_path)
    for p in (env.data / "library" / "records").glob("*.json"):
        p.unlink()  # a library written before sidecars existed
    (env.data / "library" / "chroma" / "chroma.sqlite3").write_bytes(b"")
    rep = env.json("library", "rebuild")
    assert len(rep["reanalysed"]) == 2 and not rep["restored"]
    assert len(records(env)) == 2 and set((env.data / "library" / "audio").glob("*/*.wav")) == files
