"""The pretrained ears on real recordings (Debian game soundtracks, hydrogen kits) and on our renders.

Recordings come from `make music-data` (wesnoth-1.16-music, hyperrogue-music, hydrogen-drumkits); each test
skips with the reason when its package is absent. Recordings used here are in the test split of
benchmarks/ears_data.py (the critic and heads never trained on them), except where noted."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import musicnn_net
from sonicgrid.tools.analysts.base import AnalysisRequest
from sonicgrid.tools.analysts.degrade import DEGRADATIONS, degrade
from sonicgrid.tools.analysts.ears import PretrainedEars, hear_musicnn, missing

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import ears_data as data

pytestmark = pytest.mark.skipif(bool(missing()), reason=f"pretrained ears not installed: {missing()}")
WESNOTH = data.SOURCES["wesnoth"]
HYPER = data.SOURCES["hyperrogue"]


def _recording(path: Path, start: float, seconds: float) -> Audio:
    if not path.exists():
        pytest.skip(f"{path} absent: run `make music-data` (Debian music packages)")
    return _cut(path, start, seconds)


def _cut(path: Path, start: float, seconds: float) -> Audio:
    import soundfile as sf

    with sf.SoundFile(str(path)) as f:
        f.seek(int(start * f.samplerate))
        x = f.read(int(seconds * f.samplerate), dtype="float32", always_2d=True)
        return Audio(x, f.samplerate)


def _top(tags: np.ndarray, labels: tuple[str, ...], n: int) -> list[str]:
    return [labels[i] for i in np.argsort(-tags)[:n]]


def test_musicnn_tags_name_what_plays_on_real_recordings():
    strings = _recording(WESNOTH / "elvish-theme.ogg", 30.0, 30.0)  # a string-orchestra theme
    hunt = _recording(HYPER / "hr-domina-hunting.ogg", 30.0, 30.0)  # drums and flute (dev split)
    s = hear_musicnn(strings.mono(), strings.sr)
    h = hear_musicnn(hunt.mono(), hunt.sr)
    assert {"strings", "violin", "classical"} & set(_top(s["mtt_tags"], musicnn_net.MTT_LABELS, 3))
    assert "drums" in _top(h["mtt_tags"], musicnn_net.MTT_LABELS, 3)
    drums = musicnn_net.MTT_LABELS.index("drums")
    assert h["mtt_tags"][drums] > 3 * s["mtt_tags"][drums]
    assert s["msd_embedding"].shape == (200,) and not np.allclose(s["msd_embedding"], h["msd_embedding"])


@pytest.fixture(scope="module")
def ears():
    return PretrainedEars()


def test_the_gate_passes_a_clean_recording_and_fails_its_degradations(ears):
    clean = _recording(WESNOTH / "battle.ogg", 40.0, 8.0)  # test split
    brief = {"mood": "epic", "prompt": "battle music"}
    ok = ears.run(AnalysisRequest(audio=clean, brief=brief)).quality
    assert ok["critic"]["score"] >= 5.0, ok["critic"]
    failed = []
    for kind in DEGRADATIONS:  # the canonical setting of every kind
        bad = Audio(degrade(clean.stereo().samples, clean.sr, kind, seed=3), clean.sr)
        q = ears.run(AnalysisRequest(audio=bad, brief=brief)).quality
        failed += [kind] if q["critic"]["score"] < 5.0 else []
    # every kind fails but the two the critic is known to miss at times (docs/ears.md: a phase vocoder's
    # artefacts and 20 dB of white noise under bright music); the rest must all fail
    assert set(DEGRADATIONS) - set(failed) <= {"noise_20db", "time_stretch"}, sorted(set(DEGRADATIONS) - set(failed))


def test_a_recording_that_starts_late_fails_and_its_own_quiet_start_does_not(ears):
    """A render that starts late (the first 35 % silent, then the music abruptly): the mirror of the truncated
    render, and a hard limit (critic.LIMITS, measured outside the trees); the whole track passes."""
    clean = _recording(WESNOTH / "battle.ogg", 40.0, 8.0)  # test split
    x = clean.stereo().samples
    late = np.zeros_like(x)
    late[int(0.35 * len(x)) :] = x[: len(x) - int(0.35 * len(x))]
    q = ears.run(AnalysisRequest(audio=Audio(late, clean.sr), brief={"mood": "epic"})).quality
    assert q["critic"]["score"] < 5.0 and "starts late (silent first third)" in q["critic"]["limits"], q["critic"]
    whole = _recording(WESNOTH / "battle.ogg", 0.0, 30.0)  # the track's own start, 1.8 s of silence
    q = ears.run(AnalysisRequest(audio=whole, brief={"mood": "epic"})).quality
    assert "starts late (silent first third)" not in q["critic"]["limits"], q["critic"]


def test_the_gate_fails_degradations_at_settings_drawn_at_random(ears):
    clean = _recording(HYPER / "hr3-jungle.ogg", 20.0, 6.0)  # test split
    ok = ears.run(AnalysisRequest(audio=clean, brief={"mood": "tense"})).quality
    assert ok["critic"]["score"] >= 5.0, ok["critic"]
    kinds = ("noise_10db", "dropouts", "lowpass_1k", "quantise_8bit", "clipping", "stuck_note", "truncated")
    for kind in kinds:
        bad = Audio(degrade(clean.stereo().samples, clean.sr, kind, seed=11, vary=True), clean.sr)
        q = ears.run(AnalysisRequest(audio=bad, brief={"mood": "tense"})).quality
        assert q["critic"]["score"] < 5.0, (kind, q["critic"])


def test_sparse_drum_stems_and_composer_renders_pass_the_gate(ears):
    """The composer's own clips are good audio: a sparse 3 s calm drum stem (mostly silence between hits),
    a pad layer, a full mix (render seeds >= 100: the test split)."""
    for mood, layers, seconds, seed in (
        ("calm", ("rhythm",), 3.0, 100),
        ("calm", ("rhythm",), 3.0, 107),
        ("tender", ("rhythm",), 3.0, 103),
        ("dreamy", ("atmosphere",), 3.0, 104),
        ("happy", ("rhythm", "harmony"), 6.0, 105),
    ):
        audio, _ = data.render(mood, layers, seed, seconds)
        brief = {"mood": mood, "layers": list(layers)}
        q = ears.run(AnalysisRequest(audio=audio, brief=brief, layer=layers[0], duration_s=seconds)).quality
        assert q["critic"]["score"] >= 5.0, (mood, layers, seed, q["critic"])


def test_drums_heard_on_a_full_mix_and_a_no_drums_brief_is_violated(ears):
    with_drums, _ = data.render("energetic", ("rhythm", "harmony"), 205, 6.0)
    without, _ = data.render("calm", ("harmony", "atmosphere"), 205, 6.0)
    yes = ears.run(AnalysisRequest(audio=with_drums, brief={"mood": "energetic", "layers": ["rhythm", "harmony"]}))
    no = ears.run(AnalysisRequest(audio=without, brief={"mood": "calm", "layers": ["harmony", "atmosphere"]}))
    assert yes.tags["drums"] > 0.5 > no.tags["drums"]
    asked_none = {"mood": "energetic", "layers": ["harmony"], "exclude": ["rhythm"]}
    v = ears.run(AnalysisRequest(audio=with_drums, brief=asked_none, layer="harmony", duration_s=6.0)).quality
    assert v["brief_capped"] and v["score"] < 5.0 and any("drums" in x for x in v["brief"]["violations"])


def test_drums_heard_on_recorded_soundtracks(ears):
    """Test-split excerpts labelled by eye (benchmarks/recorded_drums.py): a drum part under keys in hyperrogue's
    savino-ivory (the drums head trained on our renders alone gave it P 0.07) and hr3-jungle's percussion read as
    drums; wesnoth's sad, strings and no percussion, as none."""
    cases = (
        (HYPER / "hr-savino-ivory.ogg", 0.65, True),
        (HYPER / "hr3-jungle.ogg", 0.3, True),
        (WESNOTH / "sad.ogg", 0.3, False),
    )
    if not all(p.exists() for p, _, _ in cases):
        pytest.skip("soundtracks absent: run `make music-data`")
    for path, at, drums in cases:
        audio = data.excerpt(path, at, 8.0)
        got = ears.run(AnalysisRequest(audio=audio, brief={"mood": "calm"})).tags["drums"]
        assert (got > 0.5) == drums, (path.name, at, got)


