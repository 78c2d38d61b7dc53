"""The data-driven lexicon: numbers in words and other languages, units that are not layers,
genre words, several sections, variations, references and relative tempo."""

from __future__ import annotations

import pytest

from sonicgrid.agents.intake import rules_intake
from sonicgrid.agents.lexicon import normalize_numbers, parse


@pytest.mark.parametrize(
    "text,expect",
    [
        ("haz una intro melancólica de 10 segundos", {"mood": "moody", "section": "intro", "duration_s": 10.0}),
        ("une intro sombre de dix secondes", {"mood": "moody", "duration_s": 10.0}),
        ("eine ruhige Einleitung, zwanzig Sekunden", {"mood": "calm", "section": "intro", "duration_s": 20.0}),
        ("half a minute, ninety beats per minute", {"duration_s": 30.0, "tempo_bpm": 90.0}),
        ("a minute and a half of tense strings", {"duration_s": 90.0, "mood": "tense"}),
        ("three quarters of a minute of calm piano", {"duration_s": 45.0, "mood": "calm"}),  # was 60 s
        ("a 3/4 minute loop", {"duration_s": 45.0, "section": "loop"}),  # was 240 s ("4 minute")
        ("a quarter of a minute", {"duration_s": 15.0}),
        ("a happy loop that sounds like the 80s", {"mood": "happy", "style": "synthwave"}),  # no 80 s clip
        ("forty-five seconds of something dreamy", {"duration_s": 45.0, "mood": "dreamy"}),
        ("un bucle enérgico a cien bpm", {"tempo_bpm": 100.0, "mood": "energetic", "section": "loop"}),
        ("veinte y cinco segundos, tranquilo", {"duration_s": 25.0, "mood": "calm"}),
        ("quatre-vingt-dix bpm, une boucle", {"tempo_bpm": 90.0, "section": "loop"}),
        ("una intro en la menor", {"key": "A", "mode": "minor"}),
        ("an outro in Bb major", {"key": "Bb", "mode": "major"}),
        ("calm music, 2 min 30 s", {"duration_s": 150.0, "mood": "calm"}),
        ("a nervous pulse, 1:30 long", {"duration_s": 90.0, "mood": "tense"}),
        ("a tense build-up, one minute and a half", {"duration_s": 90.0, "section": "build"}),
        ("two and a half minutes of ambient", {"duration_s": 150.0}),
        ("1m30s of something hopeful", {"duration_s": 90.0, "mood": "happy"}),
        ("dark ambient drone, no rhythm, 1 min 30", {"duration_s": 90.0, "mood": "moody"}),
        ("a loop of 2 minutes 15, calm", {"duration_s": 135.0, "section": "loop"}),
        ("a 2 minute 90 bpm track", {"duration_s": 120.0, "tempo_bpm": 90.0}),
        ("uplifting music with claps, 128 bpm", {"layers": ["harmony", "rhythm"], "tempo_bpm": 128.0}),
        ("a 15 second sting for a youtube video, exciting", {"mood": "energetic", "section": "intro"}),
        ("a slow blues in E", {"style": "blues", "mood": "moody", "key": "E"}),
        ("vaporwave loop, dreamy, slowed", {"style": "synthwave", "section": "loop"}),
        ("epic trailer music with drums at 140", {"tempo_bpm": 140.0, "mood": "epic"}),
        ("a sorrowful cello elegy", {"mood": "moody"}),
        ("spooky halloween soundscape", {"mood": "tense"}),
        ("a victorious fanfare", {"mood": "epic"}),
    ],
)
def test_numbers_languages_keys(text, expect):
    fields, _ = parse(text)
    for k, v in expect.items():
        assert fields.get(k) == v, (text, k, fields)


def test_beats_per_minute_is_a_unit_not_drums():
    brief, _ = rules_intake("half a minute, ninety beats per minute")
    assert brief.tempo_bpm == 90 and "rhythm" not in brief.layers and brief.duration_s == 30


def test_genre_words_map_to_the_brief():
    lofi, _ = parse("a lo-fi loop")
    assert lofi["style"] == "lofi" and lofi["mood"] != "calm" and lofi["brightness"] < 0
    assert parse("a cinematic intro")[0]["mood"] == "epic"
    trap, _ = parse("a trap beat with 808s, 8 seconds")
    assert trap["style"] == "trap" and trap["duration_s"] == 8.0 and "rhythm" in trap["layers"]
    house, _ = parse("four on the floor at 124 bpm")
    assert house["style"] == "house" and house["tempo_bpm"] == 124.0
    # a mood word wins over the style's mood
    assert parse("a sad lo-fi loop")[0]["mood"] == "moody"


