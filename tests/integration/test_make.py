"""End-to-end: the graph in the rules brain, outputs, errors, reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sonicgrid import audio as aio
from sonicgrid.errors import UserError
from sonicgrid.graph.run import make
from sonicgrid.tools.analysts.features import loudness_lufs
from sonicgrid.tools.enhancers.master import true_peak_dbfs

# A clean environment is a fresh user's, but a test must not leave a warm worker behind (test_worker.py
# covers SONICGRID_WORKER=auto).
NO_WORKER = {"SONICGRID_WORKER": "off"}

AGENT_ORDER = ["intake", "decision", "cost_guardian", "gatekeeper", "continuity"]


def test_moody_intro_end_to_end(settings):
    s = make("make a moody intro", settings, seed=1)
    res = s["result"]
    assert res["status"] == "ok"
    clip = aio.read(res["path"])
    assert 8.0 <= clip.duration <= 20.0, "an intro is a short clip, not a song"
    assert clip.channels == 2
    assert abs(loudness_lufs(clip) - settings.target_lufs) <= 0.5
    assert true_peak_dbfs(clip.samples) <= settings.true_peak_dbfs + 0.1
    agents = [v["agent"] for v in s["verdicts"]]
    assert agents[0] == "intake" and agents[1:5] == AGENT_ORDER[1:]  # each grid cell runs the agent loop
    assert len({v["cell"] for v in s["verdicts"] if v["cell"] is not None}) >= 3  # a grid, not one cell
    for v in s["verdicts"]:
        assert {"choice", "confidence", "reason", "evidence"} <= set(v) and v["reason"]
        assert v["choice"] in v["allowed"]
    side = json.loads(Path(res["path"]).with_suffix(".json").read_text())
    assert side["brief"]["mood"] == "moody" and side["brief"]["section"] == "intro"
    assert side["seed"] == 1 and side["tool_calls"] and side["models"]["langgraph"]
    assert {t["node"] for t in side["timings"]} >= {"intake", "recall", "decide", "act", "analyze", "finish"}
    # the trace is also kept under the data dir, and the run was checkpointed
    assert (settings.traces_dir / f"{s['run_id']}.json").exists()
    assert settings.checkpoint_path.exists()


def test_same_seed_same_clip(settings, tmp_path):
    a = make("calm loop", settings, seed=7, out=tmp_path / "a")
    settings2 = settings.model_copy(update={"data_dir": tmp_path / "other"})
    b = make("calm loop", settings2, seed=7, out=tmp_path / "b")
    x, y = aio.read(a["result"]["path"]).samples, aio.read(b["result"]["path"]).samples
    assert x.shape == y.shape and np.allclose(x, y, atol=1e-4)
    c = make("calm loop", settings.model_copy(update={"data_dir": tmp_path / "third"}), seed=8, out=tmp_path / "c")
    z = aio.read(c["result"]["path"]).samples
    assert z.shape != x.shape or not np.allclose(x, z, atol=1e-3)


def _midi_pitches(run: dict) -> list[int]:
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(str(run["result"]["midi"]))
    return sorted(n.pitch for inst in pm.instruments for n in inst.notes)


def test_second_identical_request_reuses_from_library(settings):
    first = make("make a moody intro", settings, seed=1)
    second = make("make a moody intro", settings, seed=2)
    dec = next(v for v in second["verdicts"] if v["agent"] == "decision")
    assert dec["choice"] == "reuse"  # the first run's stem of the same layer (stems are library clips)
    from sonicgrid.graph.run import services_for

    rec = services_for(settings).library.get(dec["evidence"]["best_candidate"])
    assert rec["meta"]["run_id"] == first["run_id"] and rec["meta"]["layer"] == "harmony"
    assert not [t for t in second["tool_calls"] if t["role"] == "generator"]  # nothing was generated
    assert [t for t in first["tool_calls"] if t["role"] == "generator"]
    # the reused stems are judged on the analysis stored with them, not listened to again
    analysts = [t["tool"] for t in second["tool_calls"] if t["role"] == "analyst"]
    assert analysts and set(analysts) == {"library-analysis"}
    # the reused stems' composed notes come with them: clip.mid holds the same notes (pitches; times within
    # MIDI tick rounding at the new plan's tempo)
    a, b = _midi_pitches(first), _midi_pitches(second)
    assert b and a == b
    # ... and re-mixed into a clip that meets the loudness target
    assert abs(loudness_lufs(aio.read(second["result"]["path"])) - settings.target_lufs) <= 0.5
    # the same request and seed again: the same stems, placement and chain, so the master is the second
    # run's file (mix memory), not made again, and the clip is the same sound
    third = make("make a moody intro", settings, seed=2)
    assert [t["tool"] for t in second["tool_calls"] if t["role"] == "master"] == ["mixer+master-chain"]
    assert [t["tool"] for t in third["tool_calls"] if t["role"] == "master"] == ["mix-memory"]
    assert aio.digest_of(aio.read(third["result"]["path"])) == aio.digest_of(aio.read(second["result"]["path"]))
    gate = next(v for v in second["verdicts"] if v["agent"] == "gatekeeper")
    assert gate["evidence"]["score"] == pytest.approx(rec["meta"]["quality"], abs=0.01)


def test_layers_fan_out_into_cells(settings):
    s = make("energetic loop with drums, chords and a pad", settings, seed=3)
    layers = sorted(c["cell"]["layer"] for c in s["cells"])
    assert layers == ["atmosphere", "harmony", "rhythm"]
    assert s["result"]["status"] == "ok"
    assert {v["cell"] for v in s["verdicts"] if v["agent"] == "decision"} == {0, 1, 2}


def test_duration_flag_is_honoured(settings):
    s = make("make a moody intro", settings, duration=5.0)
    assert abs(aio.read(s["result"]["path"]).duration - 5.0) < 0.05


@pytest.mark.parametrize(
    "prompt,duration,msg",
    [
        ("", None, "empty prompt"),
        ("   ", None, "empty prompt"),
        ("make a loop", 0.1, "out of range"),
        ("make a loop", 10_000, "out of range"),
    ],
)
def test_bad_input_is_a_user_error_and_library_untouched(settings, prompt, duration, msg):
    with pytest.raises(UserError, match=msg):
        make(prompt, settings, duration=duration)
    assert not (settings.library_dir / "chroma").exists()


def test_cli_errors_are_one_line_exit_2(tmp_path):
    env = {"SONICGRID_DATA_DIR": str(tmp_path / "d"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **NO_WORKER}
    exe = [sys.executable, "-m", "sonicgrid.cli", "make"]
    for args in (
        ["", "-o", str(tmp_path / "o")],
        ["a loop", "--duration", "99999"],
        ["a loop", "-o", "/proc/nope/out"],
        ["a loop", "--brain", "psychic"],
    ):
        p = subprocess.run(exe + args, capture_output=True, text=True, env=env, timeout=120)
        assert p.returncode == 2, (args, p.stderr)
        lines = [ln for ln in p.stderr.strip().splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), p.stderr
        assert "Traceback" not in p.stderr


def test_missing_llm_model_is_a_clear_error(settings, tmp_path):
    s = settings.model_copy(update={"brain": "llm", "llm_model_path": tmp_path / "nope.gguf"})
    with pytest.raises(UserError, match="LLM model not found"):
        make("make a loop", s)
    assert not (settings.library_dir / "chroma").exists()


def test_cli_json_summary(tmp_path):
    env = {"SONICGRID_DATA_DIR": str(tmp_path / "d"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin", **NO_WORKER}
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "sonicgrid.cli",
            "make",
            "a calm loop",
            "--json",
            "--seed",
            "4",
            "-o",
            str(tmp_path / "o"),
            "--duration",
            "4",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["seed"] == 4 and data["result"]["status"] == "ok"
    assert Path(data["result"]["path"]).exists() and data["brief"]["mood"] == "calm"


def test_crashed_run_continues_from_its_checkpoint(settings, monkeypatch):
    """A crash in the finish stage loses nothing: --resume goes on without generating again."""
    from sonicgrid.graph import run as run_mod
    from sonicgrid.tools.enhancers import master as master_mod

    real = master_mod.master
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(master_mod, "master", flaky)
    with pytest.raises(UserError, match="--resume") as err:
        make("make a moody intro", settings, seed=2)
    run_id = str(err.value).split()[1]
    assert not (settings.library_dir / "chroma").exists() or run_mod.services_for(settings).library.count() == 0
    out = run_mod.continue_run(run_id, settings)
    assert out["result"]["status"] == "ok" and out["run_id"] == run_id
    gens = [t for t in out["tool_calls"] if t["role"] == "generator"]
    # every cell generated, and no (cell, attempt) twice: the cells' work before the crash was not redone
    # (a cell the gatekeeper sent back has a second attempt of its own)
    assert {g["cell"] for g in gens} == {c["index"] for c in out["plan"]}
    assert len(gens) == len({(g["cell"], g["attempt"]) for g in gens})
    with pytest.raises(UserError, match="already finished"):
        run_mod.continue_run(run_id, settings)
    with pytest.raises(UserError, match="no run"):
        run_mod.continue_run("nope", settings)


def test_an_instrument_said_is_in_the_clips_midi(settings):
    import pretty_midi

    s = make("a calm loop with a music box, 3 seconds", settings, seed=3)
    assert s["brief"]["instruments"] == ["music box"]
    programs = {i.program for i in pretty_midi.PrettyMIDI(str(s["result"]["midi"])).instruments if not i.is_drum}
    assert 10 in programs, programs


def test_a_loop_runs_on_from_its_end_into_its_start(settings):
    """A loop played end to start: no dip at the seam deeper than at its own half-bar lines (before, the stems
    faded out and in and the reverb was cut: 9-13 dB below the clip's level, against 2-4 dB inside), and its
    length whole bars, half bars or beats at its tempo (an 8 s loop at 82 bpm was 2.7 bars)."""
    s = make("a calm loop with drums", settings, seed=2)
    res = s["result"]
    x = aio.read(res["path"]).samples.mean(axis=1)
    sr, n = 44100, len(x)
    tempo = float(s["plan"][0]["params"]["tempo_bpm"])
    beats = n / sr * tempo / 60
    assert abs(beats - round(beats)) < 0.01, beats
    y = np.concatenate([x, x])
    env = np.sqrt(np.convolve(y**2, np.ones(882) / 882, "same"))
    level = float(np.median(env[:n]))

    def dip(i: int) -> float:
        return 20 * np.log10(env[i - 6615 : i + 6615].min() / level)

    inside = [dip(int(k * 120 / tempo * sr)) for k in range(1, int(n / sr * tempo / 120))]
    assert dip(n) > min(inside) - 2.0, (dip(n), inside)


def test_a_jig_is_written_and_heard_in_six_eight(settings):
    """'in 6/8' was not read (a 4/4 clip). Now the bar is two dotted-quarter beats of three eighths: clip.mid says
    6/8 with its bar lines on the composed bars, the kick falls on each bar's first eighth, the loop is whole bars,
    and the gate passes it with its tempo said."""
    import pretty_midi

    s = make("a calm 6/8 loop at 60 bpm with drums, 8 seconds", settings, seed=4)
    assert s["brief"]["meter"] == 6 and s["result"]["status"] == "ok"
    assert s["result"]["score"] >= 5.0 and not [v for v in s["verdicts"] if v["choice"] == "regenerate"]
    pm = pretty_midi.PrettyMIDI(str(s["result"]["midi"]))
    assert [(t.numerator, t.denominator) for t in pm.time_signature_changes] == [(6, 8)]
    bar = 2 * 60.0 / 60.0  # two dotted quarters at 60
    assert np.allclose(pm.get_downbeats()[:4], [0.0, bar, 2 * bar, 3 * bar], atol=1e-3)
    kicks = [n.start for i in pm.instruments if i.is_drum for n in i.notes if n.pitch == 36]
    assert kicks and all(abs(k / bar - round(k / bar)) < 1e-3 for k in kicks), kicks
    snares = [n.start for i in pm.instruments if i.is_drum for n in i.notes if n.pitch in (37, 38)]
    assert all(abs((k / bar) % 1 - 0.5) < 1e-3 for k in snares), snares  # on the second beat


def test_an_instrument_said_is_a_limit_on_reuse(settings):
    """After 'a calm loop' (an electric piano, a pad and a bass), 'a calm loop, just piano' reused that harmony
    stem: the piano said was no limit. Now it makes a piano alone, and the same request again may reuse that."""
    make("a calm loop, 3 seconds", settings, seed=5)
    solo = make("a calm loop, just piano, 3 seconds", settings, seed=6)
    cell = next(c for c in solo["cells"] if c["cell"]["layer"] == "harmony")
    assert cell["decision"] == "generate" and cell["meta"]["arrangement"]["parts"] == {"keys": 0, "bass": 0}
    again = make("a calm loop, just piano, 3 seconds", settings, seed=7)
    cell2 = next(c for c in again["cells"] if c["cell"]["layer"] == "harmony")
    assert cell2["decision"] == "reuse", cell2["decision"]  # the piano alone stands for itself
    from sonicgrid.graph.run import services_for

    stored = services_for(settings).library.get(cell2["source_id"])["meta"]["midi"]
    assert {(r[6], r[0]) for r in stored} == {("keys", 0), ("bass", 0)}


def test_strings_said_for_the_pads_are_played_not_painted(settings):
    """'a calm loop with strings' had no strings: 'strings' named the atmosphere layer, and the spectral painter
    made it (a painted pad plays no GM instrument). An atmosphere with an instrument said for its pad is the
    composer's now."""
    s = make("a calm loop with strings, 3 seconds", settings, seed=8)
    pad = next(c for c in s["cells"] if c["cell"]["layer"] == "atmosphere")
    assert pad["tool"] == "soundfont-composer" and pad["meta"]["arrangement"]["parts"]["pad"] == 48
    painted = make("a dreamy loop with pads, 3 seconds", settings, seed=8)  # nothing said of the pads: painted
    assert next(c for c in painted["cells"] if c["cell"]["layer"] == "atmosphere")["tool"] == "spectral-painter"
