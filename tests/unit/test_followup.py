"""Chat follow-ups merged over the last brief: tone turned by "less"/"not so", comparatives of a mood,
and the length words ("longer", "shorter", "longer and darker")."""

from __future__ import annotations

from sonicgrid.agents import lexicon
from sonicgrid.session.followup import merge, render, tone_delta

LAST = {"mood": "moody", "section": "intro", "duration_s": 12.0, "layers": ["harmony", "atmosphere"], "tempo_bpm": 80.0}


def _merged(text: str) -> dict:
    merged, _ = merge(text, LAST)
    assert merged is not None, text
    return merged


def test_less_dark_is_brighter_and_not_so_bright_darker():
    assert tone_delta("darker") < 0 < tone_delta("brighter")
    assert tone_delta("less dark") > 0 and tone_delta("not so dark please") > 0
    assert tone_delta("less bright") < 0 and tone_delta("it shouldn't be that bright") < 0
    assert _merged("less dark")["brightness"] > 0


def test_a_comparative_mood_keeps_the_rest_of_the_clip():
    for text, mood in [("happier", "happy"), ("a bit calmer", "calm"), ("more epic", "epic")]:
        m = _merged(text)
        assert (m["mood"], m["section"], m["duration_s"], m["reference"]) == (mood, "intro", 12.0, "last"), text


def test_longer_alone_extends_and_with_a_change_makes_a_longer_take():
    assert _merged("longer please")["action"] == "extend"
    m = _merged("make it 10 seconds longer")
    assert (m["action"], m["duration_s"]) == ("extend", 10.0)  # the new part
    m, notes = merge("like the last one but longer and darker", LAST)
    assert (m["action"], m["duration_s"]) == ("vary", 18.0) and m["brightness"] < 0
    assert "length -> 18s" in notes
    m, notes = merge("make it 10 seconds longer and brighter", LAST)
    assert (m["action"], m["duration_s"]) == ("vary", 22.0) and notes.count("length -> 22s") == 1
    assert len([n for n in notes if n.startswith("length")]) == 1


def test_shorter_is_two_thirds_and_a_said_length_wins():
    m = _merged("shorter")
    assert m["duration_s"] == 8.0 and m["action"] == "new" and m["reference"] == "last"
    assert _merged("make it 6 seconds")["duration_s"] == 6.0


def test_the_rendered_turn_reads_back_as_merged():
    for text in ("like the last one but longer and darker", "shorter", "less dark", "happier", "longer please"):
        m = _merged(text)
        parsed, _ = lexicon.parse(render(m))
        for k in ("mood", "duration_s", "reference", "brightness"):
            assert parsed.get(k) == m.get(k), (text, k, render(m))
        assert parsed.get("action", "new") == m["action"], text


def test_twice_and_half_as_long_percent_tempo_and_fewer():
    m, notes = merge("twice as long", LAST)
    assert (m["action"], m["duration_s"]) == ("extend", 12.0) and "length -> 24s" in notes  # 12 s more
    m = _merged("double the length and darker")
    assert (m["action"], m["duration_s"]) == ("vary", 24.0)
    assert _merged("half as long")["duration_s"] == 6.0
    m = _merged("make it 20% faster")
    assert m["tempo_change"] == 1.2 and lexicon.parse(render(m))[0]["tempo_change"] == 1.2
    assert _merged("10% slower please")["tempo_change"] == 0.9
    assert "rhythm" not in _merged("less drums")["layers"]  # it was added
    for text, mood in [("similar but happier", "happy"), ("give me an energetic version", "energetic")]:
        m = _merged(text)
        assert (m["mood"], m["section"], m["reference"]) == (mood, "intro", "last"), text
    assert merge("3 versions of a calm loop", LAST)[0] is None  # a new request


def test_complaints_and_interjections():
    m = _merged("hmm, too slow")
    assert m["tempo_change"] > 1 and "tempo_bpm" not in m  # "too slow" asks for faster
    assert _merged("too fast")["tempo_change"] < 1
    assert _merged("too dark")["brightness"] > 0
    assert _merged("too long")["duration_s"] < LAST["duration_s"]
    assert _merged("too short")["action"] == "extend"
    m = _merged("that's great, now an outro to match")
    assert (m["section"], m["mood"], m["reference"]) == ("outro", "moody", "last")
    assert _merged("perfect, make a matching outro")["section"] == "outro"
    assert _merged("no drums").get("exclude") == ["rhythm"]  # "no" without its comma is a negation
    assert _merged("no, darker")["brightness"] < 0


