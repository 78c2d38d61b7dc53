"""More chat turns as a user types them: meters, picks of earlier takes, what is wrong said, variations of the
last clip. Real graph runs, real library (the helpers: tests/chat_helpers.py)."""

from __future__ import annotations

from chat_helpers import _chat, _decision_refs, _traces


def test_a_waltz_asked_for_in_chat_is_in_three_and_stays_there(tmp_path):
    """'make it a waltz' was not read before: the next clip was 4/4 again. Now it is a new take in bars of three
    beats (clip.mid says 3/4; no 4/4 stem of the clip before is reused) and the next turn keeps the meter."""
    import pretty_midi

    lines = ["a calm piano loop with drums, 6 seconds", "make it a waltz", "darker", "what's the tempo?"]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    four, waltz, darker = _traces(tmp_path)
    assert waltz["brief"]["meter"] == 3 and waltz["brief"]["action"] == "vary"
    assert not [c for c in waltz["cells"] if c["decision"] == "reuse" and c["cell"]["layer"] in ("harmony", "rhythm")]
    for run in (waltz, darker):
        pm = pretty_midi.PrettyMIDI(str(tmp_path / "out" / run["run_id"] / "clip.mid"))
        assert [(t.numerator, t.denominator) for t in pm.time_signature_changes] == [(3, 4)]
        beat = 60.0 / float(run["plan"][0]["params"]["tempo_bpm"])
        kicks = [n.start for i in pm.instruments if i.is_drum for n in i.notes if n.pitch == 36]
        assert kicks and all(abs(k / (3 * beat) - round(k / (3 * beat))) < 0.02 for k in kicks), kicks
    pm4 = pretty_midi.PrettyMIDI(str(tmp_path / "out" / four["run_id"] / "clip.mid"))
    assert [(t.numerator, t.denominator) for t in pm4.time_signature_changes] == [(4, 4)]
    assert "in 3/4" in " ".join(res.output.split())


def test_the_first_one_after_takes_made_one_by_one_is_the_first_clip(tmp_path):
    """ "I prefer the first one" after "try again" made a new request before (it reused the closest clip); now the
    request's first take is the one gone on with (not the conversation's first clip: an epic intro before it is
    another request), nothing is made for the pick, and a pick of a take that is not there says so."""
    lines = [
        "an epic intro, 3 seconds",
        "a calm piano loop, 3 seconds",
        "try again",
        "I like the fifth one",
        "I prefer the first one",
        "darker",
        "/undo",
        "/undo",
    ]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    _epic, first, again, darker = _traces(tmp_path)  # no run for either pick
    out = " ".join(res.output.split())
    assert "there is no take 5 to pick: this request has 2 takes" in out
    clip1 = first["result"]["clip_id"]
    assert again["result"]["clip_id"] != clip1
    assert f"going on with take 1 of 2 of this request: {clip1}" in out
    assert _decision_refs(darker) == {clip1} and darker["brief"]["brightness"] < 0
    assert f"take 1 ({clip1}) is no longer the one gone on with" in out


def test_what_is_wrong_said_is_the_edit_and_bars_are_a_question(tmp_path):
    """'the drums are too loud' made a new clip before (it reused the last one whole) and 'how many bars is it?'
    made another. Now the first re-mixes the drums down and the second describes the clip: one run in all."""
    lines = ["a calm loop with drums, 4 seconds, 120 bpm", "the drums are too loud", "how many bars is it?"]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    assert len(_traces(tmp_path)) == 1  # the edit and the question made no run
    out = " ".join(res.output.split())
    assert "(quieter rhythm -4.0 dB), nothing regenerated" in out, out
    assert "120 bpm, 2 bars of 4/4" in out, out