def test_recorded_drum_kit_loop_reads_as_drums(ears):
    loops = data.drum_loops("test")
    if not loops:
        pytest.skip("hydrogen-drumkits absent: run `make music-data`")
    name, audio, bpm = loops[0]
    got = ears.run(AnalysisRequest(audio=audio, brief={"mood": "energetic", "tempo_bpm": bpm}, layer="rhythm"))
    assert got.tags["drums"] > 0.5, name
    assert not got.quality["brief"]["violations"], got.quality["brief"]


def test_a_mono_file_is_judged_as_its_music_not_as_a_flaw(ears):
    """A mono file (one channel, or both the same) is not a flaw: a clean recording and a composer mix read
    as mono pass the gate, and mono copies of the recording's degradations still fail."""
    clean = _recording(WESNOTH / "battle.ogg", 40.0, 8.0)  # test split
    mono = Audio(clean.samples.mean(axis=1, keepdims=True), clean.sr)
    brief = {"mood": "epic", "prompt": "battle music"}
    ok = ears.run(AnalysisRequest(audio=mono, brief=brief)).quality
    assert ok["critic"]["score"] >= 5.0, ok["critic"]
    mix, _ = data.render("happy", ("rhythm", "harmony"), 105, 6.0)
    twin = Audio(np.repeat(mix.samples.mean(axis=1, keepdims=True), 2, axis=1), mix.sr)
    q = ears.run(AnalysisRequest(audio=twin, brief={"mood": "happy"}, layer="rhythm", duration_s=6.0)).quality
    assert q["critic"]["score"] >= 5.0, q["critic"]
    passed = []
    for kind in ("noise_10db", "dropouts", "lowpass_1k", "quantise_8bit", "clipping", "griffin_lim", "bare_tone"):
        bad = Audio(degrade(mono.stereo().samples, mono.sr, kind, seed=5), mono.sr)
        passed += [kind] if ears.run(AnalysisRequest(audio=bad, brief=brief)).quality["critic"]["score"] >= 5 else []
    assert passed == [], passed


