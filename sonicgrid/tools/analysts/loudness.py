"""ITU-R BS.1770-4 integrated loudness (LUFS) in plain numpy.

The same meter as pyloudnorm's default (RBJ K-weighting: a +4 dB high shelf at 1.5 kHz and a 38 Hz
high-pass, 400 ms blocks with 75 % overlap, -70 LUFS absolute and -10 LU relative gates), measured to
within 0.001 LU of it in tests/unit/test_numpy_kernels.py. The two biquads run as an exact
recursion blockwise (loudness.iir_filter): no scipy.signal import, which is ~1.3 s of a cold CLI
process that only needs to master or measure a clip.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

BLOCK_S = 0.4
OVERLAP = 0.75
ABS_GATE = -70.0
REL_GATE = -10.0
GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)  # L, R, C, Ls, Rs


def _biquad(kind: str, gain_db: float, q: float, fc: float, sr: float) -> tuple[np.ndarray, np.ndarray]:
    """RBJ cookbook coefficients (b, a), as pyloudnorm's IIRfilter designs them."""
    A = 10 ** (gain_db / 40.0)
    w0 = 2.0 * np.pi * fc / sr
    alpha = np.sin(w0) / (2.0 * q)
    c = np.cos(w0)
    if kind == "high_shelf":
        sa = 2 * np.sqrt(A) * alpha
        b = [A * ((A + 1) + (A - 1) * c + sa), -2 * A * ((A - 1) + (A + 1) * c), A * ((A + 1) + (A - 1) * c - sa)]
        a = [(A + 1) - (A - 1) * c + sa, 2 * ((A - 1) - (A + 1) * c), (A + 1) - (A - 1) * c - sa]
    else:  # high_pass
        b = [(1 + c) / 2, -(1 + c), (1 + c) / 2]
        a = [1 + alpha, -2 * c, 1 - alpha]
    return np.asarray(b) / a[0], np.asarray(a) / a[0]


@lru_cache(maxsize=8)
def _kernels(a: tuple[float, ...], block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the all-pole filter 1/A: the block's zero-state matrix (lower-triangular Toeplitz of 1/A's
    impulse response), its free response to each of the p outputs before the block, and the map from
    the state before a block to the state after it."""
    p = len(a) - 1
    imp = np.zeros(block + p)  # impulse response, p leading zeros
    free = np.zeros((block + p, p))  # free responses: row p-1-m holds y[-1-m] = 1
    free[:p] = np.eye(p)[::-1]
    for i in range(p, block + p):
        imp[i] = (1.0 if i == p else 0.0) - sum(a[m] * imp[i - m] for m in range(1, p + 1))
        free[i] = -sum(a[m] * free[i - m] for m in range(1, p + 1))
    imp, free = imp[p:], free[p:]
    idx = np.arange(block)
    lag = idx[:, None] - idx[None, :]
    toe = np.where(lag >= 0, imp[np.clip(lag, 0, None)], 0.0)
    step = free[block - 1 - np.arange(p)]  # (p, p): state after a block = part's tail + step @ state
    return toe, free, step


def iir_filter(x: np.ndarray, b: np.ndarray, a: np.ndarray, block: int = 256) -> np.ndarray:
    """lfilter(b, a, x, axis=0) with zero initial state for (samples, ch) float64 audio, a[0] == 1.

    The FIR part is a vectorised sum; the all-pole part runs a block at a time: within a block the
    output is the block's input convolved with 1/A's impulse response (one matrix product for every
    block and channel) plus the free response to the p outputs before the block, which is the only
    sequential step (one p x p update per block)."""
    n, chans = x.shape
    p = len(a) - 1
    v = b[0] * x
    for k in range(1, len(b)):
        v[k:] += b[k] * x[:-k]
    toe, free, step = _kernels(tuple(float(c) for c in a), block)
    nb = -(-n // block)
    vb = np.zeros((nb * block, chans))
    vb[:n] = v
    part = np.einsum("kic,ji->kjc", vb.reshape(nb, block, chans), toe, optimize=True)  # (blocks, block, ch)
    tails = part[:, block - 1 - np.arange(p), :]  # (blocks, p, ch): last p outputs, newest first
    states = np.empty((nb, p, chans))
    st = np.zeros((p, chans))
    for j in range(nb):
        states[j] = st
        st = tails[j] + step @ st
    part += np.einsum("ip,kpc->kic", free, states, optimize=True)
    return part.reshape(nb * block, chans)[:n]


def k_weight(x: np.ndarray, sr: float) -> np.ndarray:
    """K-weighted copy of (samples, ch) float64 audio: the shelf and the high-pass as one 4th-order filter."""
    (b1, a1), (b2, a2) = (
        _biquad("high_shelf", 4.0, 1 / np.sqrt(2), 1500.0, sr),
        _biquad("high_pass", 0.0, 0.5, 38.0, sr),
    )
    return iir_filter(x, np.convolve(b1, b2), np.convolve(a1, a2))


def integrated(x: np.ndarray, sr: float) -> float:
    """Integrated loudness of (samples,) or (samples, ch<=5) audio at least one block long; -inf for silence."""
    x = np.asarray(x, np.float64)
    x = x[:, None] if x.ndim == 1 else x
    n, chans = x.shape
    if n < BLOCK_S * sr:
        raise ValueError(f"audio shorter than one {BLOCK_S * 1000:.0f} ms gating block")
    y = k_weight(x, sr)
    step = 1.0 - OVERLAP
    blocks = int(np.round((n / sr - BLOCK_S) / (BLOCK_S * step))) + 1
    j = np.arange(blocks)
    lo = (BLOCK_S * (j * step) * sr).astype(np.int64)
    hi = np.minimum((BLOCK_S * (j * step + 1) * sr).astype(np.int64), n)
    cs = np.vstack([np.zeros((1, chans)), np.cumsum(y * y, axis=0)])
    z = (cs[hi] - cs[lo]) / (BLOCK_S * sr)  # (blocks, ch) mean squares
    g = np.asarray(GAINS[:chans])
    with np.errstate(divide="ignore"):
        per_block = -0.691 + 10.0 * np.log10(z @ g)
        above = per_block >= ABS_GATE
        if not above.any():
            return float("-inf")
        rel = -0.691 + 10.0 * np.log10(z[above].mean(axis=0) @ g) + REL_GATE
        keep = (per_block > rel) & (per_block > ABS_GATE)
        if not keep.any():
            return float("-inf")
        return float(-0.691 + 10.0 * np.log10(z[keep].mean(axis=0) @ g))
