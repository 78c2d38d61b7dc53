"""Polyphase resampling in numpy: scipy.signal.resample_poly's result (same Kaiser-windowed sinc, same
padding and delay), bit for bit in tests/unit/test_numpy_kernels.py, without importing scipy.signal (~1.3 s
of a cold process that only needs to hear a clip).

For each output phase the taps that reach it are a fixed slice of the filter, and the inputs they meet
are a strided slice of the signal: one multiply-add per tap over all outputs of that phase.
"""

from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np


def firwin_kaiser(numtaps: int, cutoff: float, beta: float = 5.0) -> np.ndarray:
    """scipy.signal.firwin(numtaps, cutoff, window=("kaiser", beta)): a low-pass with unit gain at DC;
    `cutoff` relative to Nyquist."""
    m = np.arange(numtaps) - (numtaps - 1) / 2
    h = cutoff * np.sinc(cutoff * m) * np.kaiser(numtaps, beta)
    return h / h.sum()


@lru_cache(maxsize=16)
def _plan(up: int, down: int, dtype: str) -> tuple[np.ndarray, int]:
    """(taps per phase, reversed: shape (up, L)), and how many leading outputs resample_poly drops."""
    dt = np.dtype(dtype)
    max_rate = max(up, down)
    half = 10 * max_rate
    h = firwin_kaiser(2 * half + 1, 1.0 / max_rate).astype(dt) * up
    pre = down - half % down
    hp = np.concatenate([np.zeros(pre, dt), h])
    length = -(-len(hp) // up)
    hp = np.concatenate([hp, np.zeros(length * up - len(hp), dt)])
    return np.ascontiguousarray(hp.reshape(length, up).T[:, ::-1]), (half + pre) // down


def resample_poly(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """x (1-D) resampled by up/down, as scipy.signal.resample_poly(x, up, down) computes it."""
    x = np.asarray(x)
    g = gcd(int(up), int(down))
    up, down = int(up) // g, int(down) // g
    if up == down == 1:
        return x.copy()
    dt = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float64)
    taps, remove = _plan(up, down, dt.str)
    length = taps.shape[1]
    n_out = -(-len(x) * up // down)
    last = ((n_out - 1 + remove) * down) // up  # the newest input the last output reads
    xp = np.concatenate(
        [np.zeros(length - 1, dt), x.astype(dt, copy=False), np.zeros(max(0, last + 1 - len(x)) + 1, dt)]
    )
    y = np.zeros(n_out, dt)
    for n0 in range(min(up, n_out)):  # outputs n0, n0 + up, ... share a phase
        m0 = (n0 + remove) * down
        p, b0 = m0 % up, m0 // up
        count = len(range(n0, n_out, up))
        acc = np.zeros(count, dt)
        for j, t in enumerate(taps[p]):
            if t != 0:
                acc += t * xp[b0 + j : b0 + j + (count - 1) * down + 1 : down]
        y[n0::up] = acc
    return y
