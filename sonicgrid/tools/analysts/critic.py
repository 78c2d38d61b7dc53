"""The learned quality critic: is this good audio? Gradient-boosted trees (scikit-learn, exported to JSON)
on DSP flaw detectors plus, where cross-validation chose them, the musicnn tags and embeddings; trained by
benchmarks/train_critic.py on real recorded music and our renders (good) against their degradations and
failed generations (bad). The weights ship as critic.json next to this module; inference is plain numpy.

`flaws()` are the DSP numbers (each a plain measurement, named for what a person would check);
`vector()` joins them with the musicnn outputs in the order the weights expect; `judge()` gives
P(good) and the 1-10 score the gatekeeper reads (1 + 8.5 * P: a critic's estimate never reaches 10).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import dsp
from sonicgrid.tools.analysts.features import Features

WEIGHTS = Path(__file__).with_name("critic.json")
TOP = 8.5  # score = 1 + TOP * P(good)

FLAW_NAMES = (
    "clipped_pct_log",
    "silent_share",
    "holes_per_s",
    "hole_share",
    "flatness",
    "floor_below_peak_db",
    "bandwidth_khz",
    "air_db",
    "bass_share",
    "levels_log2",
    "dc_ratio",
    "channel_balance_db",
    "tone_peak_share",
    "chroma_entropy",
    "attack_db",
    "crest_db",
    "onsets_per_s",
    "lufs",
)


def _holes(rms_db: np.ndarray, fps: float) -> tuple[float, float]:
    """(holes per second, share of time in holes): runs of frames >= 40 dB under the clip's p90 level,
    at most 1.5 s long, with sound on both sides (a dropout, not an ending or a rest at the start)."""
    if rms_db.size < 8:
        return 0.0, 0.0
    ref = float(np.percentile(rms_db, 90))
    low = rms_db < max(ref - 40.0, -90.0)
    holes, frames = 0, 0
    i, n = 0, len(low)
    while i < n:
        if low[i]:
            j = i
            while j < n and low[j]:
                j += 1
            if i > 0 and j < n and (j - i) <= 1.5 * fps:
                holes += 1
                frames += j - i
            i = j
        else:
            i += 1
    return holes / (n / fps), frames / n


def flaws(audio: Audio, f: Features) -> dict[str, float]:
    x = audio.samples
    mono = audio.mono().astype(np.float32)
    fps = 22050 / 256
    holes, hole_share = _holes(f.rms_db, fps)
    y = dsp.to_rate(mono, audio.sr, 22050)
    S = dsp.stft_mag(y, 4096, 2048) ** 2 if len(y) > 4096 else np.ones((2049, 1), np.float32)
    spec = S.mean(axis=1) + 1e-20
    freqs = np.fft.rfftfreq(4096, 1 / 22050)
    cum = np.cumsum(spec) / spec.sum()
    bandwidth = float(freqs[min(len(freqs) - 1, int(np.searchsorted(cum, 0.995)))])
    air = float(10 * np.log10(spec[freqs > 5000].sum() / spec.sum() + 1e-12))
    bass = float(spec[freqs < 250].sum() / spec.sum())
    top = float(np.sort(spec)[-5:].sum() / spec.sum())
    loud = slice(None)
    if len(mono) > audio.sr:
        k = int(
            np.argmax([np.abs(mono[i : i + audio.sr]).mean() for i in range(0, len(mono) - audio.sr, audio.sr // 2)])
        )
        loud = slice(k * (audio.sr // 2), k * (audio.sr // 2) + audio.sr)
    levels = float(np.log2(len(np.unique(np.round(mono[loud] * 32768).astype(np.int32))) + 1))
    rms = float(np.sqrt(np.mean(mono.astype(np.float64) ** 2)) + 1e-12)
    dc = float(abs(np.mean(x)) / (np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12)) if x.size else 0.0
    if x.shape[1] > 1:
        ch = np.sqrt(np.mean(x.astype(np.float64) ** 2, axis=0)) + 1e-9
        balance = float(max(-60.0, 20 * np.log10(ch.min() / ch.max())))
    else:
        balance = 0.0
    c = np.asarray(f.chroma, float)
    p = c / c.sum() if c.sum() > 0 else np.full(12, 1 / 12)
    entropy = float(-(p * np.log2(p + 1e-12)).sum() / np.log2(12))
    crest = float(20 * np.log10((np.abs(mono).max() + 1e-12) / rms))
    return {
        "clipped_pct_log": float(np.log1p(100 * f.clip_fraction)),
        "silent_share": f.silence_fraction,
        "holes_per_s": holes,
        "hole_share": hole_share,
        "flatness": f.flatness,
        "floor_below_peak_db": float(max(-90.0, f.noise_floor_db - np.percentile(f.rms_db, 90)))
        if f.rms_db.size
        else 0.0,
        "bandwidth_khz": bandwidth / 1000.0,
        "air_db": max(-80.0, air),
        "bass_share": bass,
        "levels_log2": levels,
        "dc_ratio": dc,
        "channel_balance_db": balance,
        "tone_peak_share": top,
        "chroma_entropy": entropy,
        "attack_db": f.attack_db,
        "crest_db": crest,
        "onsets_per_s": f.onset_rate,
        "lufs": max(-70.0, f.lufs),
    }


PARTS: dict[str, tuple[str, ...] | None] = {
    "flaws": None,
    "tags": ("mtt_tags", "msd_tags"),
    "embedding": ("mtt_embedding", "msd_embedding"),
}


def vector(fl: dict[str, float], heard: dict[str, np.ndarray], parts: tuple[str, ...] | None = None) -> np.ndarray:
    """The critic's inputs: DSP flaws, then (as the weights say) musicnn tag probabilities and embeddings."""
    parts = tuple(parts or weights()["features"])
    out = [np.array([fl[n] for n in FLAW_NAMES], float)]
    for part in parts[1:]:
        out += [np.asarray(heard[k], float) for k in PARTS[part] or ()]
    return np.concatenate(out)


@lru_cache(maxsize=1)
def weights() -> dict:
    return json.loads(WEIGHTS.read_text())


def available() -> bool:
    return WEIGHTS.exists()


def raw_score(w: dict, v: np.ndarray) -> float:
    """Gradient-boosted trees (exported from scikit-learn): init + rate * sum of the leaves reached."""
    total = 0.0
    for t in w["trees"]:
        node = 0
        while t["l"][node] != -1:
            node = t["l"][node] if v[t["f"][node]] <= t["t"][node] else t["r"][node]
        total += t["v"][node]
    return float(w["init"] + w["rate"] * total)


def judge(v: np.ndarray) -> tuple[float, dict[str, float]]:
    """(P(good), the DSP flaws furthest from good music, in robust z-units: median/IQR of the good class)."""
    w = weights()
    logit = raw_score(w, v) + w.get("offset", 0.0)
    p = float(1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30))))
    z = (v[: len(FLAW_NAMES)] - np.asarray(w["good_median"])) / np.asarray(w["good_scale"])
    far = sorted(range(len(FLAW_NAMES)), key=lambda i: -abs(z[i]))[:5]
    return p, {FLAW_NAMES[i]: round(float(z[i]), 1) for i in far}


def score(p_good: float) -> float:
    return round(1.0 + TOP * float(p_good), 2)


def vector_from(h: dict, parts: tuple[str, ...] | None = None) -> np.ndarray:
    """`vector()` from stored features: {"flaws": array in FLAW_NAMES order, musicnn arrays}."""
    return vector(dict(zip(FLAW_NAMES, (float(v) for v in h["flaws"]))), h, parts)
