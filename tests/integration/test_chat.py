"""`sonicgrid chat` as a user types it: scripted stdin, no TTY, real graph runs, real library."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from chat_helpers import _chat, _decision_refs, _traces
from typer.testing import CliRunner

from sonicgrid.cli import app
from sonicgrid.session.followup import merge, render

SCRIPT = [
    "make a moody intro, 4 seconds",
    "darker",
    "make it 6 seconds",
    "add drums",
    "use the one from before but brighter",
    "extend it",
    "what did you decide and why?",
    "/budget",
    "/play",
    "/save keeper",
    "/undo",
    "/history",
]


def test_conversation_acts_on_the_right_clip(tmp_path):
    res = _chat(tmp_path, SCRIPT, "--session", "demo")
    assert res.exit_code == 0, res.output
    runs = _traces(tmp_path)
    assert len(runs) == 6
    clips = [r["result"]["clip_id"] for r in runs]
    briefs = [r["brief"] for r in runs]
    # every follow-up builds on the clip made just before it
    for prev, run in zip(clips, runs[1:]):
        assert _decision_refs(run) == {prev}
    assert briefs[1]["mood"] == "moody" and briefs[1]["brightness"] < 0 and briefs[1]["duration_s"] == 4
    assert briefs[2]["duration_s"] == 6 and briefs[2]["brightness"] < 0  # length changed, tone kept
    assert briefs[3]["layers"] == ["harmony", "rhythm"] and briefs[3]["duration_s"] == 6
    assert briefs[4]["brightness"] > briefs[3]["brightness"] and briefs[4]["action"] == "vary"
    assert briefs[4]["layers"] == ["harmony", "rhythm"] and briefs[4]["mood"] == "moody"
    ext = runs[5]
    # "extend it" on a clip with drums is the same music played longer, both layers to the end (tests of
    # test_chat_turns); a clip of one layer is still continued (the decision suite's extend scenario)
    assert ext["brief"]["action"] == "vary" and {"harmony", "rhythm"} <= set(ext["brief"]["layers"])
    assert ext["result"]["duration_s"] > 6.0 + 4.0  # the earlier clip played on, not a new 6 s one
    # judged as the continued clip it is (the earlier 6 s + 6 s more), not as a 6 s clip that came out too long
    assert ext["result"]["score"] >= 5.0, ext["result"]["score"]
    assert "regenerate" not in {v["choice"] for v in ext["verdicts"] if v["agent"] == "gatekeeper"}
    out = res.output
    # the explanation comes from the last run's trace: every verdict's agent, choice and reason
    for v in ext["verdicts"]:
        assert f"{v['agent']}" in out and v["reason"][:40] in out
    assert "this session spent" in out
    assert "keeper.wav" in out and (tmp_path / "out" / "keeper.wav").is_file()
    assert ("played" in out) or (runs[5]["result"]["path"] in out)
    assert f"undid turn 6 ('extend it'): {clips[5]} is out of the library" in out
    from sonicgrid.config import Settings
    from sonicgrid.memory.library import ClipLibrary

    lib = ClipLibrary(Settings(data_dir=tmp_path / "data").library_dir)
    assert lib.get(clips[5]) is None and lib.get(clips[4]) is not None
    assert f"5. 'use the one from before but brighter' -> {clips[4]}" in out


def test_a_turn_after_an_extension_keeps_the_extended_length(tmp_path):
    """'twice as long' extends a 3 s clip to 6 s; the next turn builds on that 6 s clip, not on the 3 s new part
    its brief asked for (it made a 3 s clip before)."""
    res = _chat(tmp_path, ["a calm loop, 3 seconds, 90 bpm", "twice as long", "make it 20% faster"])
    assert res.exit_code == 0, res.output
    runs = _traces(tmp_path)
    assert [r["result"]["duration_s"] for r in runs[:2]] == [3.0, 6.0]
    assert runs[2]["brief"]["duration_s"] == 6.0 and "20% faster" in runs[2]["request"]


def test_a_length_in_bars_is_read_at_the_clips_tempo(tmp_path):
    res = _chat(tmp_path, ["a calm loop, 3 seconds, 120 bpm", "make it 4 bars"])
    assert res.exit_code == 0, res.output
    runs = _traces(tmp_path)
    assert runs[1]["brief"]["duration_s"] == 8.0 and runs[1]["result"]["duration_s"] == 8.0  # 4 bars at 120 bpm


def test_commands_said_in_words_are_the_commands(tmp_path):
    res = _chat(tmp_path, ["a calm loop, 3 seconds", "save it as first", "undo that", "play it"])
    assert res.exit_code == 0, res.output
    assert len(_traces(tmp_path)) == 1  # no clip was made for the three words
    assert "first.wav" in res.output and "undid turn 1" in res.output and "nothing to play yet" in res.output
    res = _chat(tmp_path, ["a calm loop, 3 seconds", "happier", "go back to the previous version"])
    assert res.exit_code == 0, res.output
    assert "undid turn 2 ('happier')" in res.output and len(_traces(tmp_path)) == 3


def test_whole_mix_asks_remix_the_clip_and_cleanup_says_what_was_done(tmp_path):
    """ "make it louder" and "more reverb" re-master the last clip (they made a new clip "like the last one"
    before, which the Decision agent reused: nothing changed); "clean it up" says what every clip went through."""
    import soundfile as sf

    from sonicgrid.tools.analysts.features import loudness_lufs

    res = _chat(tmp_path, ["a calm loop with drums, 4 seconds", "make it louder", "more reverb", "clean it up"])
    assert res.exit_code == 0, res.output
    assert len(_traces(tmp_path)) == 1  # nothing regenerated
    remixes = sorted((tmp_path / "out").rglob("remixes/remix-*.json"))
    assert len(remixes) == 2
    loud, wet = (json.loads(p.read_text()) for p in remixes)
    assert loud["finish"] == {"loudness_db": 2.0, "space": 1.0} and wet["finish"] == {"loudness_db": 2.0, "space": 1.6}
    from sonicgrid.audio import read

    assert abs(loudness_lufs(read(loud["path"])) + 12.0) < 0.6 and sf.info(wet["path"]).frames > 0
    out = " ".join(res.output.split())
    assert "master at -12 LUFS" in out and "already through the finishing chain" in out and "more reverb" in out


def test_try_again_makes_a_new_take(tmp_path):
    res = _chat(tmp_path, ["a calm loop, 3 seconds", "try again"])
    assert res.exit_code == 0, res.output
    first, again = _traces(tmp_path)
    assert again["brief"]["action"] == "vary" and _decision_refs(again) == {first["result"]["clip_id"]}
    assert {v["choice"] for v in again["verdicts"] if v["agent"] == "decision"} == {"generate"}  # it reused before
    import soundfile as sf

    a, b = (sf.read(r["result"]["path"])[0] for r in (first, again))
    assert a.shape != b.shape or float(abs(a - b).max()) > 0.01


def test_session_resumes_by_id_in_a_new_process(tmp_path):
    first = _chat(tmp_path, ["make a calm loop, 3 seconds"], "--session", "s1")
    assert first.exit_code == 0, first.output
    env = dict(os.environ, SONICGRID_DATA_DIR=str(tmp_path / "data"))
    cmd = [sys.executable, "-m", "sonicgrid.cli", "chat", "--out", str(tmp_path / "out"), "--session", "s1"]
    second = subprocess.run(cmd, input="darker\n/history\n", capture_output=True, text=True, env=env, timeout=240)
    assert second.returncode == 0, second.stderr
    assert "resumed: 1 turns" in second.stdout
    runs = _traces(tmp_path)
    assert len(runs) == 2
    assert runs[1]["brief"]["mood"] == "calm" and runs[1]["brief"]["section"] == "loop"
    assert runs[1]["brief"]["duration_s"] == 3 and runs[1]["brief"]["brightness"] < 0
    assert _decision_refs(runs[1]) == {runs[0]["result"]["clip_id"]}
    assert "2. 'darker'" in second.stdout


def test_approve_pauses_and_honours_the_answer(tmp_path):
    res = _chat(tmp_path, ["make a calm loop, 3 seconds", "yes", "make it 8 seconds", "no"], "--approve")
    assert res.exit_code == 0, res.output
    assert res.output.count("soundfont-composer for cell 0") == 2
    ok, refused = _traces(tmp_path)
    human = [v for v in ok["verdicts"] if v["agent"] == "human"]
    # one question per grid cell (a calm loop: harmony + atmosphere), the same answer for each
    assert human and {v["choice"] for v in human} == {"approve"} and ok["result"]["status"] == "ok"
    assert {v["choice"] for v in refused["verdicts"] if v["agent"] == "human"} == {"deny"}
    assert not [c for c in refused["tool_calls"] if c["role"] == "generator"]
    # refused compute: the best reuse candidates win, or nothing is made
    if refused["result"]["status"] == "ok":
        assert {c["decision"] for c in refused["cells"] if c.get("path")} == {"reuse"}
    else:
        assert "declined" in refused["result"]["message"]


@pytest.mark.slow
def test_chat_in_llm_mode(tmp_path):
    """The agents' brain is the packaged Gemma 3 270M through llama.cpp; the chat works the same."""
    res = _chat(tmp_path, ["make a calm loop, 2 seconds", "what did you decide and why?"], "--brain", "llm")
    assert res.exit_code == 0, res.output
    (run,) = _traces(tmp_path)
    brains = {v["brain"] for v in run["verdicts"]}
    assert brains <= {"llm", "llm-fallback"} and "llm" in brains
    for v in run["verdicts"]:
        assert v["choice"] in v["allowed"]  # the LLM chose inside the limits code set
        assert f"{v['agent']}" in res.output and v["reason"][:30] in res.output