def test_the_products_intros_pass_and_recordings_rephased_per_channel_mostly_fail(ears):
    """What the grid makes for an intro (the painter's texture rising from silence, a three-layer master through
    enhance -> mix -> master) is good audio, though its texture and reverb move the channels' phase (seeds no
    split uses); clean test recordings whose channels were each re-phased (fast Griffin-Lim, as librosa's) fail
    more often than not: 4 of 7 with the panned partials' phase steadiness, 2 of 7 without it (docs/ears.md)."""
    from sonicgrid.tools.analysts.degrade import griffin_lim_of

    for layers, produced, seed in (
        (("painted-texture",), False, 0),
        (("harmony", "atmosphere", "painted-texture"), True, 7),
    ):
        audio, _ = data.render("moody", layers, seed, 3.0, produced=produced, section="intro")
        q = ears.run(AnalysisRequest(audio=audio, brief={"mood": "moody"}, layer="texture", duration_s=3.0)).quality
        assert q["critic"]["score"] >= 5.0, (layers, q["critic"])
    recs = [(n, p) for n, p in data.recordings("test")[::3][:8] if n not in data.NOT_MUSIC]
    if len(recs) < 7:
        pytest.skip("music packages not installed: run `make music-data`")
    failed = []
    for name, path in recs:
        clean = data.excerpt(path, 0.65, 6.0).stereo()
        smeared = griffin_lim_of(32, 2048, True, 0.99)(clean.samples, clean.sr, np.random.default_rng(2))
        q = ears.run(AnalysisRequest(audio=Audio(smeared, clean.sr), brief={})).quality
        failed += [name] if q["critic"]["score"] < 5.0 else []
    assert len(failed) >= 3, failed


