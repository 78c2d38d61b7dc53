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
from sonicgrid.tools.analysts.degrade import degrade
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
    assert ok["score"] >= 5.0, ok["critic"]
    for kind in ("noise_0db", "bare_tone", "stuck_note"):  # kinds the critic fails on every held-out clip
        bad = Audio(degrade(clean.stereo().samples, clean.sr, kind, seed=3), clean.sr)
        q = ears.run(AnalysisRequest(audio=bad, brief=brief)).quality
        assert q["score"] < 5.0, (kind, q["critic"])


def test_drums_heard_on_a_full_mix_and_a_no_drums_brief_is_violated(ears):
    with_drums, _ = data.render("energetic", ("rhythm", "harmony"), 205, 6.0)
    without, _ = data.render("calm", ("harmony", "atmosphere"), 205, 6.0)
    yes = ears.run(AnalysisRequest(audio=with_drums, brief={"mood": "energetic", "layers": ["rhythm", "harmony"]}))
    no = ears.run(AnalysisRequest(audio=without, brief={"mood": "calm", "layers": ["harmony", "atmosphere"]}))
    assert yes.tags["drums"] > 0.5 > no.tags["drums"]
    asked_none = {"mood": "energetic", "layers": ["harmony"], "exclude": ["rhythm"]}
    v = ears.run(AnalysisRequest(audio=with_drums, brief=asked_none, layer="harmony", duration_s=6.0)).quality
    assert v["brief_capped"] and v["score"] < 5.0 and any("drums" in x for x in v["brief"]["violations"])


def test_recorded_drum_kit_loop_reads_as_drums(ears):
    loops = data.drum_loops("test")
    if not loops:
        pytest.skip("hydrogen-drumkits absent: run `make music-data`")
    name, audio, bpm = loops[0]
    got = ears.run(AnalysisRequest(audio=audio, brief={"mood": "energetic", "tempo_bpm": bpm}, layer="rhythm"))
    assert got.tags["drums"] > 0.5, name
    assert not got.quality["brief"]["violations"], got.quality["brief"]