def test_several_sections_and_their_length():
    brief, _ = rules_intake("a calm intro and outro")
    assert brief.sections == ["intro", "outro"] and brief.duration_s == 24.0
    brief, _ = rules_intake("a 60 s piece: intro, loop, outro")
    assert brief.section_list() == ["intro", "loop", "outro"] and brief.duration_s == 60.0
    # a weak section word does not add a section
    assert rules_intake("a moody intro with a beat")[0].section_list() == ["intro"]


@pytest.mark.parametrize(
    "text,expect",
    [
        ("two different dreamy intros, 10 seconds", {"variations": 2, "mood": "dreamy", "section": "intro"}),
        ("give me 3 happy loops", {"variations": 3, "mood": "happy"}),
        ("dos intros tristes", {"variations": 2, "mood": "moody", "section": "intro"}),
        ("8 bars of loops", {"bars": 8}),  # a length, not a count
        ("16 bars loops", {"bars": 16}),
    ],
)
def test_a_count_of_clips_is_as_many_takes(text, expect):
    """ "two dreamy intros" made one intro; a number before plural clips is the takes asked for."""
    fields, _ = parse(text)
    assert {k: fields.get(k) for k in expect} == expect
    assert "variations" in expect or "variations" not in fields


def test_variations_and_explicit_fields():
    brief, _ = rules_intake("render three variations of a happy loop in G major at 120 bpm, 6 seconds")
    assert brief.variations == 3
    assert {"tempo_bpm", "key", "mode", "duration_s", "variations"} <= set(brief.explicit)
    assert rules_intake("a few versions of a calm loop")[0].variations == 3
    assert "tempo_bpm" not in rules_intake("a calm loop")[0].explicit


def test_references_to_earlier_work():
    f, _ = parse("an outro that resolves the intro we made, same key")
    assert f["reference"] == "last" and f["reference_section"] == "intro" and f["same"] == ["key"]
    assert f["section"] == "outro" and "sections" not in f  # the intro is referred to, not made
    f, found = parse("like the last one but slower, no drums")
    assert f["reference"] == "last" and f["tempo_change"] < 1 and f["exclude"] == ["rhythm"]
    assert "tempo_bpm" in found


def test_number_words_do_not_eat_words():
    assert normalize_numbers("the last one") == "the last one"
    assert "808" not in normalize_numbers("808s and a bass").replace(" ", "")
    assert parse("a 90s hip hop beat")[0].get("duration_s") is None


def test_drumless_and_negations_in_other_languages():
    assert parse("a drumless jazz loop")[0]["exclude"] == ["rhythm"]
    assert parse("un bucle sin batería")[0]["exclude"] == ["rhythm"]
    assert parse("une boucle sans batterie")[0]["exclude"] == ["rhythm"]
    for text in ("a percussion-free ambient bed", "drum free calm guitar", "a jazzy loop w/o drums"):
        f, _ = parse(text)
        assert f["exclude"] == ["rhythm"] and "rhythm" not in f.get("layers", []), (text, f)
    assert "exclude" not in parse("a carefree summer tune")[0]


def test_longer_of_an_earlier_clip_extends_it():
    f, _ = parse("can you make it 10 seconds longer")
    assert (f["action"], f["reference"], f["duration_s"]) == ("extend", "last", 10.0)
    assert "action" not in parse("a longer intro, 20 seconds")[0]
    assert parse("like the last one but longer and darker")[0]["action"] == "vary"


def test_a_key_said_and_the_article_a():
    assert "key" not in parse("a loop in a dreamy style")[0]
    f, _ = parse("something sad in a minor key")
    assert "key" not in f and f["mode"] == "minor"
    assert parse("a song in a minor")[0].get("key") == "A"
    assert parse("a loop in a flat major")[0]["key"] == "Ab"
    assert parse("a jazz loop, key of F")[0]["key"] == "F"
    f, _ = parse("a piece in a minor key, in D")
    assert (f["key"], f["mode"]) == ("D", "minor")


def test_numbers_that_are_not_lengths_or_tempos():
    assert "tempo_bpm" not in parse("a loop at 30 seconds")[0]
    assert parse("a loop at 30 seconds")[0]["duration_s"] == 30.0
    assert "tempo_bpm" not in parse("louder at 100%")[0]
    assert parse("a 1:30 track for the show at 3:00 pm")[0]["duration_s"] == 90.0


