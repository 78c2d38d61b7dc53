"""Composer continuation: extend a rendered clip with its own arrangement, joined on a bar line."""

from __future__ import annotations

import numpy as np
import pytest

from sonicgrid.audio import Audio
from sonicgrid.tools.base import GenRequest
from sonicgrid.tools.generators.soundfont import SoundFontComposer

SR = 44100
REF_S, MORE_S = 8.0, 12.0


def _rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-12))


def join_metrics(x: np.ndarray, j: int, sr: int) -> dict:
    """Level step (1 s after vs 1 s before the join), the deepest 10 ms dip within 100 ms of the join
    against the surrounding second, and the largest sample step there against the clip's 99.9th pct."""
    m = x.mean(axis=1)
    w = int(0.01 * sr)
    around = [_rms_db(m[i : i + w]) for i in range(j - 10 * w, j + 10 * w, w)]
    body = _rms_db(m[j - sr : j + sr])
    diffs = np.abs(np.diff(m))
    return {
        "step_db": _rms_db(m[j : j + sr]) - _rms_db(m[j - sr : j]),
        "dip_db": min(around) - body,
        "click": float(diffs[j - w : j + w].max() / (np.percentile(diffs, 99.9) + 1e-9)),
    }


@pytest.fixture(scope="module")
def extended():
    g = SoundFontComposer(sr=SR)
    brief = {"prompt": "calm", "mood": "calm", "duration_s": REF_S}
    first = g.run(GenRequest("calm", brief, "harmony", "loop", REF_S, seed=2))
    # the library holds the mastered clip: a different level from a fresh render
    ref = Audio(first.audio.samples * np.float32(0.45), SR)
    later = {"prompt": "extend it", "mood": "moody", "duration_s": MORE_S}  # a new brief must not change the music
    res = g.run(
        GenRequest(
            "extend it",
            later,
            "harmony",
            "loop",
            MORE_S,
            seed=77,
            params={"arrangement": first.meta["arrangement"]},
            audio_prompt=ref,
        )
    )
    naive = np.concatenate(
        [
            ref.samples,
            g.run(GenRequest("calm", dict(brief, duration_s=MORE_S), "harmony", "loop", MORE_S, seed=2)).audio.samples,
        ]
    )
    # what the arrangement sounds like played straight through (the level step a bar line has anyway)
    whole = g.run(
        GenRequest("calm", dict(brief, duration_s=REF_S + MORE_S), "harmony", "loop", REF_S + MORE_S, seed=2)
    ).audio.samples * np.float32(0.45)
    return first.meta["arrangement"], ref, res, (naive, whole)


def test_extension_has_the_requested_length_and_says_it_continued(extended):
    arr, ref, res, _ = extended
    assert res.meta["continued"] is True
    assert res.audio.samples.shape == (int(round((REF_S + MORE_S) * SR)), 2)
    a = res.meta["arrangement"]
    assert (a["key"], a["mode"], a["tempo_bpm"], a["parts"], a["progression"]) == (
        arr["key"],
        arr["mode"],
        arr["tempo_bpm"],
        arr["parts"],
        arr["progression"],
    )
    spb = 240.0 / arr["tempo_bpm"]
    assert abs(res.meta["join_s"] / spb - round(res.meta["join_s"] / spb)) < 1e-3  # on a bar line
    # the clip before the join is the reference itself
    j = int(round(res.meta["join_s"] * SR)) - int(0.1 * SR)
    assert np.allclose(res.audio.samples[:j], ref.samples[:j])


def test_extension_part_keeps_key_and_tempo(extended):
    """Heard by the product's listener (the pretrained ears; the DSP chroma estimator took the calm
    palette's electric piano for the relative minor)."""
    from sonicgrid.tools.analysts.ears import default_listener

    arr, _, res, _ = extended
    tail = Audio(res.audio.samples[int(REF_S * SR) :], SR)
    heard = default_listener().hear(
        tail, {"prompt": "extend it", "mood": "calm", "duration_s": MORE_S}, layer="harmony"
    )
    assert (heard["key"], heard["mode"]) == (arr["key"], arr["mode"])
    assert abs(heard["tempo_bpm"] - arr["tempo_bpm"]) / arr["tempo_bpm"] < 0.04, heard["tempo_bpm"]


