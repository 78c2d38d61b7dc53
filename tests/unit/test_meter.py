"""'a waltz', 'in 3/4': bars of three beats. Before, the words were not read and every clip was in 4/4."""

from __future__ import annotations

import pytest

from sonicgrid.agents import lexicon
from sonicgrid.graph import loops
from sonicgrid.graph.cell_common import breaks_said
from sonicgrid.session.followup import merge, render
from sonicgrid.tools.generators.composer import compose


@pytest.mark.parametrize(
    "text, beats",
    [
        ("a tender waltz with piano", 3),
        ("make it in 3/4", 3),
        ("a calm loop in three four time", 3),
        ("a 3/4 piano piece, 16 bars", 3),
        ("a minuet for strings", 3),
        ("make it 4/4 again", 4),
        ("a march in common time", 4),
    ],
)
def test_a_meter_said_is_read_in_beats_per_bar(text, beats):
    assert lexicon.parse(text)[0].get("meter") == beats, text


@pytest.mark.parametrize("text", ["3/4 of a minute of calm piano", "a 3/4 minute loop", "a moody intro, 4 bars"])
def test_fractions_and_lengths_are_no_meter(text):
    assert "meter" not in lexicon.parse(text)[0], text


def test_a_waltz_is_composed_in_bars_of_three_beats():
    brief = {"mood": "tender", "duration_s": 12.0, "meter": 3}
    arr = compose(brief, "harmony", "loop", seed=5)
    beat = 60.0 / arr.tempo
    assert arr.meter == 3 and arr.seconds_per_bar == pytest.approx(3 * beat)
    assert arr.describe()["meter"] == 3
    bass = [n.start for n in arr.notes if n.part == "bass"]
    assert bass and all(abs(s / arr.seconds_per_bar - round(s / arr.seconds_per_bar)) < 1e-6 for s in bass)
    on_beats = [n.start / beat for n in arr.notes if n.part != "keys"]
    assert all(abs(b * 2 - round(b * 2)) < 0.05 for b in on_beats)  # every part keeps to the 3/4 grid
    drums = compose(brief | {"mood": "energetic"}, "rhythm", "loop", seed=5)
    kicks = [n.start for n in drums.notes if n.pitch == 36]
    bar = drums.seconds_per_bar
    assert kicks and {round(k / bar % 1 * 12) % 12 for k in kicks} <= {0, 10}  # on 1 (a pickup 16ths before it)
    four = compose({"mood": "tender", "duration_s": 12.0}, "harmony", "loop", seed=5)
    assert (
        four.meter == 4
        and "meter" not in four.describe()
        and four.seconds_per_bar == pytest.approx(4 * 60 / four.tempo)
    )


def test_a_waltz_loop_is_whole_bars_of_three():
    seconds, tempo, how = loops.fit(8.0, 70.0, tempo_free=True, seconds_free=False, meter=3)
    assert seconds == 8.0 and "bars" in how
    bars = seconds * tempo / 60 / 3
    assert abs(bars - round(bars)) < 1e-6 and abs(tempo / 70 - 1) <= loops.MAX_NUDGE
    assert "half" not in loops.fit(9.0, 100.0, True, False, meter=3)[2]


def test_a_stem_in_another_meter_is_not_reused_for_a_beat_or_harmony():
    brief = {"explicit": [], "prompt": "x"}
    assert breaks_said(brief, "rhythm", {"tempo_bpm": 90}, meter=3)  # a 4/4 drum loop under a waltz
    assert breaks_said(brief, "harmony", {"meter": 3}, meter=4)
    assert breaks_said(brief, "atmosphere", {"meter": 3}, meter=4) is None  # a held pad keeps no bar
    assert breaks_said(brief, "rhythm", {"meter": 3}, meter=3) is None


def test_a_chat_turn_changes_the_meter_and_later_turns_keep_it():
    last = {"mood": "calm", "section": "loop", "duration_s": 8.0, "layers": ["harmony"]}
    merged, notes = merge("make it a waltz", last)
    assert merged is not None and merged["meter"] == 3 and merged["action"] == "vary" and "meter -> 3/4" in notes
    assert lexicon.parse(render(merged))[0]["meter"] == 3, render(merged)
    darker, _ = merge("darker", merged)
    assert darker is not None and darker["meter"] == 3
    back, _ = merge("make it 4/4 again", merged)
    assert back is not None and back["meter"] == 4


