"""Analysts on recorded drum samples we did not make (Debian's hydrogen-drumkits), small subset of
benchmarks/eval_real_audio.py. Skips only when the Debian packages are absent (`make test` installs them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import eval_real_audio as real


@pytest.fixture(scope="module")
def kits():
    k = real.drum_kits()
    if not k:
        pytest.skip("hydrogen-drumkits not installed (apt-get install hydrogen hydrogen-drumkits)")
    return k


@pytest.mark.parametrize("kit,bpm", [("GMRockKit", 84.0), ("ForzeeStereo", 126.0), ("Millo_MultiLayered3", 104.0)])
def test_recorded_drum_loops_tempo_and_tag(kits, kit, bpm):
    if kit not in kits:
        pytest.skip(f"{kit} not in this hydrogen-drumkits version")
    rows = real.evaluate(
        [{"name": kit, "cls": "drums", "source": "loop", "audio": real.drum_loop(kits[kit], bpm), "bpm": bpm}]
    )
    r = rows[0]
    assert r["tempo_ok"], r
    assert r["tag"] == "drums" and r["pulse"] > 0.8 and r["tempo_conf"] > 0.4, r


def test_held_sampled_strings_read_as_pad_without_pulse_and_keep_the_key():
    rows = real.evaluate(
        [
            {
                "name": "strings",
                "cls": "pad",
                "source": "held",
                "key": "D",
                "mode": "minor",
                "audio": real.sustained(48, "D", "minor"),
            }
        ]
    )
    r = rows[0]
    assert r["tag"] == "pad" and r["tempo_conf"] < 0.1, r
    assert r["key"] == "D minor", r