def test_no_discontinuity_at_the_join_where_a_butt_join_has_one(extended):
    _, ref, res, (naive, whole) = extended
    j = int(round(res.meta["join_s"] * SR))
    ours, butt = join_metrics(res.audio.samples, j, SR), join_metrics(naive, len(ref.samples), SR)
    # what the arrangement does at that bar line anyway (the calm electric piano's attack: click ~2.6)
    natural = join_metrics(whole, j, SR)  # measured: step 4.2 dB, dip -5.2 dB, click 2.64
    click_ok = max(1.5, 1.25 * natural["click"])  # no sharper than the bar line played straight through

    def ok(m: dict) -> bool:
        return abs(m["step_db"] - natural["step_db"]) < 1.0 and m["dip_db"] > -6.0 and m["click"] < click_ok

    assert ok(ours), (ours, natural)  # measured: step 4.2 dB, dip -5.0 dB, click 2.50
    assert not ok(butt), butt  # a butt join: a level step and a deep dip


def test_without_an_arrangement_the_reference_is_heard():
    """An audio prompt with no stored arrangement: key and tempo come from the analysts."""
    g = SoundFontComposer(sr=SR)
    brief = {"prompt": "tense", "mood": "tense", "duration_s": 8.0}
    first = g.run(GenRequest("tense", brief, "harmony", "loop", 8.0, seed=1))
    res = g.run(
        GenRequest("more", dict(brief, duration_s=6.0), "harmony", "loop", 6.0, seed=5, audio_prompt=first.audio)
    )
    a, want = res.meta["arrangement"], first.meta["arrangement"]
    assert res.meta["continued"] and (a["key"], a["mode"]) == (want["key"], want["mode"])
    assert abs(a["tempo_bpm"] - want["tempo_bpm"]) / want["tempo_bpm"] < 0.03
    assert res.audio.duration == pytest.approx(14.0, abs=1e-3)


def test_a_clip_shorter_than_a_bar_extends_from_its_end():
    """A 2 s calm clip at 60 bpm holds half a bar: the join cannot be on a bar line inside it (this raised a
    broadcast error and stopped the run)."""
    g = SoundFontComposer(sr=SR)
    brief = {"prompt": "calm", "mood": "calm", "duration_s": 2.0, "tempo_bpm": 60.0}
    first = g.run(GenRequest("calm", brief, "harmony", "loop", 2.0, seed=3))
    res = g.run(
        GenRequest(
            "extend it",
            dict(brief, duration_s=4.0),
            "harmony",
            "loop",
            4.0,
            seed=3,
            params={"arrangement": first.meta["arrangement"]},
            audio_prompt=first.audio,
        )
    )
    assert res.audio.duration == pytest.approx(6.0, abs=0.01) and res.meta["join_s"] <= 2.0
    assert np.array_equal(res.audio.samples[: int(1.5 * SR)], first.audio.stereo().samples[: int(1.5 * SR)])
    assert _rms_db(res.audio.samples[int(3 * SR) :]) > -60.0  # the new part sounds


def test_an_extension_writes_its_notes_for_clip_mid(extended):
    """An extended clip had no clip.mid (the continuation returned no notes): its notes now run from the start
    (the reference's, replayed to the join) to the new end, and write_midi keeps all of them."""
    from sonicgrid.outputs import write_midi

    arr, _ref, res, _ = extended
    rows = res.meta["midi"]
    assert res.meta["total_s"] == pytest.approx(REF_S + MORE_S)
    assert min(r[2] for r in rows) < 0.5 and max(r[2] for r in rows) > REF_S  # before and after the join
    first_bars = {tuple(r[:3]) for r in rows if r[2] < res.meta["join_s"] - 0.5}
    assert first_bars  # the reference's bars are replayed with the same seed: its notes
    cell = {"cell": {"section": "loop", "duration_s": MORE_S, "start_s": 0.0}, "meta": res.meta}
    import tempfile
    from pathlib import Path

    import pretty_midi

    with tempfile.TemporaryDirectory() as d:
        path = write_midi([cell], Path(d) / "clip.mid")
        pm = pretty_midi.PrettyMIDI(str(path))
        assert pm.get_end_time() > REF_S + 0.5 and pm.get_tempo_changes()[1][0] == pytest.approx(arr["tempo_bpm"])
