"""Mood analyst: valence and arousal (-1..1) from mode, tempo, brightness, onset density,
percussiveness, loudness and dynamics, then the nearest mood label.

Loudness weighs little on purpose: every clip is mastered to the same -14 LUFS, so a
mood that hung on loudness would change at the mastering step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sonicgrid.tools.analysts.keytempo import drone_confidence, estimate_key, tonalness

if TYPE_CHECKING:  # the mood table is read by library search, which must not import scipy/pyloudnorm
    from sonicgrid.tools.analysts.features import Features

# (valence, arousal) prototypes on -1..1
MOOD_POINTS = {
    "moody": (-0.55, -0.35),
    "calm": (0.3, -0.6),
    "happy": (0.65, 0.5),
    "energetic": (0.25, 0.85),
    "tender": (0.45, -0.35),
    "tense": (-0.55, 0.45),
    "epic": (-0.05, 0.6),
    "dreamy": (0.15, -0.25),
}
# What a person would call each label (moody is dark, too).
LABEL_WORDS = {
    "moody": "moody/dark",
    "calm": "calm",
    "happy": "happy",
    "energetic": "energetic",
    "tender": "tender",
    "tense": "tense",
    "epic": "epic",
    "dreamy": "dreamy",
}


def estimate(f: Features) -> dict:
    key, mode, key_conf = estimate_key(f.chroma, f.bass_chroma, f.opening_bass)
    key_conf = drone_confidence(key_conf, f.pulse) * tonalness(f.chroma, f.percussive_ratio)  # drums carry no key
    tonal = f.flatness < 0.2 and key_conf > 0.1
    mode_v = ((0.6 if mode == "major" else -0.6) * (0.4 + 0.6 * key_conf)) if tonal else 0.0
    bright = float(np.clip((f.centroid_hz - 1000.0) / 1000.0, -1, 1))
    tempo = f.tempo_bpm if f.tempo_bpm > 0 else 95.0
    tempo_a = float(np.clip((tempo - 100.0) / 35.0, -1, 1)) * (0.5 + 0.5 * f.tempo_confidence) * f.pulse
    onset_a = float(np.clip((f.onset_rate - 3.0) / 3.0, -1, 1))
    perc_a = float(np.clip((f.percussive_ratio - 0.3) * 3, -1, 1))
    loud_a = float(np.clip((f.lufs + 18.0) / 10.0, -1, 1))
    dyn_v = float(np.clip((12.0 - f.dynamic_range_db) / 20.0, -0.5, 0.5))  # wide swings read uneasy
    valence = float(np.clip(0.6 * mode_v + 0.25 * bright + 0.1 * tempo_a + 0.05 * dyn_v, -1, 1))
    arousal = float(np.clip(0.5 * tempo_a + 0.15 * onset_a + 0.1 * perc_a + 0.15 * bright + 0.1 * loud_a, -1, 1))
    return nearest(valence, arousal) | {
        "key": key,
        "mode": mode,
        "key_confidence": round(key_conf, 3),
        "evidence": {
            "mode": mode,
            "tempo_bpm": round(tempo, 1),
            "centroid_hz": round(f.centroid_hz, 1),
            "onsets_per_s": round(f.onset_rate, 2),
            "percussive_ratio": round(f.percussive_ratio, 3),
            "lufs": round(f.lufs, 2),
            "dynamic_range_db": round(f.dynamic_range_db, 2),
        },
    }


def mood_match(target: str, est: dict) -> float:
    """0..1: how close the estimated (valence, arousal) is to the target mood's prototype."""
    v, a = MOOD_POINTS.get(target, (0.0, 0.0))
    d = float(np.hypot(est["valence"] - v, est["arousal"] - a))
    return float(np.clip(1.0 - d / 1.5, 0.0, 1.0))


def nearest(valence: float, arousal: float) -> dict[str, Any]:
    """The mood word whose (valence, arousal) prototype is nearest, with a confidence: near the prototype
    and clearly nearer than the runner-up."""
    dists = {m: float(np.hypot(valence - v, arousal - a)) for m, (v, a) in MOOD_POINTS.items()}
    order = sorted(dists, key=lambda m: dists[m])
    label = order[0]
    margin = dists[order[1]] - dists[label]
    conf = float(np.clip((1.0 - dists[label] / 1.2) * 0.6 + min(margin, 0.4), 0.05, 1.0))
    return {
        "valence": round(valence, 3),
        "arousal": round(arousal, 3),
        "label": label,
        "label_words": LABEL_WORDS[label],
        "confidence": round(conf, 3),
        "distances": {k: round(v, 3) for k, v in dists.items()},
    }
