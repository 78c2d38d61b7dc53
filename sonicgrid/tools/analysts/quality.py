"""Aesthetics analyst: a 1-10 score from components (each 0..1, with the number it came from and
its unit), grouped into production quality, complexity and enjoyment proxies."""

from __future__ import annotations

import numpy as np

from sonicgrid.tools.analysts import honour
from sonicgrid.tools.analysts.features import Features

WEIGHTS = {
    "loudness": 0.12,
    "clipping": 0.15,
    "silence": 0.1,
    "brightness": 0.1,
    "dynamics": 0.08,
    "noise_floor": 0.1,
    "spectral_balance": 0.08,
    "complexity": 0.07,
    "repetition": 0.05,
    "tempo": 0.07,
    "mood_match": 0.08,
}
PULSE_MIN = 0.3  # tempo confidence below which the tempo component is neutral (pads, drones)
GROUPS = {
    "production_quality": ("loudness", "clipping", "silence", "noise_floor", "spectral_balance", "dynamics"),
    "complexity": ("complexity", "repetition"),
    "enjoyment": ("brightness", "tempo", "mood_match"),
}


def _band(x: float, lo: float, hi: float, soft: float) -> float:
    """1 inside [lo, hi], falling linearly to 0 at `soft` outside."""
    if lo <= x <= hi:
        return 1.0
    d = lo - x if x < lo else x - hi
    return float(max(0.0, 1.0 - d / soft))


def _complexity(f: Features) -> float:
    """Spread of the pitch-class distribution plus onset density: 0 = one static tone, 1 = rich."""
    c = np.asarray(f.chroma, float)
    p = c / c.sum() if c.sum() > 0 else np.full(12, 1 / 12)
    entropy = float(-(p * np.log2(p + 1e-12)).sum() / np.log2(12))
    return float(np.clip(0.6 * entropy + 0.4 * min(f.onset_rate / 4.0, 1.0), 0, 1))


def score(f: Features, brief: dict, mood_fit: float) -> dict:
    cx = _complexity(f)
    comps = {
        "loudness": (_band(f.lufs, -30.0, -8.0, 20.0), f"{f.lufs:.1f} LUFS"),
        "clipping": (
            float(np.clip(1.0 - f.clip_fraction * 200, 0, 1)),
            f"{100 * f.clip_fraction:.2f} % samples clipped",
        ),
        "silence": (
            float(np.clip(1.0 - max(0.0, f.silence_fraction - 0.1) * 2.5, 0, 1)),
            f"{100 * f.silence_fraction:.0f} % silent",
        ),
        "brightness": (_band(f.centroid_hz, 400.0, 4500.0, 2500.0), f"centroid {f.centroid_hz:.0f} Hz"),
        "dynamics": (_band(f.dynamic_range_db, 3.0, 30.0, 10.0), f"{f.dynamic_range_db:.1f} dB range"),
        # a hiss floor close to the music is the commonest flaw of a rough render or recording
        "noise_floor": (
            _band(f.noise_floor_db - float(np.percentile(f.rms_db, 90)) if f.rms_db.size else -60, -120.0, -25.0, 20.0),
            f"floor {f.noise_floor_db:.1f} dBFS",
        ),
        "spectral_balance": (_band(f.low_high_db, -5.0, 35.0, 20.0), f"low/high {f.low_high_db:.1f} dB"),
        "complexity": (_band(cx, 0.45, 1.0, 0.4), f"complexity {cx:.2f}"),
        "repetition": (
            _band(f.repetition, 0.0, 0.97, 0.1) if f.repetition else 0.8,
            f"bar self-similarity {f.repetition:.2f}",
        ),
    }
    want = brief.get("tempo_bpm")
    if want and f.tempo_bpm > 0:
        ratio = min(abs(np.log2(f.tempo_bpm * m / want)) for m in honour.pulses(brief.get("meter")))
        comps["tempo"] = (float(np.clip(1.0 - ratio * 4, 0, 1)), f"{f.tempo_bpm:.0f} vs {want:.0f} bpm")
    else:
        comps["tempo"] = (_band(f.tempo_bpm, 50.0, 190.0, 40.0) if f.tempo_bpm else 0.5, f"{f.tempo_bpm:.0f} bpm")
    comps["mood_match"] = (mood_fit, f"fit {mood_fit:.2f} to {brief.get('mood', '?')}")
    if f.tempo_confidence < PULSE_MIN:  # no beat to judge: neutral, the mean of the other components
        others = [k for k in comps if k != "tempo"]
        neutral = sum(WEIGHTS[k] * comps[k][0] for k in others) / sum(WEIGHTS[k] for k in others)
        comps["tempo"] = (float(neutral), f"no rhythmic pulse (tempo confidence {f.tempo_confidence:.2f}): neutral")
    total = sum(WEIGHTS[k] * v for k, (v, _) in comps.items())
    value = 1.0 + 9.0 * total
    # Fatal flaws cap the score whatever else is good: silence and heavy clipping.
    if f.silence_fraction > 0.9 or f.lufs < -60:
        value = min(value, 1.5)
    if f.clip_fraction > 0.01:
        value = min(value, 4.0)
    groups = {}
    for g, names in GROUPS.items():
        w = sum(WEIGHTS[n] for n in names)
        groups[g] = round(1.0 + 9.0 * sum(WEIGHTS[n] * comps[n][0] for n in names) / w, 2)
    return {
        "score": round(float(value), 2),
        "scale": "1-10",
        "aesthetics": groups,
        "components": {k: {"value": round(v, 3), "measured": m, "weight": WEIGHTS[k]} for k, (v, m) in comps.items()},
    }
