"""Mood analyst: valence and arousal from mode, tempo, brightness, loudness and dynamics."""

from __future__ import annotations

import numpy as np

from sonicgrid.tools.analysts.features import Features
from sonicgrid.tools.analysts.keytempo import estimate_key

# (valence, arousal) prototypes on -1..1
MOOD_POINTS = {
    "moody": (-0.6, -0.3), "calm": (0.3, -0.6), "happy": (0.7, 0.5), "energetic": (0.3, 0.85),
    "tender": (0.5, -0.35), "tense": (-0.6, 0.45), "epic": (0.0, 0.6), "dreamy": (0.2, -0.3),
}


def estimate(f: Features) -> dict:
    key, mode, key_conf = estimate_key(f.chroma)
    mode_v = (0.5 if mode == "major" else -0.5) * (0.4 + 0.6 * key_conf)
    bright = np.clip((f.centroid_hz - 1500.0) / 1500.0, -1, 1)
    tempo = f.tempo_bpm if f.tempo_bpm > 0 else 90.0
    tempo_a = np.clip((tempo - 100.0) / 40.0, -1, 1)
    onset_a = np.clip((f.onset_rate - 3.0) / 3.0, -1, 1)
    loud_a = np.clip((f.lufs + 20.0) / 10.0, -1, 1)
    valence = float(np.clip(0.6 * mode_v + 0.3 * bright + 0.1 * tempo_a, -1, 1))
    arousal = float(np.clip(0.35 * tempo_a + 0.3 * onset_a + 0.2 * loud_a + 0.15 * bright, -1, 1))
    dists = {m: float(np.hypot(valence - v, arousal - a)) for m, (v, a) in MOOD_POINTS.items()}
    label = min(dists, key=dists.get)
    conf = float(np.clip(1.0 - dists[label] / 1.2, 0.05, 1.0))
    return {"valence": round(valence, 3), "arousal": round(arousal, 3), "label": label,
            "confidence": round(conf, 3), "key": key, "mode": mode, "key_confidence": round(key_conf, 3),
            "distances": {k: round(v, 3) for k, v in dists.items()}}


def mood_match(target: str, est: dict) -> float:
    """0..1: how close the estimated (valence, arousal) is to the target mood's prototype."""
    v, a = MOOD_POINTS.get(target, (0.0, 0.0))
    d = float(np.hypot(est["valence"] - v, est["arousal"] - a))
    return float(np.clip(1.0 - d / 1.5, 0.0, 1.0))
