"""Tempo from an onset envelope: autocorrelation periodicity, then a metrical octave decision.

Plain autocorrelation picks the densest or the bar-level pulse (a 83 bpm groove with steady
eighths reads 166; a 150 bpm rock beat, kick on 1 and 3, reads 75). The pick is then moved by
octaves while a neighbour wins: the slower of two readings is the beat when
log(accent) + log prior(slow) > log prior(fast), where the accent is the slower grid's on-beats
over its off-beats (bass notes, chord changes and kicks land on beats; a backbeat snare is
nearly as strong as the kick, so it keeps the faster reading) and the prior is log-normal
around 120 bpm (sigma 0.46 octave). Doubling also needs the faster pulse to repeat by itself.

A bar of three repeats at three beats, not two or four: told the meter is 3 (a waltz the brief asked for),
a beat's periodicity also counts its bar and two bars (3x, 6x), and the better of the two readings is kept.
Without it a waltz at 120 is heard at its dotted pulse, 80. On 48 composer waltzes (seeds 3-4, 66-152 bpm,
half with drums, 10 s) 23 were heard at the beat (or half / double) blind and 41 told the meter.
"""

from __future__ import annotations

import numpy as np

from sonicgrid.tools.analysts import dsp

LO_BPM, HI_BPM = 55.0, 200.0
PRIOR_BPM, PRIOR_OCT = 120.0, 0.46  # log-normal tempo prior for the octave decision (centre, sigma in octaves)
DOUBLE_ACF = 0.25


def log_prior(bpm: float) -> float:
    return -0.5 * (np.log2(bpm / PRIOR_BPM) / PRIOR_OCT) ** 2


def _slow_wins(env: np.ndarray, slow_lag: float, slow_bpm: float) -> bool:
    """Is `slow_bpm` (period `slow_lag` frames) the beat rather than twice it?"""
    return float(np.log(max(_accent(env, slow_lag), 1e-6))) + log_prior(slow_bpm) > log_prior(2 * slow_bpm)


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
    m = dsp.max_filter(env, 5)
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
    j = lo + int(np.argmax(a[lo : hi + 1]))
    if 1 <= j < len(a) - 1:
        d = a[j - 1] - 2 * a[j] + a[j + 1]
        if d < 0:
            return j + 0.5 * (a[j - 1] - a[j + 1]) / d
    return float(j)


def estimate(env: np.ndarray, fps: float, meter: int | None = None) -> tuple[float, float]:
    """(bpm, confidence 0..1) from an onset-strength envelope sampled at `fps` frames per second. `meter` 3: the
    beats of a bar of three (see the module's note); any other meter is heard as duple."""
    env = np.asarray(env, dtype=np.float64)
    if env.size < fps * 2 or env.std() < 1e-9:
        return 0.0, 0.0
    a = _acf(env)
    bpms = np.arange(LO_BPM, HI_BPM + 0.01, 0.5)
    lags = 60.0 * fps / bpms
    # periodicity: the lag itself plus its multiples (a real pulse repeats at 2x and 4x too)
    score = np.array([_acf_at(a, L) + 0.5 * _acf_at(a, 2 * L) + 0.25 * _acf_at(a, 4 * L) for L in lags])
    bar = 3 if meter == 3 else 4
    if bar == 3:
        score = np.maximum(score, [_acf_at(a, L) + 0.5 * _acf_at(a, 3 * L) + 0.25 * _acf_at(a, 6 * L) for L in lags])
    prior = np.exp(-0.5 * (np.log2(bpms / 110.0) / 1.2) ** 2)  # a mild preference for moderate tempi
    best = int(np.argmax(np.maximum(score, 0) * prior))
    lag = _refine(a, lags[best])
    periodicity = float(max(0.0, _acf_at(a, lag)))
    # octave decision between the pick and its neighbours (half and double): the slower reading
    # wins when log(accent) + log prior(slow) > log prior(fast), the accent being the slower
    # grid's on-beats over its off-beats (kicks and bass notes on beats 1 and 3 against the
    # backbeat; a rock groove's snare is nearly as strong as its kick, its hi-hat is not).
    # Doubling also needs the faster pulse to repeat on its own (ACF at the half lag).
    for _ in range(2):
        b = 60.0 * fps / lag
        if b / 2 >= LO_BPM and _acf_at(a, 2 * lag) > 0.05 and _slow_wins(env, 2 * lag, b / 2):
            lag = _refine(a, 2 * lag)
        elif 2 * b <= HI_BPM and _acf_at(a, lag / 2) > DOUBLE_ACF and not _slow_wins(env, lag, b):
            lag = _refine(a, lag / 2)
        else:
            break
    if bar * lag < len(a) * 0.6:  # a finer period estimate from the bar's length
        lag_bar = _refine(a, bar * lag) / bar
        lag = lag_bar if abs(lag_bar - lag) < 0.03 * lag else lag
    bpm = 60.0 * fps / lag
    periodicity = max(periodicity, float(_acf_at(a, 2 * lag)), float(_acf_at(a, 4 * lag)))
    conf = float(np.clip(0.1 + periodicity, 0.0, 1.0))
    return float(bpm), conf
