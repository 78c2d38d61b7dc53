"""'no bass', 'without piano': an instrument of the harmony layer turned down on its own. The part goes from
the composition and the layer stays (before, "no bass" dropped the whole harmony layer, chords and all)."""

from __future__ import annotations

import pytest

from sonicgrid.agents import lexicon
from sonicgrid.agents.intake import rules_intake
from sonicgrid.session import remix
from sonicgrid.session.followup import merge, render
from sonicgrid.tools.generators.composer import compose
from sonicgrid.tools.generators.parts import FAMILIES, without


@pytest.mark.parametrize(
    "text, exclude, parts",
    [
        ("a calm meditation track with no drums and no bass", ["rhythm"], ["bass"]),
        ("ambient, no piano", [], ["piano"]),
        ("a sad song without guitar and no drums", ["rhythm"], ["guitar"]),
        ("a chill beat, no melody", [], ["lead"]),
        ("no bass drum please, a calm pad", ["rhythm"], []),  # the kick, not the bass part
        ("a calm track, no chords", ["harmony"], []),
        ("a groovy funk loop, with bass and drums, no keys", [], ["keys"]),  # bass and drums stay
        ("an epic theme without violins", [], ["strings"]),  # the pads stay unless they are strings
    ],
)
def test_a_turned_down_instrument_is_a_part_not_a_layer(text, exclude, parts):
    fields, _ = lexicon.parse(text)
    assert fields.get("exclude", []) == exclude, text
    assert fields.get("exclude_parts", []) == parts, text


def _parts_played(prompt: str) -> set[str]:
    brief, _ = rules_intake(prompt)
    arr = compose(brief.model_dump(), "harmony", brief.section, seed=3)
    return {n.part for n in arr.notes}


def test_no_bass_keeps_the_chords_and_plays_no_bass_note():
    brief, _ = rules_intake("a calm meditation track with no drums and no bass")
    assert "harmony" in brief.layers and brief.exclude_parts == ["bass"]
    assert "bass" in _parts_played("a calm meditation track with no drums")
    played = _parts_played("a calm meditation track with no drums and no bass")
    assert "bass" not in played and played, played


def test_no_piano_drops_the_piano_family_and_a_layer_never_goes_empty():
    base = {"keys": 4, "pad": 88, "bass": 32}  # an electric piano is a piano
    assert without(base, ["piano"]) == {"pad": 88, "bass": 32}
    assert without(base, ["guitar"]) == base
    assert without(base, ["keys"]) == {"pad": 88, "bass": 32}  # the keys part, whatever plays it
    assert without({"keys": 0, "bass": 33}, ["piano", "bass"]) == {"keys": 24}  # a guitar plays the chords
    assert without({"keys": 0}, ["piano", "guitar"]) == {"keys": 11}
    assert without({"drums": 0}, ["piano"]) == {"drums": 0}  # a kit's program 0 is no piano
    # strings go from any layer (the epic and tender pads are string ensembles); a contrabass line stays
    assert without({"pad": 48, "drone": 95}, ["strings"]) == {"drone": 95}
    assert without({"keys": 61, "bass": 43}, ["strings"]) == {"keys": 61, "bass": 43}
    assert all(p not in FAMILIES["piano"] for p in without({"keys": 1, "lead": 5}, ["piano"]).values())


def test_a_chat_turn_turns_a_part_down_and_keeps_the_clip():
    last = {"mood": "moody", "section": "intro", "duration_s": 12.0, "layers": ["harmony", "atmosphere"]}
    merged, notes = merge("no bass", last)
    assert "without bass" in notes
    assert merged is not None and merged["exclude_parts"] == ["bass"]
    assert merged["layers"] == ["harmony", "atmosphere"] and merged["mood"] == "moody"
    assert merged["action"] == "vary"  # a new take: reusing the clip would keep its bass
    assert lexicon.parse(render(merged))[0]["exclude_parts"] == ["bass"]  # the request as the turn reads it
    # not a stem edit: the bass plays inside the harmony stem, and muting it would take the chords too
    stems = {"harmony", "atmosphere", "rhythm"}
    assert not remix.is_edit("no bass", stems) and not remix.is_edit("remove the bass", stems)
    assert remix.is_edit("no drums", stems) and remix.is_edit("mute the pad", stems)
    assert remix.is_edit("remove everything except the piano", stems)  # the harmony stem alone, as before
    merged, _ = merge("and no piano either", {**last, "exclude_parts": ["bass"]})
    assert merged is not None and merged["exclude_parts"] == ["bass", "piano"]
