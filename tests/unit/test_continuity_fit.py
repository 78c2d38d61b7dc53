"""Continuity statistics: fit components against a body of work, and concrete revision targets."""

from __future__ import annotations

import pytest
from library_helpers import tone

from sonicgrid.agents.continuity import fit_components
from sonicgrid.memory.continuity import centroid_hz, fit, profile
from sonicgrid.memory.maintenance import analyse


@pytest.fixture(scope="module")
def body(moody_clip):
    a = analyse(moody_clip)
    c = centroid_hz(moody_clip.samples, moody_clip.sr)
    return [
        {"key": "A", "mode": "minor", "tempo_bpm": t, "mood": "moody", "embedding": a["embedding"], "centroid_hz": c}
        for t in (88, 90, 92)
    ] + [{"key": "E", "mode": "minor", "tempo_bpm": 90, "mood": "tense", "embedding": a["embedding"], "centroid_hz": c}]


def test_profile_of_a_body_of_work(body):
    p = profile(body)
    assert (p["key"], p["mode"], p["tempo_bpm"], p["size"]) == ("A", "minor", 90.0, 4)
    assert p["key_share"] == 0.75 and p["mood"] == "moody"


def test_a_fitting_clip_scores_high(body, moody_clip):
    a = analyse(moody_clip)
    clip = {
        "key": "C",
        "mode": "major",
        "tempo_bpm": 180,
        "mood": "moody",
        "embedding": a["embedding"],
        "centroid_hz": centroid_hz(moody_clip.samples, moody_clip.sr),
    }
    score, comps, targets = fit(clip, body)
    assert comps["key"]["relation"] == "same or relative key" and comps["key"]["value"] == 1.0
    assert comps["tempo"]["value"] == 1.0 and comps["tempo"]["ratio"] == 2.0  # double time is related
    assert comps["timbre"]["value"] > 0.99 and comps["mood"]["value"] > 0.8
    assert score > 0.9 and "lowpass_hz" not in targets
    assert fit_components(clip, body) == (score, comps, targets)  # the agent delegates to the memory


def test_a_clashing_clip_gets_concrete_targets(body):
    bright = tone(2400, 4.0, noise=0.2)
    a = analyse(bright)
    clip = {
        "key": "F#",
        "mode": "major",
        "tempo_bpm": 128,
        "mood": "happy",
        "embedding": a["embedding"],
        "centroid_hz": centroid_hz(bright.samples, bright.sr),
    }
    score, comps, targets = fit(clip, body)
    assert comps["key"]["value"] < 0.5 and comps["tempo"]["value"] < 0.5 and comps["mood"]["drift"] > 1
    assert comps["timbre"]["value"] < 0.95 and comps["timbre"]["brightness_ratio"] > 1.25
    assert score < 0.6
    assert targets["key"] == "A" and targets["mode"] == "minor" and targets["tempo_bpm"] == 90.0
    assert 800 <= targets["lowpass_hz"] < clip["centroid_hz"] * 2.5


def test_empty_body_fits_anything():
    assert fit({"key": "C", "mode": "major"}, []) == (1.0, {}, {})


def test_a_clip_without_an_audible_key_cannot_clash_in_key(body):
    """A drum layer's 'key' is a guess at confidence ~0: it must not drive a key revision."""
    clip = {"key": "F#", "mode": "major", "tempo_bpm": 90, "mood": "moody", "key_confidence": 0.02}
    score, comps, targets = fit(clip, body)
    assert "key" not in comps and "key" not in targets
    tonal_score, tonal_comps, _ = fit(dict(clip, key_confidence=0.9), body)
    assert tonal_comps["key"]["value"] < 0.5 and tonal_score < score
