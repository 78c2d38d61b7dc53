"""Quality analyst: a 1-10 score with its components (each 0..1, with the number it came from)."""

from __future__ import annotations

import numpy as np

from sonicgrid.tools.analysts.features import Features

WEIGHTS = {"loudness": 0.2, "clipping": 0.2, "silence": 0.15, "brightness": 0.15, "dynamics": 0.1,
           "tempo": 0.1, "mood_match": 0.1}


def _band(x: float, lo: float, hi: float, soft: float) -> float:
    """1 inside [lo, hi], falling linearly to 0 at `soft` outside."""
    if lo <= x <= hi:
        return 1.0
    d = lo - x if x < lo else x - hi
    return float(max(0.0, 1.0 - d / soft))


def score(f: Features, brief: dict, mood_fit: float) -> dict:
    comps = {
        "loudness": (_band(f.lufs, -30.0, -8.0, 20.0), f"{f.lufs:.1f} LUFS"),
        "clipping": (float(np.clip(1.0 - f.clip_fraction * 200, 0, 1)), f"{100 * f.clip_fraction:.2f}% samples clipped"),
        "silence": (float(np.clip(1.0 - max(0.0, f.silence_fraction - 0.1) * 2.5, 0, 1)),
                    f"{100 * f.silence_fraction:.0f}% silent"),
        "brightness": (_band(f.centroid_hz, 400.0, 4500.0, 2500.0), f"centroid {f.centroid_hz:.0f} Hz"),
        "dynamics": (_band(f.dynamic_range_db, 3.0, 30.0, 10.0), f"{f.dynamic_range_db:.1f} dB range"),
    }
    want = brief.get("tempo_bpm")
    if want and f.tempo_bpm > 0:
        ratio = min(abs(np.log2(f.tempo_bpm / want)), abs(np.log2(2 * f.tempo_bpm / want)),
                    abs(np.log2(f.tempo_bpm / (2 * want))))
        comps["tempo"] = (float(np.clip(1.0 - ratio * 4, 0, 1)), f"{f.tempo_bpm:.0f} vs {want:.0f} bpm")
    else:
        comps["tempo"] = (_band(f.tempo_bpm, 50.0, 190.0, 40.0) if f.tempo_bpm else 0.5, f"{f.tempo_bpm:.0f} bpm")
    comps["mood_match"] = (mood_fit, f"fit {mood_fit:.2f} to {brief.get('mood', '?')}")
    total = sum(WEIGHTS[k] * v for k, (v, _) in comps.items())
    value = 1.0 + 9.0 * total
    # Fatal flaws cap the score whatever else is good: silence and heavy clipping.
    if f.silence_fraction > 0.9 or f.lufs < -60:
        value = min(value, 1.5)
    if f.clip_fraction > 0.01:
        value = min(value, 4.0)
    return {"score": round(float(value), 2),
            "components": {k: {"value": round(v, 3), "measured": m, "weight": WEIGHTS[k]} for k, (v, m) in comps.items()}}
