"""Small numpy DSP kernels for the analysts: STFT, mel and chroma filterbanks, HPSS, onset flux, running
median/maximum, local maxima (scipy's results without importing scipy).

Plain numpy on purpose: librosa's import (~0.6 s) and its numba-jitted paths (seconds of JIT on a
cold process) dominated the analysts' cost, while the maths they need here is a few lines each.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np


def to_rate(y: np.ndarray, sr: int, target: int) -> np.ndarray:
    """Polyphase resampling of a mono signal (scipy's resample_poly, in numpy: resample.py)."""
    if sr == target:
        return y
    from sonicgrid.tools.analysts.resample import resample_poly

    return resample_poly(y, int(target), int(sr)).astype(np.float32)


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


def _windows(x: np.ndarray, size: int, axis: int, mode: Literal["edge", "symmetric"]) -> np.ndarray:
    """Every centred window of odd `size` along `axis` (a view on the padded array; windows last)."""
    if size % 2 == 0:
        raise ValueError(f"running filters take odd sizes only, not {size}")
    pad = [(0, 0)] * x.ndim
    pad[axis % x.ndim] = (size // 2, size // 2)
    return np.lib.stride_tricks.sliding_window_view(np.pad(x, pad, mode=mode), size, axis=axis)


def median_filter(x: np.ndarray, size: int, axis: int) -> np.ndarray:
    """Running median of odd `size` along `axis`, edges repeated: scipy.ndimage.median_filter with
    mode="nearest" and that size on one axis (the same numbers, tested), by partitioning window views."""
    return np.partition(_windows(x, size, axis, "edge"), size // 2, axis=-1)[..., size // 2]


def moving_mean(x: np.ndarray, size: int, axis: int = -1) -> np.ndarray:
    """Mean over x[i - size//2 .. i - size//2 + size - 1] along `axis`, edges mirrored:
    scipy.ndimage.uniform_filter1d(x, size, axis) (float64 sums, then x's float type)."""
    lo = size // 2
    ax = axis % x.ndim
    pad = [(0, 0)] * x.ndim
    pad[ax] = (lo, size - 1 - lo)
    xp = np.moveaxis(np.pad(x.astype(np.float64), pad, mode="symmetric"), ax, 0)
    cs = np.concatenate([np.zeros((1,) + xp.shape[1:]), np.cumsum(xp, axis=0)])
    out = np.moveaxis((cs[size:] - cs[:-size])[: x.shape[ax]] / size, 0, ax)
    return out.astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)


def max_filter(x: np.ndarray, size: int, axis: int = -1) -> np.ndarray:
    """Running maximum of odd `size` along `axis`, edges mirrored: scipy.ndimage.maximum_filter1d."""
    return _windows(x, size, axis, "symmetric").max(axis=-1)


def relmax(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, ...]:
    """Indices of strict local maxima along `axis`, never at the ends: scipy.signal.argrelmax(x, axis)."""
    x = np.moveaxis(np.asarray(x), axis, 0)
    hit = np.zeros(x.shape, bool)
    hit[1:-1] = (x[1:-1] > x[:-2]) & (x[1:-1] > x[2:])
    return tuple(np.nonzero(np.moveaxis(hit, 0, axis)))


def hpss_ratio(S: np.ndarray, kernel: int = 17) -> tuple[float, np.ndarray]:
    """Percussive share of energy by median-filter HPSS (soft masks), on a compact spectrogram."""
    if S.shape[1] < 3:
        return 0.0, np.zeros_like(S)
    H = median_filter(S, kernel, axis=1)
    P = median_filter(S, kernel, axis=0)
    Hp, Pp = H**2, P**2
    mask_p = Pp / (Hp + Pp + 1e-12)
    Pm = S * mask_p
    return float(Pm.sum() / (S.sum() + 1e-9)), Pm


def onset_flux(mel: np.ndarray) -> np.ndarray:
    """Spectral flux of the log-compressed mel spectrogram, half-wave rectified, mean over bands."""
    L = np.log1p(100.0 * mel / (mel.max() + 1e-9))
    ref = max_filter(L, 3, axis=0)  # SuperFlux: vibrato and slow glides do not count
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
    thr = median_filter(env, w, axis=0) + K_STD * env.std() + 1e-6
    cand = np.flatnonzero((env[1:-1] > env[:-2]) & (env[1:-1] >= env[2:]) & (env[1:-1] > thr[1:-1])) + 1
    out: list[int] = []
    gap = max(1, int(min_gap_s * fps))
    for c in cand:
        if not out or c - out[-1] >= gap:
            out.append(int(c))
    return np.array(out, int)
