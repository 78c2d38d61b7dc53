"""'with swing', 'a shuffle groove': the off-beat eighths played late (before, the words were not read)."""

from __future__ import annotations

import pytest

from sonicgrid.agents import lexicon
from sonicgrid.session.followup import merge, render
from sonicgrid.tools.generators.composer import compose


@pytest.mark.parametrize(
    "text, swing", [("a jazzy loop with swing", 0.6), ("a shuffle groove", 0.66), ("straight eighths please", 0.5)]
)
def test_swing_words_are_read(text, swing):
    assert lexicon.parse(text)[0]["swing"] == swing


def test_a_swung_beat_moves_its_off_beat_eighths_and_nothing_on_the_beat():
    brief = {"mood": "happy", "duration_s": 4.0}
    straight = compose(brief, "rhythm", "loop", seed=1, params={"tempo_bpm": 120.0})
    shuffle = compose(brief | {"swing": 0.66}, "rhythm", "loop", seed=1, params={"tempo_bpm": 120.0})
    beat = 0.5
    assert len(straight.notes) == len(shuffle.notes)
    for a, b in zip(straight.notes, shuffle.notes):
        frac = (a.start / beat) % 1
        want = a.start + 0.16 * beat if abs(frac - 0.5) < 0.06 else a.start
        assert b.start == pytest.approx(want, abs=1e-9) and b.end - b.start == pytest.approx(a.end - a.start)
    assert any(b.start != a.start for a, b in zip(straight.notes, shuffle.notes))
    jig = compose(brief | {"swing": 0.66, "meter": 6}, "rhythm", "loop", seed=1, params={"tempo_bpm": 60.0})
    plain_jig = compose(brief | {"meter": 6}, "rhythm", "loop", seed=1, params={"tempo_bpm": 60.0})
    assert [n.start for n in jig.notes] == [n.start for n in plain_jig.notes]  # 6/8 is in threes already


def test_swing_in_chat_is_a_new_take_and_straight_says_it_back():
    last = {"mood": "happy", "section": "loop", "duration_s": 8.0, "layers": ["harmony", "rhythm"]}
    swung, notes = merge("make it swing", last)
    assert swung is not None and swung["swing"] == 0.6 and swung["action"] == "vary" and "swing" in notes
    assert lexicon.parse(render(swung))[0]["swing"] == 0.6
    back, _ = merge("straight eighths please", swung)
    assert back is not None and back["swing"] == 0.5