def test_open_question_survives_the_process(tmp_path):
    """Leave while the approval question is open; the resumed session asks again and finishes the run."""
    first = _chat(tmp_path, ["make a calm loop, 3 seconds"], "--approve", "--session", "q")
    assert "[y/n]" in first.output and not _traces(tmp_path)
    second = _chat(tmp_path, ["y", "/history"], "--approve", "--session", "q")
    assert second.output.count("[y/n]") == 1 and "1. 'make a calm loop, 3 seconds' -> clip_" in second.output
    (run,) = _traces(tmp_path)
    human = [v["choice"] for v in run["verdicts"] if v["agent"] == "human"]
    assert run["result"]["status"] == "ok" and human and set(human) == {"approve"}  # one per grid cell


def test_unknown_command_and_question_before_any_clip(tmp_path):
    res = _chat(
        tmp_path, ["/frobnicate", "why did you decide that?", "/undo", "make a calm loop, 9999 seconds", "/history"]
    )
    assert res.exit_code == 0
    assert "error: duration 9999s is out of range" in res.output and "no turns yet" in res.output
    assert "unknown command /frobnicate" in res.output
    assert "nothing decided yet" in res.output and "nothing to undo" in res.output


@pytest.mark.parametrize(
    "fields",
    [
        {
            "mood": "tense",
            "section": "build",
            "duration_s": 16.0,
            "layers": ["atmosphere", "rhythm"],
            "brightness": -0.6,
        },
        {
            "mood": "happy",
            "section": "full",
            "duration_s": 30.0,
            "layers": ["rhythm"],
            "tempo_bpm": 128.0,
            "key": "F#",
            "mode": "minor",
            "reference": "last",
            "action": "extend",
        },
        {
            "mood": "dreamy",
            "section": "outro",
            "duration_s": 2.5,
            "layers": ["harmony", "texture"],
            "key": "Eb",
            "mode": "major",
            "brightness": 0.6,
            "reference": "last",
            "action": "vary",
        },
    ],
)
def test_rendered_request_parses_back_to_the_merged_fields(fields):
    from sonicgrid.agents import lexicon

    parsed, _ = lexicon.parse(render(fields))
    for k, v in fields.items():
        assert parsed.get(k) == v, (k, render(fields))