def test_a_tempo_said_moves_the_length_to_whole_bars_not_whole_beats():
    """8 s at 120 bpm is 16 beats: whole beats, but 5 1/3 bars of three. The length nobody said goes to 5 bars
    (before, a loop already whole in beats or half bars was kept: its downbeat moved at every repeat)."""
    seconds, tempo, how = loops.fit(8.0, 120.0, tempo_free=False, seconds_free=True, meter=3)
    assert (seconds, tempo) == (7.5, 120.0) and how.startswith("5 bars")
    assert loops.fit(8.0, 105.0, False, True)[0] == pytest.approx(4 * 240 / 105, abs=1e-3)  # not 7 half bars
    assert loops.fit(8.0, 105.0, False, False)[2] == "7 half bars at 105.0 bpm"  # both said: the user's word


def test_a_waltz_heard_at_its_dotted_or_bar_pulse_keeps_the_tempo_asked():
    """A 90 bpm waltz is often heard at 60 or 135 (its dotted half or the bar's pulse): in 4/4 that is a tempo
    off the brief, in 3/4 the same beat. Before, two of six waltzes with a tempo said were regenerated for it."""
    from sonicgrid.tools.analysts import honour

    heard = {"tempo_bpm": 60.0, "tempo_confidence": 0.9}
    assert honour.check({"tempo_bpm": 90.0}, "harmony", None, heard)["checks"]["tempo"]["ok"] is False
    assert honour.check({"tempo_bpm": 90.0, "meter": 3}, "harmony", None, heard)["checks"]["tempo"]["ok"] is True
    off = honour.check({"tempo_bpm": 90.0, "meter": 3}, "harmony", None, heard | {"tempo_bpm": 75.0})
    assert off["checks"]["tempo"]["ok"] is False


def test_six_eight_is_two_beats_of_three_eighths():
    assert lexicon.parse("an irish jig with flute")[0]["meter"] == 6
    assert lexicon.parse("a tender barcarolle in 6/8")[0]["meter"] == 6
    arr = compose({"mood": "calm", "duration_s": 12.0, "meter": 6}, "harmony", "loop", seed=3)
    calm4 = compose({"mood": "calm", "duration_s": 12.0}, "harmony", "loop", seed=3)
    assert arr.tempo == pytest.approx(calm4.tempo * 2 / 3, abs=1e-3)  # the mood's pace in dotted quarters
    eighth = arr.seconds_per_bar / 6
    assert arr.seconds_per_bar == pytest.approx(2 * 60 / arr.tempo)
    bass = {round((n.start % arr.seconds_per_bar) / eighth) for n in arr.notes if n.part == "bass"}
    assert bass == {0, 3}  # the root on each dotted beat
    assert loops.fit(8.0, 60.0, False, True, meter=6) == (8.0, 60.0, "4 bars at 60.0 bpm")
    assert loops.fit(7.0, 60.0, False, True, meter=6)[0] == 8.0  # 3.5 bars: to whole bars, no half bar


def test_a_waltz_of_held_strings_still_plays_the_bar():
    """'a tender waltz with strings' was a pad layer alone: held chords, no bar of three to hear."""
    assert lexicon.parse("a tender waltz with strings")[0]["layers"] == ["harmony", "atmosphere"]
    assert lexicon.parse("a calm loop with strings")[0]["layers"] == ["atmosphere"]  # no meter said: as before
    assert lexicon.parse("a waltz, just pads")[0]["layers"] == ["atmosphere"]  # only the pads: the user's word


def test_a_free_tempo_in_three_moves_a_little_further_to_whole_bars():
    """3/4 and 6/8 have no half bar to fall back on: a free tempo may move up to 20 % to whole bars before the loop
    settles for whole beats (6 s of a tender waltz at 70 bpm was 7 beats: the downbeat moved at every repeat)."""
    assert loops.fit(6.0, 70.0, True, False, meter=3) == (6.0, 60.0, "2 bars at 60.0 bpm")
    assert loops.fit(8.0, 75.0, True, True)[2] == "5 half bars at 75.0 bpm"  # 4/4 as before


def test_a_meter_not_played_is_said_and_twelve_eight_is_a_shuffle():
    """'in 7/8' was dropped without a word: the plan's notes say it plays 4/4 (sonicgrid make prints them)."""
    from sonicgrid.agents.intake import rules_intake
    from sonicgrid.graph import arrange
    from sonicgrid.tools.registry import default_registry

    brief, _ = rules_intake("a calm loop in 7/8, 4 seconds")
    assert brief.meter is None and brief.unplayed and brief.unplayed[0].startswith("7/8 is not a meter")
    _, info = arrange.plan(brief, 1, default_registry())
    assert brief.unplayed[0] in info["notes"]
    blues = lexicon.parse("a 12/8 blues")[0]
    assert blues["swing"] == 0.66 and "unplayed" not in blues and "meter" not in blues
    assert "unplayed" not in lexicon.parse("3/4 of a minute")[0] and "unplayed" not in lexicon.parse("in 2/4")[0]
