"""Small numpy/scipy DSP kernels for the analysts: STFT, mel and chroma filterbanks, HPSS, onset flux.

Plain numpy on purpose: librosa's import (~0.6 s) and its numba-jitted paths (seconds of JIT on a
cold process) dominated the analysts' cost, while the maths they need here is a few lines each.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def to_rate(y: np.ndarray, sr: int, target: int) -> np.ndarray:
    """Polyphase resampling of a mono signal (exact for 44.1k/48k/22.05k ratios)."""
    if sr == target:
        return y
    from math import gcd

    from scipy.signal import resample_poly  # scipy.signal is ~1.6 s of a cold import: load on use

    g = gcd(int(sr), int(target))
    return resample_poly(y, target // g, sr // g).astype(np.float32)


@lru_cache(maxsize=8)
def _window(n: int) -> np.ndarray:
    return np.hanning(n + 1)[:-1].astype(np.float32)


def frames(y: np.ndarray, n: int, hop: int) -> np.ndarray:
    """Centre-padded frames (n_frames, n) as a strided view."""
    y = np.pad(y, (n // 2, n // 2))
    if len(y) < n:
        y = np.pad(y, (0, n - len(y)))
    count = 1 + (len(y) - n) // hop
    return np.lib.stride_tricks.as_strided(y, (count, n), (y.strides[0] * hop, y.strides[0]))


def stft_mag(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Magnitude spectrogram (bins, frames), float32."""
    f = frames(np.ascontiguousarray(y, dtype=np.float32), n_fft, hop) * _window(n_fft)
    return np.abs(np.fft.rfft(f, axis=1)).T.astype(np.float32)


def _hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, float) / 700.0)


def _mel_to_hz(m):
    return 700.0 * (10 ** (np.asarray(m, float) / 2595.0) - 1.0)


@lru_cache(maxsize=8)
def mel_bank(sr: int, n_fft: int, n_mels: int, fmin: float = 30.0, fmax: float | None = None) -> np.ndarray:
    """Triangular mel filterbank (n_mels, bins), area-normalised."""
    fmax = fmax or sr / 2
    bins = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    w = np.zeros((n_mels, len(bins)), np.float32)
    for i in range(n_mels):
        lo, c, hi = edges[i], edges[i + 1], edges[i + 2]
        up = (bins - lo) / max(c - lo, 1e-9)
        down = (hi - bins) / max(hi - c, 1e-9)
        w[i] = np.maximum(0, np.minimum(up, down)) * (2.0 / (hi - lo))
    return w


@lru_cache(maxsize=8)
def chroma_bank(sr: int, n_fft: int, fmin: float, fmax: float) -> np.ndarray:
    """(12, bins): each FFT bin's energy to its pitch class, Gaussian in cents (C = 0)."""
    f = np.fft.rfftfreq(n_fft, 1.0 / sr)
    w = np.zeros((12, len(f)), np.float32)
    ok = (f >= fmin) & (f <= fmax)
    midi = 69 + 12 * np.log2(f[ok] / 440.0)
    pc = np.mod(midi, 12.0)
    for k in range(12):
        d = np.abs(((pc - k) + 6) % 12 - 6)  # semitone distance on the circle
        w[k, ok] = np.exp(-0.5 * (d / 0.25) ** 2)
    return w


def hpss_ratio(S: np.ndarray, kernel: int = 17) -> tuple[float, np.ndarray]:
    """Percussive share of energy by median-filter HPSS (soft masks), on a compact spectrogram."""
    if S.shape[1] < 3:
        return 0.0, np.zeros_like(S)
    from scipy.ndimage import median_filter

    H = median_filter(S, size=(1, kernel), mode="nearest")
    P = median_filter(S, size=(kernel, 1), mode="nearest")
    Hp, Pp = H**2, P**2
    mask_p = Pp / (Hp + Pp + 1e-12)
    Pm = S * mask_p
    return float(Pm.sum() / (S.sum() + 1e-9)), Pm


def onset_flux(mel: np.ndarray) -> np.ndarray:
    """Spectral flux of the log-compressed mel spectrogram, half-wave rectified, mean over bands."""
    from scipy.ndimage import maximum_filter1d

    L = np.log1p(100.0 * mel / (mel.max() + 1e-9))
    ref = maximum_filter1d(L, size=3, axis=0)  # SuperFlux: vibrato and slow glides do not count
    d = np.maximum(0.0, L[:, 2:] - ref[:, :-2])
    d = np.concatenate([np.zeros((L.shape[0], 1), L.dtype), d], axis=1)
    env = np.concatenate([[0.0], d.mean(axis=0)])
    return env.astype(np.float32)


K_STD = 0.8


def peaks(env: np.ndarray, fps: float, min_gap_s: float = 0.06) -> np.ndarray:
    """Onset frames: local maxima above an adaptive (moving median + margin) threshold."""
    if env.size < 3:
        return np.zeros(0, int)
    w = max(3, int(fps * 0.5) | 1)
    from scipy.ndimage import median_filter

    thr = median_filter(env, size=w, mode="nearest") + K_STD * env.std() + 1e-6
    cand = np.flatnonzero((env[1:-1] > env[:-2]) & (env[1:-1] >= env[2:]) & (env[1:-1] > thr[1:-1])) + 1
    out: list[int] = []
    gap = max(1, int(min_gap_s * fps))
    for c in cand:
        if not out or c - out[-1] >= gap:
            out.append(int(c))
    return np.array(out, int)
