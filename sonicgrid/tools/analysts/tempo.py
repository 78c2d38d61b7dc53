"""Tempo from an onset envelope: autocorrelation periodicity, then a metrical octave decision.

Plain autocorrelation picks the densest pulse (often the eighth notes: a 83 bpm groove with
steady eighths reads 166). After the periodicity pick we test the octave: at half the tempo,
are the candidate beats clearly accented against the off-beats between them (bass notes,
chord changes and kicks land on beats)? If so the slower pulse is the beat. We also test the
double: if the off-beats are as strong as the beats at a slow tempo, the faster pulse wins.
"""

from __future__ import annotations

import numpy as np

LO_BPM, HI_BPM = 55.0, 200.0


def _acf(env: np.ndarray) -> np.ndarray:
    e = env - env.mean()
    n = len(e)
    f = np.fft.rfft(e, 2 * n)
    a = np.fft.irfft(np.abs(f) ** 2)[:n]
    return a / (a[0] + 1e-12)


def _acf_at(a: np.ndarray, lag: float) -> float:
    i = int(np.floor(lag))
    if i + 1 >= len(a) or i < 1:
        return 0.0
    frac = lag - i
    return float(a[i] * (1 - frac) + a[i + 1] * frac)


def _accent(env: np.ndarray, lag: float) -> float:
    """On-beat / off-beat strength at a beat period `lag` (frames), best phase."""
    n = len(env)
    if lag * 2 >= n:
        return 1.0
    # local maxima within +-2 frames make the grid tolerant to small timing drift
    from scipy.ndimage import maximum_filter1d

    m = maximum_filter1d(env, size=5)
    best_on, best_off = 0.0, 1e-9
    for phase in np.arange(0, lag, max(1.0, lag / 24)):
        on_idx = np.arange(phase, n, lag).astype(int)
        off_idx = np.arange(phase + lag / 2, n, lag).astype(int)
        on, off = float(m[on_idx].mean()), float(m[off_idx].mean()) if off_idx.size else 1e-9
        if on > best_on:
            best_on, best_off = on, off
    return best_on / (best_off + 1e-9)


def _refine(a: np.ndarray, lag: float) -> float:
    """Parabolic interpolation of the ACF peak near `lag`."""
    i = int(round(lag))
    lo, hi = max(1, i - 2), min(len(a) - 2, i + 2)
    if hi <= lo:
        return lag
    j = lo + int(np.argmax(a[lo:hi + 1]))
    if 1 <= j < len(a) - 1:
        d = a[j - 1] - 2 * a[j] + a[j + 1]
        if d < 0:
            return j + 0.5 * (a[j - 1] - a[j + 1]) / d
    return float(j)


def estimate(env: np.ndarray, fps: float) -> tuple[float, float]:
    """(bpm, confidence 0..1) from an onset-strength envelope sampled at `fps` frames per second."""
    env = np.asarray(env, dtype=np.float64)
    if env.size < fps * 2 or env.std() < 1e-9:
        return 0.0, 0.0
    a = _acf(env)
    bpms = np.arange(LO_BPM, HI_BPM + 0.01, 0.5)
    lags = 60.0 * fps / bpms
    # periodicity: the lag itself plus its multiples (a real pulse repeats at 2x and 4x too)
    score = np.array([_acf_at(a, L) + 0.5 * _acf_at(a, 2 * L) + 0.25 * _acf_at(a, 4 * L) for L in lags])
    prior = np.exp(-0.5 * (np.log2(bpms / 110.0) / 1.2) ** 2)  # a mild preference for moderate tempi
    best = int(np.argmax(np.maximum(score, 0) * prior))
    lag = _refine(a, lags[best])
    periodicity = float(max(0.0, _acf_at(a, lag)))
    # octave decision: halve while the slower grid's beats are clearly accented
    # (a pulse above 140 bpm is halved on a modest accent; a moderate one needs a strong accent,
    # since a backbeat alone - snare on 2 and 4 - also accents every other beat)
    for _ in range(2):
        need = 1.25 if 60.0 * fps / lag > 140 else 2.5
        if 60.0 * fps / (2 * lag) >= LO_BPM and _acf_at(a, 2 * lag) > 0.05 and _accent(env, 2 * lag) >= need:
            lag = _refine(a, 2 * lag)
        else:
            break
    # and double when a slow pick has off-beats as strong as its beats
    if 60.0 * fps / lag < 72 and 60.0 * fps / (lag / 2) <= HI_BPM and _accent(env, lag) < 1.05 \
            and _acf_at(a, lag / 2) > 0.3:
        lag = _refine(a, lag / 2)
    if 4 * lag < len(a) * 0.6:  # a finer period estimate from the 4th multiple (bar length in 4/4)
        lag4 = _refine(a, 4 * lag) / 4
        lag = lag4 if abs(lag4 - lag) < 0.03 * lag else lag
    bpm = 60.0 * fps / lag
    periodicity = max(periodicity, float(_acf_at(a, 2 * lag)), float(_acf_at(a, 4 * lag)))
    conf = float(np.clip(0.1 + periodicity, 0.0, 1.0))
    return float(bpm), conf
