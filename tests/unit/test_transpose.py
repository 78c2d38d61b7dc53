"""'up a semitone', 'a fifth down', 'in a higher key', 'transpose it to D': the last clip's music again in
another key (before, a chat turn like these reused the clip unchanged)."""

from __future__ import annotations

import pytest

from sonicgrid.agents import lexicon
from sonicgrid.agents.key_said import nearest_move, shifted
from sonicgrid.graph.cell_common import breaks_said
from sonicgrid.session.followup import merge, render
from sonicgrid.tools.generators.composer import compose


@pytest.mark.parametrize(
    "text, semitones",
    [
        ("transpose it up a semitone", 1),
        ("two semitones lower", -2),
        ("up a whole step", 2),
        ("a fifth down please", -7),
        ("lower it by 3 half steps", -3),
        ("make the intro a tone higher", 2),
        ("put it in a higher key", 2),
        ("drop it a semitone", -1),
        ("raise it a fourth", 5),
        ("transpose it to D", 0),  # a key said as a move: the music moved there
        ("change the key to E", 0),  # was not read at all
    ],
)
def test_a_move_of_key_is_read_in_semitones(text, semitones):
    fields, _ = lexicon.parse(text)
    assert fields.get("transpose") == semitones, text
    assert fields["reference"] == "last" and fields["action"] == "vary", fields


@pytest.mark.parametrize(
    "text",
    [
        "take it up a notch",
        "step it up",
        "speed it up",
        "a piano tone that is warmer",
        "a calm loop in C major",
        "turn it down",
        "a fifth of the length",
    ],
)
def test_other_ups_and_downs_move_no_key(text):
    assert "transpose" not in lexicon.parse(text)[0], text


def test_a_chat_turn_moves_the_key_once_and_renders_back():
    last = {"mood": "calm", "section": "loop", "duration_s": 8.0, "layers": ["harmony"], "key": "C", "mode": "major"}
    merged, notes = merge("transpose it up a semitone", last)
    assert merged is not None and merged["transpose"] == 1 and "key" not in merged and merged["mode"] == "major"
    assert merged["action"] == "vary" and "key +1 semitones" in notes  # a new take: reuse would keep the key
    parsed, _ = lexicon.parse(render(merged))
    assert parsed["transpose"] == 1 and parsed["mode"] == "major", render(merged)
    after, _ = merge("darker", merged)  # the move is relative: the next turn does not move the key again
    assert after is not None and "transpose" not in after
    to_d, _ = merge("transpose it to D", last)
    assert to_d is not None and to_d["key"] == "D" and to_d["transpose"] == 0
    assert lexicon.parse(render(to_d))[0]["transpose"] == 0


def test_the_same_notes_sound_in_the_moved_key_and_register():
    assert shifted("C", 1) == ("C#", 0) and shifted("C", -1) == ("B", -1) and shifted("A", 5) == ("D", 1)
    assert nearest_move("A", "D") == 5 and nearest_move("C", "G") == -5 and nearest_move("C", "F#") == 6
    brief = {"mood": "calm", "duration_s": 8.0}
    ref = compose(brief, "harmony", "loop", seed=4, params={"key": "C", "mode": "major", "tempo_bpm": 80.0})
    for n in (-1, 1, 5, -7):
        key, octave = shifted("C", n)
        moved = compose(
            brief, "harmony", "loop", seed=4, params={"key": key, "mode": "major", "tempo_bpm": 80.0, "octave": octave}
        )
        assert [(a.part, a.start) for a in ref.notes] == [(b.part, b.start) for b in moved.notes]
        assert {b.pitch - a.pitch for a, b in zip(ref.notes, moved.notes)} == {n}, n


def test_a_said_key_or_tempo_is_a_hard_limit_on_reuse():
    brief = {"key": "D", "mode": "minor", "tempo_bpm": 90.0, "explicit": ["key", "mode", "tempo_bpm"]}
    assert breaks_said(brief, "harmony", {"key": "A", "mode": "minor", "tempo_bpm": 90.0})  # a fifth away
    assert breaks_said(brief, "harmony", {"key": "F", "mode": "major", "tempo_bpm": 90.0})  # its relative major
    assert breaks_said(brief, "harmony", {"key": "D", "mode": "major", "tempo_bpm": 90.0})
    assert breaks_said(brief, "rhythm", {"key": "A", "mode": "minor", "tempo_bpm": 96.0})  # 6.7 % off
    assert breaks_said(brief, "harmony", {"key": "D", "mode": "minor", "tempo_bpm": 91.0}) is None
    assert breaks_said(brief, "rhythm", {"key": "A", "mode": "minor", "tempo_bpm": 180.0}) is None  # drums: no key
    assert breaks_said({"key": "D", "explicit": []}, "harmony", {"key": "A"}) is None  # a key nobody said


def test_a_different_key_is_the_clip_a_fourth_up():
    """ "try a different key" kept the last clip's key (B minor): a new take in the same key. It moves the clip's
    music a fourth up now; a key named ("change the key to E") still goes to that key."""
    last = {"mood": "tense", "section": "build", "duration_s": 16.0, "layers": ["harmony"], "key": "B", "mode": "minor"}
    for text in ("try a different key", "in another key", "change the key"):
        m, _ = merge(text, last)
        assert m is not None and (m["transpose"], m.get("key"), m["action"]) == (5, None, "vary"), text
    m, _ = merge("change the key to E", last)
    assert m is not None and (m["key"], m["transpose"]) == ("E", 0)
