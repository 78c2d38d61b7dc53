"""A loop loops: whole bars (or half bars, beats) at its tempo, and what rings past its end is heard at its start."""

from __future__ import annotations

import numpy as np
import pytest

from sonicgrid.audio import loop_to, wrap_tail
from sonicgrid.graph.loops import fit
from sonicgrid.tools.generators.composer import compose


@pytest.mark.parametrize(
    "seconds, tempo, tempo_free, seconds_free, expected",
    [
        (8.0, 82.0, True, True, (8.0, 90.0, "3 bars")),  # 2.7 bars before
        (8.0, 75.0, True, True, (8.0, 75.0, "5 half bars")),  # whole bars would move it 20 %
        (3.0, 97.0, True, False, (3.0, 100.0, "5 beats")),  # a bar (80 bpm) or two half bars: 18 % off
        (3.0, 75.0, True, False, (3.0, 80.0, "1 bar ")),
        (8.0, 100.0, False, True, (7.2, 100.0, "3 bars")),  # a tempo said: the length nobody said moves
        (8.0, 100.0, False, False, (8.0, 100.0, "")),  # both said: kept, and said not to loop on the beat
        (5.3333, 90.0, False, False, (5.3333, 90.0, "2 bars")),  # "a 2 bar loop at 90 bpm": whole already
        (1.0, 75.0, True, False, (1.0, 75.0, "")),  # 1.25 beats: no tempo within 12 % fits
    ],
)
def test_a_loop_is_whole_bars_half_bars_or_beats(seconds, tempo, tempo_free, seconds_free, expected):
    s, t, how = fit(seconds, tempo, tempo_free, seconds_free)
    assert (s, t) == pytest.approx(expected[:2], abs=1e-3) and how.startswith(expected[2]), how


def test_the_tail_wraps_onto_the_start_and_a_short_loop_plays_on():
    x = np.arange(10, dtype=np.float32)[:, None]
    assert wrap_tail(x, 4)[:, 0].tolist() == [0 + 4 + 8, 1 + 5 + 9, 2 + 6, 3 + 7]  # twice round a short loop
    assert loop_to(np.arange(3, dtype=np.float32)[:, None], 7)[:, 0].tolist() == [0, 1, 2, 0, 1, 2, 0]


def test_a_loop_of_half_bars_is_played_to_its_end_and_no_note_starts_after_it():
    brief = {"mood": "calm", "duration_s": 8.0}  # 2.5 bars at 75 bpm: 2 bars and silence before
    arr = compose(brief, "harmony", "loop", seed=1, params={"key": "C", "mode": "major", "tempo_bpm": 75.0})
    starts = [n.start for n in arr.notes]
    assert max(starts) < 8.0 and max(starts) > 6.4 + 0.5, max(starts)


def test_a_tempo_said_only_as_faster_is_free_to_land_the_loop_on_the_beat():
    """'make it a bit faster' on a 6 s loop at 120 bpm: 1.15 x 120 = 138 bpm is 13.8 beats in 6 s, and the plan
    kept it and said the loop would not land on the beat (the tempo read as said). The plan's typed `tempo_free`
    now lets it move a little (140 bpm, 7 half bars), still faster; a tempo said in numbers stays."""
    from sonicgrid.brief import Brief
    from sonicgrid.graph.arrange import _looping, shared_params

    ref = {"id": "clip_x", "meta": {"tempo_bpm": 120.0, "key": "C", "mode": "major"}}
    said = ["duration_s", "mood", "section", "layers"]
    faster = Brief(prompt="x", duration_s=6.0, tempo_change=1.15, reference="last", action="vary", explicit=said)
    sp = shared_params(faster, 0, 3, ref, None)
    assert sp["tempo_free"] and sp["tempo_bpm"] == pytest.approx(138.0)
    _, notes = _looping(faster, [sp])
    assert not notes and sp["tempo_bpm"] == pytest.approx(140.0) and "7 half bars" in sp["sources"]["tempo_bpm"]
    # as the intake makes it: "slower" is a tempo said in words (explicit), with no number
    from sonicgrid.agents.intake import rules_intake

    slower, _ = rules_intake("a calm loop, 12 seconds, a bit slower, a variation of the last one")
    assert "tempo_bpm" in slower.explicit and slower.tempo_change
    sp3 = shared_params(slower, 0, 3, ref | {"meta": {**ref["meta"], "tempo_bpm": 80.0}}, None)
    assert sp3["tempo_free"]
    _, notes3 = _looping(slower, [sp3])
    assert not notes3 and "bars at" in sp3["sources"]["tempo_bpm"]
    # "slower" from 80 is 68; whole bars lie at 60 (12 % further), 7 half bars at 70: still slower, near what was asked
    assert sp3["tempo_bpm"] == pytest.approx(70.0)
    faster, _ = rules_intake("a calm loop, 12 seconds, 5% faster, a variation of the last one")
    sp4 = shared_params(faster, 0, 3, ref | {"meta": {**ref["meta"], "tempo_bpm": 80.0}}, None)
    _looping(faster, [sp4])
    assert 80.0 < sp4["tempo_bpm"] <= 84.0 * 1.05  # never back to the tempo it was faster than (80: 4 bars)
    exact = Brief(prompt="x", duration_s=6.0, tempo_bpm=138.0, explicit=[*said, "tempo_bpm"])
    sp2 = shared_params(exact, 0, 3, None, None)
    _, notes2 = _looping(exact, [sp2])
    assert not sp2["tempo_free"] and sp2["tempo_bpm"] == 138.0 and "will not loop on the beat" in notes2[0]


def test_a_length_half_way_between_whole_bars_goes_to_the_longer():
    """8 s at a tempo the session lends (75 bpm: 3.2 s bars) was 2 bars, 6.4 s (round half to even)."""
    assert fit(8.0, 75.0, tempo_free=False, seconds_free=True)[0] == pytest.approx(9.6)
