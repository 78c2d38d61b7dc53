"""Instruments said in a request play their part: "a sad violin solo" has a violin line, "a calm piano loop" a
piano, "strings instead of piano" strings and no piano (before, the words chose a layer at most)."""

from __future__ import annotations

import pytest

from sonicgrid.agents import lexicon
from sonicgrid.session.followup import merge, render
from sonicgrid.tools.generators.composer import compose
from sonicgrid.tools.generators.parts import FAMILIES


@pytest.mark.parametrize(
    "text, names",
    [
        ("a sad violin solo", ["violin"]),
        ("calm acoustic guitar background for a podcast", ["guitar"]),
        ("an energetic rock riff with distorted guitar", ["distorted guitar"]),  # the longest name
        ("a lullaby with a music box and strings", ["music box", "strings"]),
        ("a calm loop, no piano", []),  # turned down, not asked for
        ("an upbeat synthwave track", []),  # a style, not a synth
        ("a victory fanfare with trumpets", ["trumpet"]),  # plurals were missed
        ("two acoustic guitars and flutes", ["guitar", "flute"]),
        ("a romantic string quartet piece", ["strings"]),
        ("the saxes", ["saxophone"]),
    ],
)
def test_instruments_said_are_read_in_order(text, names):
    assert lexicon.parse(text)[0].get("instruments", []) == names, text


def _programs(prompt: str, layer: str = "harmony") -> dict[str, int]:
    fields, _ = lexicon.parse(prompt)
    brief = {"mood": fields.get("mood", "calm"), "duration_s": 8.0, "exclude_parts": fields.get("exclude_parts", [])}
    brief["alone"] = bool(fields.get("alone"))
    roles = lexicon.instrument_roles(fields.get("instruments", []))
    arr = compose(brief, layer, "loop", seed=2, params={"instruments": roles})
    assert {n.part for n in arr.notes} == set(arr.parts)  # every part plays
    return arr.parts


def test_each_instrument_plays_the_part_of_its_role():
    assert _programs("a sad violin solo")["lead"] == 40  # a lead line the moody palette does not have
    assert _programs("a calm piano loop")["keys"] == 0  # the calm palette's keys are an electric piano
    assert _programs("a tense loop with a harp")["keys"] == 46  # the tense palette has no keys part
    assert _programs("an ambient pad with a choir", "atmosphere")["pad"] == 52
    parts = _programs("a calm loop with strings instead of piano")
    assert parts["pad"] == 48 and not any(p in FAMILIES["piano"] for p in parts.values()), parts


def test_a_chat_turn_changes_the_instrument_and_drops_the_one_replaced():
    last = {"mood": "calm", "section": "loop", "duration_s": 4.0, "layers": ["harmony"], "instruments": ["piano"]}
    merged, notes = merge("use strings instead of piano", last)
    assert merged is not None and merged["instruments"] == ["strings"] and merged["exclude_parts"] == ["piano"]
    assert merged["action"] == "vary" and "instruments -> strings" in notes
    assert lexicon.parse(render(merged))[0]["instruments"] == ["strings"]
    after, _ = merge("darker", {**last, "instruments": ["flute", "strings"]})
    assert after is not None and after["instruments"] == ["flute", "strings"]  # carried on


def test_two_instruments_of_one_role_both_play():
    """'choir and brass' had a choir pad and no brass (the first of a role won): the second now plays the next free
    part. In chat, 'use a guitar' on a piano clip swaps them and 'add a guitar' keeps both."""
    assert lexicon.instrument_roles(["choir", "brass"]) == {"pad": 52, "lead": 61}
    assert lexicon.instrument_roles(["piano", "guitar"]) == {"keys": 0, "lead": 24}
    parts = _programs("a happy loop with piano and guitar")
    assert parts["keys"] == 0 and parts["lead"] == 24, parts
    assert len(lexicon.instrument_roles(["piano", "guitar", "harp", "organ"])) == 3  # three parts to play them
    last = {"mood": "calm", "section": "loop", "duration_s": 4.0, "layers": ["harmony"], "instruments": ["piano"]}
    swapped, _ = merge("use a guitar", last)
    assert swapped is not None and lexicon.instrument_roles(swapped["instruments"]) == {"keys": 24}
    both, _ = merge("add a guitar", last)
    assert both is not None and lexicon.instrument_roles(both["instruments"]) == {"keys": 0, "lead": 24}


@pytest.mark.parametrize(
    "text, parts",
    [
        ("just piano, calm", {"keys": 0, "bass": 0}),  # the left hand plays the bass line
        ("solo piano, tender", {"keys": 0, "bass": 0}),
        ("only strings, moody", {"pad": 48, "bass": 48}),  # the composer's strings, not a painted pad
        ("just a violin, sad", {"lead": 40, "pad": 40, "bass": 40}),  # its line over its own chords
        ("only the piano and a cello", {"keys": 0, "lead": 42, "bass": 0}),
    ],
)
def test_an_instrument_alone_plays_alone(text, parts):
    """'just piano' was the palette's band with a piano in it (and 'just a violin' read no 'just' at all)."""
    fields = lexicon.parse(text)[0]
    assert fields["alone"] and fields.get("layers", ["harmony"]) == ["harmony"] and fields["layers_only"], fields
    assert _programs(text) == parts


def test_a_violin_solo_is_featured_not_alone_and_alone_carries_on_in_chat():
    assert "alone" not in lexicon.parse("a sad violin solo")[0]
    last = {"mood": "calm", "section": "loop", "duration_s": 8.0, "layers": ["harmony"], "instruments": ["piano"]}
    merged, _ = merge("darker", last | {"alone": True, "layers_only": True})
    assert merged is not None and merged["alone"]
    back = lexicon.parse(render(merged))[0]
    assert back["alone"] and back["instruments"] == ["piano"], render(merged)


def test_a_stored_stem_stands_for_what_was_said_of_instruments_or_not_at_all():
    """A calm harmony stem (electric piano, pad, bass) was reused for 'a calm loop, just piano', '... with a violin'
    and '... no bass': the instruments said were no limit on reuse, as a key or tempo said is."""
    from sonicgrid.graph.cell_common import breaks_said

    band = [
        [4, 60, 0.0, 1.0, 80, False, "keys"],
        [88, 64, 0.0, 2.0, 70, False, "pad"],
        [32, 36, 0, 1, 90, False, "bass"],
    ]
    meta = {"midi": band, "key": "C", "mode": "major", "tempo_bpm": 70.0}
    plain = {"explicit": []}
    assert breaks_said(plain, "harmony", meta) is None  # nothing said: it stands
    assert breaks_said(plain | {"alone": True}, "harmony", meta, roles={"keys": 0})  # "just piano"
    assert breaks_said(plain, "harmony", meta, roles={"lead": 40})  # "with a violin": no violin in it
    assert breaks_said(plain | {"exclude_parts": ["bass"]}, "harmony", meta)  # "no bass": it has one
    assert breaks_said(plain, "harmony", {"key": "C"}, roles={"keys": 0})  # parts unknown: not as said
    piano = {"midi": [[0, 60, 0.0, 1.0, 80, False, "keys"], [0, 36, 0.0, 1.0, 80, False, "bass"]]}
    assert breaks_said(plain | {"alone": True}, "harmony", piano, roles={"keys": 0}) is None
    assert breaks_said(plain | {"exclude_parts": ["strings"]}, "rhythm", meta) is None  # drums carry no such part