def test_new_subject_is_not_a_follow_up():
    assert merge("make an epic outro", {"mood": "moody", "section": "intro", "layers": ["harmony"]})[0] is None
    merged, _notes = merge(
        "without drums", {"mood": "moody", "section": "intro", "duration_s": 12.0, "layers": ["harmony", "rhythm"]}
    )
    assert merged["layers"] == ["harmony"] and merged["reference"] == "last"


def test_a_turn_that_moves_the_key_replays_the_music_there(tmp_path):
    """'up a semitone' reused the clip unchanged before; now every note of clip.mid moves by one semitone at the
    same time, and the heard key follows. 'make it in A minor' after a D major clip reuses no D major stem."""
    import pretty_midi

    lines = ["a calm piano loop in C major, 4 seconds", "transpose it up a semitone", "make it in A minor"]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    first, up, minor = _traces(tmp_path)
    assert up["brief"]["transpose"] == 1 and up["seed"] == first["seed"]
    assert {v["choice"] for v in up["verdicts"] if v["agent"] == "decision"} == {"generate"}
    assert "now in C# major" in " ".join(res.output.split())

    def notes(run):
        pm = pretty_midi.PrettyMIDI(str(tmp_path / "out" / run["run_id"] / "clip.mid"))
        return sorted((round(n.start, 3), i.name, n.pitch) for i in pm.instruments for n in i.notes)

    a, b = notes(first), notes(up)
    assert len(a) == len(b) > 10 and [x[:2] for x in a] == [x[:2] for x in b]
    assert {y[2] - x[2] for x, y in zip(a, b)} == {1}
    harmony = next(c for c in up["cells"] if c["cell"]["layer"] == "harmony")
    assert (harmony["analysis"]["key"], harmony["analysis"]["mode"]) == ("C#", "major")
    reused = [c for c in minor["cells"] if c["decision"] == "reuse" and c["cell"]["layer"] != "rhythm"]
    assert not reused, [(c["cell"]["layer"], c["source_id"]) for c in reused]


