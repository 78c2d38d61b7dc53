"""The critic's Griffin-Lim degradations: the fast variant really converges further, and the mel vocoder's
smear really removes the harmonics that mel bands cannot hold (degrade.griffin_lim_of, _mel_smoothed)."""

from __future__ import annotations

import numpy as np
from scipy.signal import stft

from sonicgrid.tools.analysts import degrade

SR = 22050


def _chord(seconds: float = 1.5) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    y = sum(np.sin(2 * np.pi * f * t) / (1 + i) for i, f in enumerate((196.0, 247.0, 294.0, 392.0, 523.0)))
    y = y * (0.6 + 0.4 * np.sin(2 * np.pi * 1.5 * t))  # a swell, so that phases must follow a change
    return np.stack([y, y], axis=1).astype(np.float32) * 0.2


def _distance(a: np.ndarray, b: np.ndarray, n: int = 1024) -> float:
    """Spectral convergence of b's magnitude to a's."""
    A = np.abs(stft(a[:, 0], nperseg=n, noverlap=3 * n // 4)[2])
    B = np.abs(stft(b[:, 0], nperseg=n, noverlap=3 * n // 4)[2])
    return float(np.linalg.norm(A - B) / np.linalg.norm(A))


def test_fast_griffin_lim_converges_further_than_plain():
    x = _chord()
    rng = np.random.default_rng(0)
    plain = degrade.griffin_lim_of(24, 1024)(x, SR, np.random.default_rng(1))
    fast = degrade.griffin_lim_of(24, 1024, momentum=0.99)(x, SR, np.random.default_rng(1))
    d_plain, d_fast = _distance(x, plain), _distance(x, fast)
    assert d_fast < 0.8 * d_plain, (d_fast, d_plain)
    assert _distance(x, degrade.griffin_lim_of(1, 1024)(x, SR, rng)) > d_plain  # more iterations do help


def test_mel_smear_keeps_the_envelope_but_not_the_upper_harmonics():
    f0, n = 110.0, 2048
    t = np.arange(SR) / SR
    tone = sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 60))
    mag = np.abs(stft(tone, fs=SR, nperseg=n)[2]).mean(axis=1)[:, None]
    smooth = degrade._mel_smoothed(mag, SR, n, 64)[:, 0]
    freqs = np.fft.rfftfreq(n, 1 / SR)

    def peak_to_valley(m: np.ndarray, lo: float, hi: float) -> float:
        sel = (freqs >= lo) & (freqs < hi)
        return float(20 * np.log10(m[sel].max() / (np.percentile(m[sel], 20) + 1e-12)))

    assert peak_to_valley(mag[:, 0], 3000, 4000) > 20  # the clean tone's harmonics stand out up there
    assert peak_to_valley(smooth, 3000, 4000) < 6  # mel bands wider than 110 Hz smear them flat
    assert peak_to_valley(smooth, 100, 400) > 10  # the low harmonics, finer than the bands, survive
    lo = (freqs > 200) & (freqs < 6000)
    ratio = smooth[lo].sum() / mag[lo, 0].sum()
    assert 0.7 < ratio < 1.3  # the spectral envelope (the energy) is kept