def test_a_word_said_not_to_be_wanted_is_not_asked_for():
    f, _ = parse("happy but not too fast")
    assert f["mood"] == "happy" and "tempo_bpm" not in f and "tempo_change" not in f
    assert "mood" not in parse("not sad")[0]
    f, _ = parse("nothing too dark, cheerful")
    assert f["mood"] == "happy" and "brightness" not in f
    assert parse("it shouldn't be too slow, 20 seconds")[0].get("tempo_bpm") is None
    assert parse("I don't want drums, just a calm pad")[0]["exclude"] == ["rhythm"]
    # the same words, asked for
    assert parse("a fast, dark loop")[0]["tempo_bpm"] == 140 and parse("a dark loop")[0]["brightness"] < 0


def test_phrasings_of_tempo_key_and_places():
    assert parse("120-bpm house loop")[0]["tempo_bpm"] == 120.0
    f, _ = parse("tempo 85, key Dm, moody")
    assert (f["key"], f["mode"], f["tempo_bpm"]) == ("D", "minor", 85.0)
    f, _ = parse("something spooky for a haunted house")
    assert f["mood"] == "tense" and "style" not in f
    assert parse("deep house at 124")[0]["style"] == "house"
    assert "section" not in parse("a sleepy bedtime melody")[0]  # "bed" (a loop) is a whole word
    assert parse("an ambient bed")[0]["section"] == "loop"
    assert parse("fourty seconds of calm piano")[0]["duration_s"] == 40.0
    for text, mood in [
        ("medieval tavern music, lively", "energetic"),
        ("an intro, punchy", "energetic"),
        ("something like Hans Zimmer, dramatic", "epic"),
        ("suspenseful strings", "tense"),
    ]:
        assert parse(text)[0].get("mood") == mood, text


def test_keys_said_plainly_and_italian():
    for text, key, mode in [
        ("A Moody Intro, 10s, 90BPM, Am", "A", "minor"),
        ("calm outro, 96 bpm, g minor", "G", "minor"),
        ("b flat major, happy", "Bb", "major"),
        ("happy, C, 120 bpm", "C", None),
    ]:
        f, _ = parse(text)
        assert (f.get("key"), f.get("mode")) == (key, mode), text
    assert "key" not in parse("the band played a minor hit")[0]
    assert "key" not in parse("I am making a loop, A, B or C?")[0]  # options, not a key
    assert parse("a loop, F#m, A or B")[0]["key"] == "F#"  # a chord symbol is still a key
    f, _ = parse("un'introduzione malinconica di 10 secondi, senza batteria")
    assert (f["section"], f["mood"], f["duration_s"], f["exclude"]) == ("intro", "moody", 10.0, ["rhythm"])


def test_a_reader_may_not_fill_a_mood_the_text_turned_down():
    from sonicgrid.agents.intake import merge_llm_fields

    fields, found = parse("I don't want anything sad, 20 seconds")
    assert found["not_mood"] == "moody" and "mood" not in fields
    merged, used = merge_llm_fields(dict(fields), found, {"mood": "moody", "section": "loop"})
    assert "mood" not in merged and used == ["section"]
    merged, used = merge_llm_fields(dict(fields), found, {"mood": "calm"})
    assert merged["mood"] == "calm"


def test_a_tempo_beyond_the_composer_is_read_at_half_or_double_time():
    f, found = parse("a loop at 400 bpm")
    assert f["tempo_bpm"] == 200.0 and "half-time" in found["tempo_bpm"]
    assert parse("300bpm gabber")[0]["tempo_bpm"] == 150.0
    assert parse("a drone at 20 bpm")[0]["tempo_bpm"] == 40.0
    f, found = parse("dnb at 174 bpm")
    assert f["tempo_bpm"] == 174.0 and found["tempo_bpm"] == "174 bpm"


def test_ranges_and_field_forms():
    assert parse("an outro about 10-15 seconds")[0]["duration_s"] == 12.5  # the middle of a range
    assert parse("a loop between 20 and 30 seconds")[0]["duration_s"] == 25.0
    assert parse("120-130 bpm house")[0]["tempo_bpm"] == 125.0
    f, _ = parse("bars: 8, bpm: 100, mood: happy")
    assert (f["bars"], f["tempo_bpm"], f["mood"]) == (8, 100.0, "happy")
    f, _ = parse("mood=dark, length=20s, tempo=90")
    assert (f["duration_s"], f["tempo_bpm"], f["mood"]) == (20.0, 90.0, "moody")
    assert parse("duration: 1.5 min, calm")[0]["duration_s"] == 90.0
    assert parse("a 2-minute epic build")[0]["duration_s"] == 120.0  # a hyphen, not a range


