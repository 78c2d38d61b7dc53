"""Key and mode estimation: Krumhansl-Kessler profiles on mean chroma, with the bass deciding
between relative keys (C minor and Eb major share their notes; the bass, and above all the
opening bass, sits on the tonic)."""

from __future__ import annotations

import numpy as np

from sonicgrid.brief import KEYS

_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def _norm(v: np.ndarray | None) -> np.ndarray | None:
    if v is None:
        return None
    v = np.asarray(v, dtype=float)
    s = v.sum()
    return v / s if s > 0 else None


def key_scores(
    chroma_mean: np.ndarray, bass: np.ndarray | None = None, opening_bass: np.ndarray | None = None
) -> list[tuple[float, str, str]]:
    """All 24 keys scored, best first: profile correlation + tonic share of the bass."""
    c = np.asarray(chroma_mean, dtype=float)
    b, ob = _norm(bass), _norm(opening_bass)
    scores = []
    for mode, prof in (("major", _MAJOR), ("minor", _MINOR)):
        for i in range(12):
            r = np.corrcoef(c, np.roll(prof, i))[0, 1]
            r = r if np.isfinite(r) else -1.0
            if b is not None:
                r += 0.25 * b[i] + (0.35 * ob[i] if ob is not None else 0.0)
            scores.append((float(r), KEYS[i], mode))
    scores.sort(reverse=True)
    return scores


def estimate_key(
    chroma_mean: np.ndarray, bass: np.ndarray | None = None, opening_bass: np.ndarray | None = None
) -> tuple[str, str, float]:
    """Return (key, mode, confidence 0..1) from a 12-bin mean chroma vector (C = index 0)."""
    c = np.asarray(chroma_mean, dtype=float)
    if not np.any(c > 0):
        return "C", "major", 0.0
    scores = key_scores(c, bass, opening_bass)
    best, second = scores[0], scores[1]
    conf = float(np.clip((best[0] - second[0]) * 4 + max(0.0, min(best[0], 1.0)) * 0.5, 0, 1))
    return best[1], best[2], conf


def drone_confidence(conf: float, pulse: float) -> float:
    """Key confidence on sustained material: a drone bed holds chord tones without a cadence or a
    bass line moving to the tonic, so relative keys (D minor / F major) cannot be told apart and the
    profile fit is no evidence. Without attacks (pulse ~0) the confidence is capped at 0.25."""
    return float(conf * (0.25 + 0.75 * float(np.clip(pulse, 0.0, 1.0))))


def tonalness(chroma_mean: np.ndarray, percussive_ratio: float) -> float:
    """0..1: is there pitched, harmonic material to carry a key? Chroma peakiness (normalised entropy
    of the mean chroma: drums and speech 0.97-0.997, chords and melodies 0.82-0.95) times the
    harmonic share of the energy (HPSS: drum clips 0.56-0.97 percussive, harmony renders <= 0.48).
    A tuned 808 kick has a peaky chroma but is percussive; a snare-heavy mix has a flat chroma."""
    c = np.asarray(chroma_mean, dtype=float)
    if c.sum() <= 0:
        return 0.0
    p = c / c.sum()
    entropy = float(-(p * np.log2(p + 1e-12)).sum() / np.log2(12))
    peaky = float(np.clip((0.985 - entropy) / 0.05, 0.0, 1.0))
    harmonic = float(np.clip((0.75 - percussive_ratio) / 0.25, 0.0, 1.0))
    return peaky * harmonic


def key_distance(k1: str, m1: str, k2: str, m2: str) -> int:
    """Steps on the circle of fifths between two keys (relative major/minor count as the same)."""

    def pos(k: str, m: str) -> int:
        i = KEYS.index(k)
        if m == "minor":
            i = (i + 3) % 12  # relative major
        return (i * 7) % 12

    d = abs(pos(k1, m1) - pos(k2, m2)) % 12
    return min(d, 12 - d)