def test_everything_but_in_a_turn_is_only_that():
    m = _merged("remove everything but the pads")
    assert m["layers"] == ["atmosphere"]


def test_a_retry_is_a_new_take_of_the_same_brief():
    """ "try again" made "like the last one", and the Decision agent reused the clip the user turned down."""
    for text in ("try again", "another one", "I don't like it, try again", "nope, different", "a variation of it"):
        m = _merged(text)
        assert (m["action"], m["mood"], m["duration_s"]) == ("vary", "moody", 12.0), text
        assert lexicon.parse(render(m))[0]["action"] == "vary", text
    assert _merged("one more time but sadder")["action"] == "vary"
    assert _merged("use the one from before")["action"] == "new"  # the clip itself
    assert _merged("extend it again")["action"] == "extend"


def test_tempo_said_as_a_verb():
    for text, change in [
        ("speed it up", 1.15),
        ("drop the tempo", 0.85),
        ("slow it down a bit", 0.85),
        ("half time", 0.5),
        ("double time", 2.0),  # was not read
    ]:
        m = _merged(text)
        assert m["tempo_change"] == change and "tempo_bpm" not in m, text
        # a take at the new tempo, never the clip again (half time read as "new" reused it: half/double time is
        # the same beat to reuse's tempo match)
        assert m["action"] == "vary", text
    assert "rhythm" in _merged("drop the drums")["exclude"]  # a layer after "drop the" is still dropped


def test_bars_and_added_lengths_in_a_turn():
    """ "make it 16 bars" changed nothing (bars were dropped in the merge); "add 5 seconds" made a 5 s clip."""
    m = _merged("make it 16 bars")
    assert m["bars"] == 16 and "duration_s" not in m and lexicon.parse(render(m))[0]["bars"] == 16
    m = _merged("another 8 bars")
    assert (m["action"], m["bars"]) == ("extend", 8)
    for text in ("add 5 seconds", "5 seconds more"):
        m = _merged(text)
        assert (m["action"], m["duration_s"]) == ("extend", 5.0), text
    assert _merged("add drums")["action"] == "new"
    assert _merged("twice as fast")["tempo_change"] == 2.0 and _merged("half speed")["tempo_change"] == 0.5
    assert _merged("more treble")["brightness"] > 0 > _merged("too harsh")["brightness"]


def test_a_style_in_a_turn_is_kept_over_the_last_clip():
    """ "make it lofi" made a dreamy clip with no lo-fi in it (the style was dropped in the merge)."""
    m = _merged("make it lofi")
    assert (m["style"], m["mood"]) == ("lofi", "moody")  # the clip's own mood; the style's is only a default
    assert "texture" in m["layers"] and m["brightness"] < 0
    back, _ = lexicon.parse(render(m))
    assert (back["style"], back["mood"], back["section"]) == ("lofi", "moody", "intro")
    assert _merged("in the style of jazz")["style"] == "jazz"
    assert _merged("make it lofi and happier")["mood"] == "happy"


def test_follow_ups_in_the_other_languages_build_on_the_clip():
    """ "más oscuro" and "rends-le plus joyeux" were fresh requests: a default loop, the intro and length lost."""
    for text, mood, darker in [
        ("más oscuro", "moody", True),
        ("plus sombre", "moody", True),
        ("hazlo más alegre", "happy", False),
        ("rends-le plus joyeux", "happy", False),
    ]:
        m = _merged(text)
        assert (m["mood"], m["section"], m["duration_s"]) == (mood, "intro", 12.0), text
        assert (m.get("brightness", 0) < 0) == darker, text
    assert merge("una intro alegre", LAST)[0] is None  # a new subject of its own


def test_the_section_the_last_clip_is_names_that_clip():
    """ "make the intro longer" after an intro extends it; it was a fresh intro of the default length."""
    m = _merged("make the intro longer")
    assert (m["action"], m["section"], m["reference"]) == ("extend", "intro", "last")
    m = _merged("make that intro darker")
    assert m["action"] == "vary" and m["brightness"] < 0 and m["duration_s"] == 12.0
    merged, _ = merge("make the outro longer", LAST)  # another section: a request of its own
    assert merged is None