def test_questions_about_the_clip_describe_it_and_a_remix_undone_keeps_the_clip(tmp_path):
    """ "what key is it in?" and "how long is it?" made a new clip each before; they describe the last one now
    (as re-mixed, when it was). Undoing a re-mix took the re-mixed clip out of the library; it stays now."""
    lines = [
        "what key is it in?",
        "a calm loop in C major, 4 seconds",
        "what key is it in?",
        "how long is it?",
        "make it louder",
        "how loud is it?",
        "undo that",
        "how loud is it?",
        "make it louder",  # from the mix the conversation is on: -12 LUFS again, not -10 over the undone one
        "how loud is it?",
    ]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    (run,) = _traces(tmp_path)  # one clip, for the one request
    clip = run["result"]["clip_id"]
    out = " ".join(res.output.split())
    assert "no clip yet" in out and out.count(f"{clip}: 4.0 s calm loop") == 5, out
    assert "in C major (composed in it)" in out and "mastered to -14.0 LUFS" in out
    assert "keys (Electric Piano 1)" in out  # a part and the GM instrument that plays it
    assert "re-mixed (master loudness +2.0 dB)" in out and "mastered to -12.0 LUFS" in out
    assert "the re-mix remix-1.wav is set aside" in out
    assert out.rindex("mastered to -14.0 LUFS") > out.index("set aside") > out.index("mastered to -12.0 LUFS")
    assert out.rindex("mastered to -12.0 LUFS") > out.rindex("mastered to -14.0 LUFS") and "-10.0 LUFS" not in out
    ls = CliRunner().invoke(app, ["library", "ls", "--json"], env={"SONICGRID_DATA_DIR": str(tmp_path / "data")})
    assert clip in {r["id"] for r in json.loads(ls.stdout)}


def test_fades_are_put_on_the_master_not_made_anew(tmp_path):
    import numpy as np
    import soundfile as sf

    res = _chat(tmp_path, ["a calm loop, 6 seconds", "fade it out", "and a 1 second fade in"])
    assert res.exit_code == 0, res.output
    (run,) = _traces(tmp_path)
    out, sr = sf.read(run["result"]["path"])
    fades = sorted((tmp_path / "out").rglob("remixes/remix-*.wav"))
    assert len(fades) == 2

    def rms_db(x, a, b):
        return 20 * np.log10(np.sqrt(np.mean(x[int(a * sr) : int(b * sr)] ** 2)) + 1e-9)

    faded_out, both = (sf.read(p)[0] for p in fades)
    assert rms_db(faded_out, 5.7, 6.0) < rms_db(out, 5.7, 6.0) - 15  # the last 0.3 s: faded to near silence
    assert abs(rms_db(faded_out, 0, 0.3) - rms_db(out, 0, 0.3)) < 1.0  # the start as it was
    assert rms_db(both, 0, 0.2) < rms_db(out, 0, 0.2) - 10 and rms_db(both, 5.7, 6.0) < rms_db(out, 5.7, 6.0) - 15
    assert "fade in 1 s, fade out 3 s" in " ".join(res.output.split())


def test_a_variation_picked_is_the_clip_the_conversation_goes_on_with(tmp_path):
    """ "I like the second one" made a new clip before (the best variation reused); now the variation is picked,
    nothing is made, and "the third one but darker" builds on the third."""
    lines = [
        "3 variations of a calm loop, 3 seconds",
        "I like the second one",
        "what key is it in?",
        "the third one but darker",
        "/undo",
        "/undo",
    ]
    res = _chat(tmp_path, lines)
    assert res.exit_code == 0, res.output
    first, darker = _traces(tmp_path)  # two runs: the variations, and the darker take
    vs = first["result"]["variations"]
    assert len(vs) == 3
    out = " ".join(res.output.split())
    second, third = vs[1], vs[2]
    assert f"going on with variation 2 of 3: {second['clip_id']}" in out
    assert f"{second['clip_id']}: 3.0 s calm loop; in {second['key']} {second['mode']}" in out
    assert f"going on with variation 3 of 3: {third['clip_id']}" in out
    assert _decision_refs(darker) == {third["clip_id"]} and darker["brief"]["brightness"] < 0
    assert f"variation 3 ({third['clip_id']}) is no longer the one gone on with" in out
    ls = CliRunner().invoke(app, ["library", "ls", "--json"], env={"SONICGRID_DATA_DIR": str(tmp_path / "data")})
    assert {second["clip_id"], third["clip_id"]} <= {r["id"] for r in json.loads(ls.stdout)}
