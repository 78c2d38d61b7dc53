"""Drones and pads: no rhythmic pulse -> tempo confidence ~0, low key confidence, neutral tempo score."""

from __future__ import annotations

import pytest

from sonicgrid.tools.analysts.listen import EmbeddedListener
from sonicgrid.tools.analysts.quality import WEIGHTS
from sonicgrid.tools.base import GenRequest
from sonicgrid.tools.generators.painter import SpectralPainter
from sonicgrid.tools.generators.soundfont import SoundFontComposer


def _brief(mood, seconds, **kw):
    return {"prompt": mood, "mood": mood, "duration_s": seconds, **kw}


@pytest.fixture(scope="module")
def drone():
    """The case from the issue: a D minor painted bed (reads F major)."""
    b = _brief("moody", 10.0, key="D", mode="minor")
    return SpectralPainter().run(GenRequest("moody", b, "atmosphere", "loop", 10.0, seed=1)).audio


@pytest.fixture(scope="module")
def harmony():
    b = _brief("calm", 10.0)
    return SoundFontComposer().run(GenRequest("calm", b, "harmony", "loop", 10.0, seed=2)).audio


def test_drone_reports_no_pulse_and_low_key_confidence(drone, harmony):
    d = EmbeddedListener().hear(drone, {"mood": "moody"})["measures"]
    h = EmbeddedListener().hear(harmony, {"mood": "calm"})["measures"]
    assert d["pulse"]["value"] < 0.1 and d["tempo"]["confidence"] < 0.05, d
    assert d["key"]["confidence"] <= 0.3
    # the same analyst is still confident on a played arrangement with attacks
    assert h["pulse"]["value"] > 0.8 and h["tempo"]["confidence"] > 0.4, h
    assert h["key"]["confidence"] > 0.6


def test_pad_is_not_punished_for_lacking_a_beat(drone):
    listener = EmbeddedListener()
    free = listener.hear(drone, {"mood": "moody"})["quality"]
    asked = listener.hear(drone, {"mood": "moody", "tempo_bpm": 128.0})["quality"]
    t = free["components"]["tempo"]
    assert "neutral" in t["measured"]
    others = {k: c for k, c in free["components"].items() if k != "tempo"}
    mean = sum(WEIGHTS[k] * c["value"] for k, c in others.items()) / sum(WEIGHTS[k] for k in others)
    assert abs(t["value"] - mean) < 2e-3
    # a brief asking for 128 bpm does not change a beatless pad's score
    assert asked["score"] == free["score"]


def test_a_beat_at_the_wrong_tempo_is_still_judged():
    b = _brief("energetic", 8.0)
    drums = (
        SoundFontComposer()
        .run(GenRequest("energetic", b, "rhythm", "loop", 8.0, seed=2, params={"tempo_bpm": 130.0}))
        .audio
    )
    listener = EmbeddedListener()
    right = listener.hear(drums, {"mood": "energetic", "tempo_bpm": 130.0})["quality"]
    wrong = listener.hear(drums, {"mood": "energetic", "tempo_bpm": 95.0})["quality"]
    assert right["components"]["tempo"]["value"] > 0.9
    assert wrong["components"]["tempo"]["value"] < 0.2 and wrong["score"] < right["score"]