def test_variations_asked_of_the_last_clip_are_takes_to_pick_from(tmp_path):
    """'give me three variations of it' made one clip before (the merge dropped the count, and the one clip reused
    the last); now three takes of it are made and 'the third one' picks among them. 'remove the drums' on a clip
    with no drums says so and makes nothing (before, a new clip)."""
    lines = ["a tense intro without drums, 4 seconds", "give me three variations of it", "the third one"]
    res = _chat(tmp_path, [*lines, "remove the drums"])
    assert res.exit_code == 0, res.output
    first, takes = _traces(tmp_path)
    assert takes["brief"]["reference"] == "last" and first["result"]["clip_id"] not in {
        v["clip_id"] for v in takes["result"]["variations"]
    }
    assert takes["brief"]["variations"] == 3 and takes["brief"]["action"] == "vary"
    vs = takes["result"]["variations"]
    assert len(vs) == 3 and len({v["clip_id"] for v in vs}) == 3
    assert {c["decision"] for c in takes["cells"]} == {"generate"}  # takes, not the last clip again
    out = " ".join(res.output.split())
    assert f"going on with variation 3 of 3: {vs[2]['clip_id']}" in out
    assert f"{vs[2]['clip_id']} has no drums (its stems:" in out


def test_loop_it_four_times_plays_the_loop_on_seamlessly(tmp_path):
    """'loop it 4 times' made a new 4 s loop before ("loop" named the section). Now the master is played four
    times end to end: four times as long, the joins no quieter than the loop's own body."""
    import numpy as np
    import soundfile as sf

    res = _chat(tmp_path, ["a calm loop with drums, 4 seconds", "loop it 4 times", "how long is it?"])
    assert res.exit_code == 0, res.output
    (run,) = _traces(tmp_path)
    one, _sr = sf.read(run["result"]["path"])
    (remixed,) = list((tmp_path / "out").rglob("remixes/remix-1.wav"))
    four, _ = sf.read(remixed)
    assert len(four) == 4 * len(one)
    env = np.sqrt(np.convolve((four**2).mean(axis=1), np.ones(2205) / 2205, "same"))
    body = float(np.median(env))
    for k in (1, 2, 3):  # around each join, no hole
        assert env[k * len(one) - 2205 : k * len(one) + 2205].min() > 0.3 * body
    assert "16.0 s calm loop" in " ".join(res.output.split())


def test_take_two_after_one_take_is_a_new_take(tmp_path):
    """'take 2' right after the first take made a new request that reused the first clip itself."""
    res = _chat(tmp_path, ["an epic build with drums, 4 seconds", "take 2", "the first one"])
    assert res.exit_code == 0, res.output
    first, second = _traces(tmp_path)
    assert {c["decision"] for c in second["cells"]} == {"generate"} and second["brief"]["action"] == "vary"
    assert f"going on with take 1 of 2 of this request: {first['result']['clip_id']}" in " ".join(res.output.split())


def test_small_talk_a_question_after_and_export_and_goodbye_make_no_clip(tmp_path):
    """In a coffee-shop session, "hey", "and what key?", "great, export it" and "thanks! bye" each made a new clip
    (four runs for one request), "the drums are a bit much" another. Now: a greeting is answered, the question
    describes, "a bit much" re-mixes the drums down, "export it" saves the re-mix beside the clip, and the goodbye
    ends the session (the line after it is never read)."""
    lines = [
        "hey",
        "a calm loop with drums, 3 seconds",
        "and what key?",
        "the drums are a bit much",
        "great, export it",
        "thanks! bye",
        "an epic intro, 3 seconds",
    ]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    (run,) = _traces(tmp_path)
    out = " ".join(res.output.split())
    clip = run["result"]["clip_id"]
    assert "hello: tell me what to make" in out
    assert f"{clip}: 3.0 s calm loop; in " in out  # the describe reply
    assert "quieter rhythm" in out
    saved = tmp_path / "out" / f"{clip}-remix-1.wav"
    assert saved.is_file() and f"saved {clip} (remix 1)" in out
    assert "bye: everything made is in the library" in out


def test_a_tempo_step_moves_the_clips_own_tempo(tmp_path):
    """ "I'd like it 10 bpm faster" after a 100 bpm loop made a 40 bpm clip (the 10 read as a tempo); it plays at
    110 now, a new take of the same clip, and a step down from there lands at 102."""
    lines = ["a happy loop with drums at 100 bpm, 3 seconds", "I'd like it 10 bpm faster", "slower by 8 bpm"]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    first, faster, slower = _traces(tmp_path)
    tempo = [float(r["plan"][0]["params"]["tempo_bpm"]) for r in (first, faster, slower)]
    assert tempo == [100.0, 110.0, 102.0], tempo
    assert _decision_refs(faster) == {first["result"]["clip_id"]} and faster["brief"]["action"] == "vary"


