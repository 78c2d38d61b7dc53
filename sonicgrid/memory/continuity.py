"""Continuity statistics: how well a new clip fits a body of work (a project or a session).

A body of work has a profile: its dominant key, median tempo, timbre centroid (mean audio vector),
mean mood (valence, arousal) and palette brightness (median spectral centroid). A clip's fit is a
weighted mean of four components, each 0..1 with what was measured; when it falls short, the
targets say concretely what a revision should aim for (key, tempo, palette).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from sonicgrid.tools.analysts.keytempo import key_distance
from sonicgrid.tools.analysts.mood import MOOD_POINTS

KEY_CONFIDENCE_MIN = 0.2
WEIGHTS = {"key": 0.35, "tempo": 0.25, "timbre": 0.2, "mood": 0.2}
RELATIONS = {0: "same or relative key", 1: "a fifth apart", 2: "two fifths apart"}


def centroid_hz(samples: np.ndarray, sr: int) -> float:
    """Mean spectral centroid (palette brightness) of a clip, cheap: 4096-point frames (at most 200), numpy
    only, all frames in one FFT."""
    x = np.asarray(samples, np.float32)
    x = x.mean(axis=1) if x.ndim == 2 else x
    n = 4096
    starts = list(range(0, max(1, len(x) - n), n))[:200]
    if len(x) >= n:
        frames = np.stack([x[i : i + n] for i in starts]) * np.hanning(n).astype(np.float32)
        mag = np.abs(np.fft.rfft(frames, n, axis=1))
    else:  # one short frame, windowed over its own length
        mag = np.abs(np.fft.rfft(x * np.hanning(len(x)), n))[None, :]
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    num, den = float((mag @ freqs).sum()), float(mag.sum())
    return round(num / den, 1) if den > 1e-9 else 0.0


def profile(body: list[dict]) -> dict:
    """The body of work's summary: dominant key, median tempo, timbre centroid, mood, brightness."""
    out: dict = {"size": len(body)}
    keys = Counter((b["key"], b.get("mode") or "major") for b in body if b.get("key"))
    if keys:
        (k, m), c = keys.most_common(1)[0]
        out.update(key=k, mode=m, key_share=round(c / sum(keys.values()), 3))
    tempos = [float(b["tempo_bpm"]) for b in body if b.get("tempo_bpm")]
    if tempos:
        out["tempo_bpm"] = round(float(np.median(tempos)), 1)
    vecs = [b["embedding"] for b in body if b.get("embedding") is not None and len(b["embedding"])]
    dims = Counter(len(v) for v in vecs)
    if dims:
        d = dims.most_common(1)[0][0]
        out["timbre_centroid"] = np.mean([v for v in vecs if len(v) == d], axis=0).tolist()
    moods = [MOOD_POINTS[b["mood"]] for b in body if b.get("mood") in MOOD_POINTS]
    if moods:
        out["mood_point"] = np.mean(moods, axis=0).round(3).tolist()
        out["mood"] = min(MOOD_POINTS, key=lambda name: math.dist(MOOD_POINTS[name], out["mood_point"]))
    bright = [float(b["centroid_hz"]) for b in body if b.get("centroid_hz")]
    if bright:
        out["centroid_hz"] = round(float(np.median(bright)), 1)
    return out


def fit(clip: dict, body: list[dict]) -> tuple[float, dict, dict]:
    """(fit 0..1, components {name: {value, measured}}, revision targets) of a clip against a body."""
    if not body:
        return 1.0, {}, {}
    p = profile(body)
    comps: dict[str, dict] = {}
    targets: dict = {}
    # A clip with no audible key (drums, speech: key confidence near 0) cannot clash in key.
    if p.get("key") and clip.get("key") and clip.get("key_confidence", 1.0) >= KEY_CONFIDENCE_MIN:
        d = key_distance(clip["key"], clip.get("mode") or "major", p["key"], p["mode"])
        comps["key"] = {
            "value": round(max(0.0, 1 - d / 3), 3),
            "relation": RELATIONS.get(d, f"{d} fifths apart"),
            "measured": f"{clip['key']} {clip.get('mode')} vs {p['key']} {p['mode']}",
        }
        targets.update(key=p["key"], mode=p["mode"])
    if p.get("tempo_bpm") and clip.get("tempo_bpm"):
        ratio = float(clip["tempo_bpm"]) / p["tempo_bpm"]
        r = abs(math.log2(ratio))
        r = min(r, abs(r - 1))  # half/double time is related
        comps["tempo"] = {
            "value": round(max(0.0, 1 - r * 4), 3),
            "ratio": round(ratio, 3),
            "measured": f"{float(clip['tempo_bpm']):.0f} vs {p['tempo_bpm']:.0f} bpm",
        }
        targets["tempo_bpm"] = p["tempo_bpm"]
    vec = clip.get("embedding")
    if p.get("timbre_centroid") is not None and vec is not None and len(vec) == len(p["timbre_centroid"]):
        c, v = np.asarray(p["timbre_centroid"], float), np.asarray(vec, float)
        cos = float(v @ c / (np.linalg.norm(v) * np.linalg.norm(c) + 1e-9))
        comps["timbre"] = {
            "value": round(max(0.0, cos), 3),
            "distance": round(1 - cos, 3),
            "measured": f"cosine {cos:.2f} to the project's timbre centroid",
        }
        if p.get("centroid_hz") and clip.get("centroid_hz"):
            ratio = float(clip["centroid_hz"]) / p["centroid_hz"]
            comps["timbre"]["brightness_ratio"] = round(ratio, 3)
            if ratio > 1.25:  # brighter than the body of work: a low-pass toward the project's palette
                targets["lowpass_hz"] = round(float(np.clip(p["centroid_hz"] * 2.5, 800, 12000)), 0)
            targets["palette"] = {"centroid_hz": p["centroid_hz"]}
    if p.get("mood_point") and clip.get("mood") in MOOD_POINTS:
        drift = math.dist(MOOD_POINTS[clip["mood"]], p["mood_point"])
        comps["mood"] = {
            "value": round(max(0.0, 1 - drift / 1.5), 3),
            "drift": round(drift, 3),
            "measured": f"{clip['mood']} vs the project's {p['mood']}",
        }
    tot = sum(WEIGHTS[k] for k in comps)
    score = sum(WEIGHTS[k] * comps[k]["value"] for k in comps) / tot if tot else 1.0
    return round(float(score), 3), comps, targets
