"""'make it simpler', 'busier': how much the parts play (before, such a turn reused the last clip unchanged)."""

from __future__ import annotations

import pytest

from sonicgrid.agents import lexicon
from sonicgrid.session.followup import merge, render
from sonicgrid.tools.generators.composer import compose


@pytest.mark.parametrize(
    "text, busy", [("make it simpler", -0.5), ("not so busy please", -0.5), ("much simpler", -1.0), ("busier", 0.5)]
)
def test_busy_words_are_read(text, busy):
    assert lexicon.parse(text)[0]["busy"] == busy


def test_fuller_is_busier_not_a_full_song():
    fields = lexicon.parse("make it fuller")[0]
    assert fields["busy"] == 0.5 and "section" not in fields  # "fuller" was the section "full" (a 30 s song)
    assert "busy" not in lexicon.parse("a minimal techno loop")[0]  # a style, not a sparser take


def test_simpler_plays_fewer_notes_and_no_added_melody_busier_more():
    brief = {"mood": "happy", "duration_s": 8.0}
    plain, simple, busy = (
        compose(brief | {"busy": b}, layer, "loop", seed=4)
        for b, layer in ((0.0, "harmony"), (-0.5, "harmony"), (0.5, "harmony"))
    )
    assert "lead" in plain.parts and "lead" not in simple.parts  # the happy palette's melody
    keys = [len([n for n in a.notes if n.part == "keys"]) for a in (simple, plain, busy)]
    assert keys[0] < keys[1] < keys[2], keys
    drums = [len(compose(brief | {"busy": b}, "rhythm", "loop", seed=4).notes) for b in (-0.5, 0.0, 0.5)]
    assert drums[0] < drums[1] < drums[2], drums
    said = compose(brief | {"busy": -0.5}, "harmony", "loop", seed=4, params={"instruments": {"lead": 40}})
    assert said.parts.get("lead") == 40  # a melody said stays


def test_simpler_in_chat_is_a_new_take_and_adds_up():
    last = {"mood": "happy", "section": "loop", "duration_s": 8.0, "layers": ["harmony", "rhythm"]}
    once, notes = merge("make it simpler", last)
    assert once is not None and once["busy"] == -0.5 and once["action"] == "vary" and "simpler" in notes
    twice, _ = merge("simpler", once)
    assert twice is not None and twice["busy"] == -1.0
    assert lexicon.parse(render(twice))[0]["busy"] == -1.0, render(twice)
