"""Degradations of good audio: the critic's "bad" class in training and the gate's test in eval_ears.

Each takes a stereo float32 array (frames, 2) at `sr` and a numpy Generator and returns a new array of the
same shape. Kinds are the issue's list: noise at three SNRs, dropouts, band-limiting, quantisation,
clipping, DC offset, a dead channel, a bare tone, silence, time-stretch (phase-vocoder) artefacts,
Griffin-Lim smear, and failed generations (a stuck note, a truncated render).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.signal import butter, istft, sosfiltfilt, stft

Degrader = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12)


def _noise(snr_db: float) -> Degrader:
    def f(x, sr, rng):
        n = rng.standard_normal(x.shape).astype(np.float32)
        return x + n * (_rms(x) / _rms(n)) * 10 ** (-snr_db / 20)

    return f


def dropouts(x, sr, rng):
    """Half the audio gone in 200 ms holes (and at least four of them)."""
    y = x.copy()
    hole = int(0.2 * sr)
    n = max(4, int(0.5 * len(x) / hole))
    for s in rng.choice(max(1, len(x) // hole), size=min(n, max(1, len(x) // hole)), replace=False):
        y[s * hole : (s + 1) * hole] = 0.0
    return y


def _lowpass(hz: float) -> Degrader:
    def f(x, sr, rng):
        return sosfiltfilt(butter(8, hz, fs=sr, output="sos"), x, axis=0).astype(np.float32)

    return f


def _band(lo: float, hi: float) -> Degrader:
    def f(x, sr, rng):
        return sosfiltfilt(butter(6, [lo, hi], btype="band", fs=sr, output="sos"), x, axis=0).astype(np.float32)

    return f


def quantise(x, sr, rng):
    """8-bit (256 levels), no dither."""
    peak = float(np.abs(x).max()) + 1e-9
    return (np.round(x / peak * 127) / 127 * peak).astype(np.float32)


def clipping(x, sr, rng):
    """Driven 12 dB into a hard clip."""
    return np.clip(x / (np.abs(x).max() + 1e-9) * 4.0, -1.0, 1.0).astype(np.float32)


def dc_offset(x, sr, rng):
    return (x * 0.5 + 0.5).astype(np.float32)


def dead_channel(x, sr, rng):
    y = x.copy()
    y[:, int(rng.integers(0, 2))] = 0.0
    return y


def bare_tone(x, sr, rng):
    """The clip replaced by one sine at its loudness (a generator that produced a test tone)."""
    f0 = float(rng.choice([220.0, 440.0, 1000.0]))
    t = np.arange(len(x)) / sr
    tone = np.sin(2 * np.pi * f0 * t).astype(np.float32)[:, None] * np.ones((1, x.shape[1]), np.float32)
    return tone * _rms(x) / _rms(tone)


def silence(x, sr, rng):
    return (rng.standard_normal(x.shape) * 1e-5).astype(np.float32)


def time_stretch(x, sr, rng):
    """A crude phase-vocoder stretch by 0.7 and back (phasiness, smeared transients)."""
    out = []
    for ch in range(x.shape[1]):
        _, _, Z = stft(x[:, ch], fs=sr, nperseg=2048, noverlap=1536)
        mag, ph = np.abs(Z), np.angle(Z)
        idx = np.arange(0, Z.shape[1] - 1, 0.7)
        m = mag[:, idx.astype(int)]
        dphi = np.diff(ph, axis=1)[:, idx.astype(int)]
        Y = m * np.exp(1j * np.cumsum(dphi, axis=1))
        _, y = istft(Y, fs=sr, nperseg=2048, noverlap=1536)
        y = np.interp(np.linspace(0, len(y) - 1, len(x)), np.arange(len(y)), y)
        out.append(y)
    y = np.stack(out, axis=1).astype(np.float32)
    return y * _rms(x) / _rms(y)


def griffin_lim(x, sr, rng, iters: int = 4):
    """Magnitude kept, phase re-estimated by a few Griffin-Lim iterations from random phase (of the mid
    channel, copied to both: a vocoded stem is mono)."""
    out = []
    for mid in (x.mean(axis=1),):
        _, _, Z = stft(mid, fs=sr, nperseg=1024, noverlap=768)
        mag = np.abs(Z)
        ph = np.exp(2j * np.pi * rng.random(mag.shape))
        for _ in range(iters):
            _, y = istft(mag * ph, fs=sr, nperseg=1024, noverlap=768)
            _, _, Z2 = stft(y, fs=sr, nperseg=1024, noverlap=768)
            ph = np.exp(1j * np.angle(Z2[:, : mag.shape[1]]))
        _, y = istft(mag * ph, fs=sr, nperseg=1024, noverlap=768)
        out.append(np.pad(y, (0, max(0, len(x) - len(y))))[: len(x)])
    y = np.repeat(np.stack(out, axis=1), x.shape[1], axis=1).astype(np.float32)
    return y * _rms(x) / _rms(y)


def stuck_note(x, sr, rng):
    """A failed render: one organ-like note held through, a little noise."""
    f0 = 110.0 * 2 ** (int(rng.integers(0, 24)) / 12)
    t = np.arange(len(x)) / sr
    tone = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in (1, 2, 3, 4))
    y = np.asarray(tone, np.float32)[:, None] * np.ones((1, x.shape[1]), np.float32)
    y += 0.01 * rng.standard_normal(y.shape).astype(np.float32)
    return y * _rms(x) / _rms(y)


def truncated(x, sr, rng):
    """A failed render that stops a fifth of the way in."""
    y = x.copy()
    y[int(0.2 * len(x)) :] = 0.0
    return y


DEGRADATIONS: dict[str, Degrader] = {
    "noise_0db": _noise(0.0),
    "noise_10db": _noise(10.0),
    "noise_20db": _noise(20.0),
    "dropouts": dropouts,
    "lowpass_1k": _lowpass(1000.0),
    "telephone": _band(300.0, 3000.0),
    "quantise_8bit": quantise,
    "clipping": clipping,
    "dc_offset": dc_offset,
    "dead_channel": dead_channel,
    "bare_tone": bare_tone,
    "silence": silence,
    "time_stretch": time_stretch,
    "griffin_lim": griffin_lim,
    "stuck_note": stuck_note,
    "truncated": truncated,
}


def degrade(x: np.ndarray, sr: int, kind: str, seed: int = 0) -> np.ndarray:
    return DEGRADATIONS[kind](np.asarray(x, np.float32), sr, np.random.default_rng(seed))