def test_each_sections_length_adds_up():
    assert rules_intake("an intro (5 s) and an outro (10 s)")[0].duration_s == 15.0
    assert rules_intake("an intro of 10 seconds and an outro of 20 seconds")[0].duration_s == 30.0
    b, _ = rules_intake("a 4 bar intro and an 8 bar loop at 120 bpm")
    assert b.duration_s == 24.0 and b.section_list() == ["intro", "loop"]  # 12 bars at 120
    assert rules_intake("intro and outro, 20 seconds")[0].duration_s == 20.0  # one length: the whole
    assert rules_intake("spend 9999 seconds on an intro and outro, 3 seconds")[0].duration_s == 3.0


def test_an_occasion_sets_the_mood_only_when_no_mood_is_said():
    for text, mood in [
        ("a fight scene, tense", "tense"),  # the fight's epic was read first before
        ("a wedding, but sad", "moody"),
        ("a wedding", "tender"),
        ("a horror trailer", "tense"),
        ("boss fight music!!!", "epic"),
        ("Christmas jingle, festive", "happy"),
    ]:
        assert parse(text)[0].get("mood") == mood, text


def test_more_styles_are_read():
    for text, style, mood in [
        ("an 8-bit chiptune level theme", "chiptune", "happy"),
        ("reggae loop", "reggae", "happy"),
        ("dubstep drop, aggressive", "dubstep", "energetic"),
        ("banjo and fiddle hoedown", "country", "happy"),
        ("bossa nova for a cafe scene", "jazz", "calm"),
        ("bass heavy club track", "house", "energetic"),
    ]:
        f, _ = parse(text)
        assert (f.get("style"), f.get("mood")) == (style, mood), text


def test_hours_are_read_and_one_length_each_is_per_section():
    """ "10 hours" was not read and made a default-length clip without a word; now it is out of range (an
    error that says so). "4 s each" for two sections was 4 s for both."""
    assert parse("a loop lasting 10 hours")[0]["duration_s"] == 36000.0
    assert parse("an intro and an outro, 4 s each")[0]["duration_s"] == 8.0
    assert parse("an intro and an outro, 4 bars each")[0]["bars"] == 8
    assert parse("an intro and an outro, 10 seconds")[0]["duration_s"] == 10.0  # one length for all: the whole


def test_stingers_and_transitions_name_their_section():
    assert parse("a short stinger for a logo reveal")[0]["section"] == "intro"
    assert parse("an ident, 4 seconds")[0]["section"] == "intro"
    assert parse("a transition between scenes, 5 seconds")[0]["section"] == "build"
    assert parse("an outro with a transition")[0]["section"] == "outro"  # a weak word never outvotes a strong one


@pytest.mark.parametrize(
    "text, key, mode",
    [
        ("a mysterious loop in D dorian", "D", "minor"),
        ("a lydian dream in F", "F", "major"),
        ("phrygian", None, "minor"),
    ],
)
def test_a_church_mode_is_read_as_the_scale_it_shares_its_third_with(text, key, mode):
    """'in D dorian' read the key and no mode before: the mood's palette chose one (a tense palette, minor; a happy
    one would have played D major)."""
    fields, found = parse(text)
    assert (fields.get("key"), fields["mode"]) == (key, mode) and found["mode"] in text


def test_the_eighties_are_a_decade_not_eighty_seconds():
    assert "duration_s" not in parse("make it sound like the 80s")[0]
    assert "duration_s" not in parse("a synth loop from the 1980s")[0]


@pytest.mark.parametrize(
    "text,step",
    [
        ("I'd like it 10 bpm faster", 10.0),
        ("slower by 8 bpm", -8.0),
        ("+12 bpm", 12.0),
        ("speed it up by 15 bpm", 15.0),
    ],
)
def test_a_tempo_step_is_not_a_tempo(text, step):
    """ "I'd like it 10 bpm faster" was a tempo of 10 (folded up to 40 bpm); it is a step on the clip's tempo."""
    fields, _ = parse(text)
    assert fields.get("tempo_delta") == step and "tempo_bpm" not in fields


def test_a_tempo_out_of_range_is_played_as_the_same_beat_and_said():
    """ "a loop at 500 bpm" played 125 bpm without a word to the user; the plan's notes now say it."""
    from sonicgrid.session.followup import render

    fields, _ = parse("a loop at 500 bpm")
    assert fields["tempo_bpm"] == 125.0
    assert fields["unplayed"] == ["500 bpm is played as 125 bpm (the same beat, 4x)"]
    again, _ = parse(render(fields))  # a chat turn's request says it back and reads the same
    assert again["tempo_bpm"] == 125.0 and again["unplayed"] == fields["unplayed"]