def test_the_same_but_warmer_and_a_louder_master_said_other_ways():
    """'the same but as an outro' was a fresh request, 'make it warmer' the tender mood (a tone: darker), and
    'lower the volume' / 'perfect, save it' were not read as the re-mix and the command they are."""
    from sonicgrid.session import remix
    from sonicgrid.session.followup import without_interjection
    from sonicgrid.session.turn_kind import _SAID_COMMAND

    outro = _merged("the same but as an outro")
    assert outro["section"] == "outro" and outro["mood"] == LAST["mood"] and outro["reference"] == "last"
    warmer = _merged("make it warmer")
    assert warmer["brightness"] < 0 and warmer["mood"] == LAST["mood"]
    assert [e.op for e in remix.parse("lower the volume")] == ["loudness"]
    said = _SAID_COMMAND.match(without_interjection("perfect, save it"))
    assert said is not None and said.group(1) == "save"


def test_an_outro_after_an_intro_is_as_long_as_the_intro():
    """ "a tense intro, 10 seconds", then "now a matching outro" made a 12 s outro (the section's default)."""
    intro = LAST | {"duration_s": 10.0}
    assert merge("now a matching outro", intro)[0]["duration_s"] == 10.0
    assert merge("now an outro", LAST | {"duration_s": 18.0})[0]["duration_s"] == 18.0
    assert merge("now an intro", LAST | {"section": "outro", "duration_s": 6.0})[0]["duration_s"] == 12.0  # too short
    assert merge("now the loop", intro)[0]["duration_s"] == 8.0  # another section: its own length


def test_too_much_of_a_mood_turns_away_from_it():
    """ "it is too energetic" and "not so happy" asked for the very mood they complain of (energetic, happy), and
    "too much energy" was a fresh request; each now turns the other way and builds on the clip."""
    happy = LAST | {"mood": "happy"}
    for text, mood in [
        ("it is too energetic", "calm"),
        ("too much energy", "calm"),
        ("not so happy", "calm"),
        ("a bit too tense", "calm"),
        ("too sad", "happy"),
        ("way too calm", "energetic"),
    ]:
        m, _ = merge(text, happy)
        assert m is not None and (m["mood"], m["reference"]) == (mood, "last"), text


def test_seconds_taken_off_are_taken_off_the_clip():
    """ "make it 2 seconds shorter" made a 2 s clip; a length taken off is that much off the last clip's."""
    build = LAST | {"duration_s": 16.0}
    for text, seconds in [
        ("make it 2 seconds shorter", 14.0),
        ("shorter by 4 seconds", 12.0),
        ("cut 3 seconds", 13.0),
        ("make it shorter, 10 seconds", 10.0),  # a length said with "shorter" is the length
    ]:
        m, _ = merge(text, build)
        assert m is not None and m["duration_s"] == seconds, text


def test_praise_and_going_back_after_a_complaint_are_no_request():
    """ "I love it" made a tender clip (love: tender) and "that one is worse, go back" a new clip."""
    from sonicgrid.session.turn_kind import _GO_BACK, _SOCIAL

    assert _SOCIAL.match("I love it!") and _SOCIAL.match("amazing, thanks") and not _SOCIAL.match("love it, but darker")
    assert _GO_BACK.match("that one is worse, go back") and not _GO_BACK.match(
        "go back to the intro and make it darker"
    )


def test_goodbyes_and_swap_without_the():
    """ "that's it for today" made a clip, and "swap ukulele for marimba" kept the ukulele (a guitar) beside the
    marimba; with "the" it swapped."""
    from sonicgrid.session.turn_kind import goodbye

    assert goodbye("that's it for today") and goodbye("ok thanks, that is all") and not goodbye("thanks!")
    last = LAST | {"instruments": ["guitar"]}
    for text in ("swap ukulele for marimba", "swap the ukulele for a marimba", "replace guitar with marimba"):
        m, _ = merge(text, last)
        assert m is not None and m["instruments"] == ["marimba"], text


def test_asking_for_the_stems_describes_the_clip():
    """ "can I get the stems?" made a new clip; it is a question about the clip (its files, stems and clip.mid)."""
    from sonicgrid.session.turn_kind import classify

    assert classify("can I get the stems?")[0] == "describe" and classify("could we have the midi")[0] == "describe"
    assert classify("can I get a darker version")[0] == "produce"