def test_a_loud_master_is_not_a_fault_but_clipping_is(ears):
    """A producer's loud master (9 dB into pedalboard's limiter: compressed, its peaks clipped at 0 dBFS,
    about -8 LUFS) is good audio; the same excerpt clipped 12 dB over a ceiling is not. Test recordings that
    the critic failed when mastered before it learnt loud masters (docs/ears.md)."""
    import pedalboard as pb

    recs = dict(data.recordings("test"))
    for name in ("wesnoth/loyalists", "wesnoth/siege_of_laurelmor"):
        if name not in recs:
            pytest.skip("music packages not installed: run `make music-data`")
        clean = data.excerpt(recs[name], 0.45, data.EXCERPT_S).stereo()
        board = pb.Pedalboard([pb.Gain(gain_db=9.0), pb.Limiter(threshold_db=-0.5)])
        loud = Audio(np.ascontiguousarray(board(np.ascontiguousarray(clean.samples.T), clean.sr).T), clean.sr)
        q = ears.run(AnalysisRequest(audio=loud, brief={})).quality
        assert q["critic"]["score"] >= 5.0, (name, q["critic"])
        clipped = Audio(degrade(clean.samples, clean.sr, "clipping", seed=3), clean.sr)
        q = ears.run(AnalysisRequest(audio=clipped, brief={})).quality
        assert q["critic"]["score"] < 5.0, (name, q["critic"])


def test_a_file_at_librosas_default_rate_is_heard_as_well(ears):
    """A file as librosa.load gives it (22.05 kHz, mono) has no band above 11 kHz, where the trees found most
    hiss: 10 dB of white noise and a 1 kHz low-pass made at that rate passed 74 and 76 % of held-out excerpts
    before the critic learnt files at other rates (docs/ears.md). Clean, the file passes; degraded, it fails.
    Two test recordings whose noisy and low-passed copies the critic before passed (7.3-9.2); on all 82
    held-out excerpts such files pass 89 % clean and fail 80 % of 15 faults (docs/ears.md)."""
    import librosa

    recs = dict(data.recordings("test"))
    for name in ("wesnoth/into_the_shadows", "wesnoth/return_to_wesnoth"):
        if name not in recs:
            pytest.skip("music packages not installed: run `make music-data`")
        a = data.excerpt(recs[name], 0.45, data.EXCERPT_S)
        y = librosa.resample(a.samples.mean(axis=1).astype(np.float64), orig_sr=a.sr, target_sr=22050)
        clean = Audio(np.ascontiguousarray(np.repeat(y[:, None], 2, axis=1), np.float32), 22050)
        q = ears.run(AnalysisRequest(audio=clean, brief={})).quality
        assert q["critic"]["score"] >= 5.0, (name, q["critic"])
        for kind in ("noise_10db", "lowpass_1k"):
            bad = Audio(degrade(clean.samples, clean.sr, kind, seed=5), clean.sr)
            q = ears.run(AnalysisRequest(audio=bad, brief={})).quality
            assert q["critic"]["score"] < 5.0, (name, kind, q["critic"])


def test_library_import_says_what_it_heard_and_flags_a_file_below_the_bar(tmp_path, monkeypatch):
    """`sonicgrid library import` shows each file's mood, key, tempo and quality, and names the one below the
    gate's bar with what the critic heard: a test recording passes, its copy with 10 dB of white noise does not."""
    import soundfile as sf
    from typer.testing import CliRunner

    from sonicgrid.cli import app

    recs = dict(data.recordings("test"))
    if "wesnoth/into_the_shadows" not in recs:
        pytest.skip("music packages not installed: run `make music-data`")
    a = data.excerpt(recs["wesnoth/into_the_shadows"], 0.45, data.EXCERPT_S)
    sf.write(tmp_path / "shadows.wav", a.samples, a.sr)
    sf.write(tmp_path / "shadows_hiss.wav", degrade(a.samples, a.sr, "noise_10db", seed=3), a.sr)
    monkeypatch.setenv("SONICGRID_DATA_DIR", str(tmp_path / "data"))
    r = CliRunner().invoke(
        app, ["library", "import", str(tmp_path / "shadows.wav"), str(tmp_path / "shadows_hiss.wav")]
    )
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "shadows.wav" in text and "shadows_hiss.wav" in text and "added 2" in text
    assert "below the quality bar 5 shadows_hiss.wav" in text, text
    assert "below the quality bar 5 shadows.wav" not in text, text