def test_hearing_the_previous_clip_and_fading_the_ending_make_no_clip(tmp_path):
    """ "let's hear the previous one" and "can you make the ending fade out?" each made a new clip (the second a
    fresh 12 s outro: "the ending" read as the section). Now the first plays (or names) the clip before the last,
    and the second fades the last clip's master out."""
    lines = [
        "a calm loop, 3 seconds",
        "a tense loop, 3 seconds",
        "let's hear the previous one",
        "can you make the ending fade out?",
    ]
    res = _chat(tmp_path, lines, env_extra={"PATH": "/nonexistent"})  # no player: the reply names the clip
    assert res.exit_code == 0, res.output
    calm, tense = _traces(tmp_path)
    out = " ".join(res.output.split())
    assert "the clip is " + str(tmp_path / "out" / calm["run_id"] / "clip.wav") in out
    assert f"re-mixed {tense['result']['clip_id']} from its stems" in out and "fade out 3 s" in out


def test_an_abrupt_start_fades_in_and_an_outro_matching_the_intro_builds_on_the_intro(tmp_path):
    """In a podcast session "nice but the start is too abrupt" made a fresh calm intro (the tense one lost), "and
    an outro that matches the intro" made an outro AND an intro built on the last clip (a sting), and "how many
    clips have I made?" a clip. Now the start fades in over 3 s, the outro answers the intro, and the question
    lists the session's clips."""
    lines = [
        "a tense intro, 8 seconds",
        "nice but the start is too abrupt",
        "now a short loop to go between segments, 3 seconds",
        "and an outro that matches the intro",
        "how many clips have I made?",
    ]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    intro, _sting, outro = _traces(tmp_path)
    out = " ".join(res.output.split())
    assert f"re-mixed {intro['result']['clip_id']} from its stems" in out and "fade in 3 s" in out
    assert outro["brief"]["section"] == "outro" and not outro["brief"].get("sections")
    assert _decision_refs(outro) == {intro["result"]["clip_id"]}
    assert "1. 'a tense intro, 8 seconds' -> " in out and "2. 'nice but the start is too abrupt' -> " in out


def test_which_take_is_better_and_what_changed_are_answered(tmp_path):
    """ "which one is better?" and "what did you change?" each made a new clip. The first now ranks the request's
    takes by the critic's score, the second explains the last run; neither makes anything."""
    lines = ["a calm loop, 3 seconds", "try again", "which one is better?", "what did you change?"]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    first, again = _traces(tmp_path)
    out = " ".join(res.output.split())
    for n, run in ((1, first), (2, again)):
        assert f"take {n} ({run['result']['clip_id']}) {run['result']['score']:.2f}/10" in out
    assert 'Say "the first one" or "take 2" to go on with one' in out
    assert f"For 'try again' (run {again['run_id']}) I read the request as" in out


def test_longer_plays_every_layer_to_the_end_and_keeps_the_music(tmp_path):
    """ "longer" on an epic loop with drums and a pad continued the chords alone: the drums and the pad stopped at
    the old end (clip.mid: they ended at 8 s of 16). Now the same music plays to the new length, note for note
    the same up to the old end, every part to the end."""
    import pretty_midi

    res = _chat(tmp_path, ["an epic loop with drums and pads, 4 seconds", "longer"])
    assert res.exit_code == 0, res.output
    first, longer = _traces(tmp_path)
    assert _decision_refs(longer) == {first["result"]["clip_id"]}
    end = first["result"]["duration_s"]
    assert longer["result"]["duration_s"] >= 2 * end - 0.05
    pms = [pretty_midi.PrettyMIDI(str(tmp_path / "out" / r["run_id"] / "clip.mid")) for r in (first, longer)]

    def notes(pm):
        return sorted((i.program, i.is_drum, round(n.start, 3), n.pitch) for i in pm.instruments for n in i.notes)

    before = notes(pms[0])
    assert [n for n in notes(pms[1]) if n[2] < end - 1e-3] == [n for n in before if n[2] < end - 1e-3]
    last_start = {(i.program, i.is_drum): max(n.start for n in i.notes) for i in pms[1].instruments}
    assert {k for k in last_start if k[1]} and all(t > end for t in last_start.values()), last_start
