"""Degradations of good audio: the critic's "bad" class in training and the gate's test in eval_ears.

Each degrader takes a stereo float32 array (frames, 2) at `sr` and a numpy Generator and returns a new array
of the same shape. Kinds are the issue's list: noise at three SNRs, dropouts, band-limiting, quantisation,
clipping, DC offset, a dead channel, a bare tone, silence, time-stretch (phase-vocoder) artefacts,
Griffin-Lim smear, and failed generations (a stuck note, a truncated render).

`DEGRADATIONS` are the canonical settings (the gate's test in eval_ears.py); `varied(kind, rng)` draws a
degrader of the same kind with random strength and flavour (SNR and noise colour, hole length and depth,
cut-off and slope, bit depth and dither, ...), so that the critic learns the flaw and not one setting.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.signal import butter, istft, sosfilt, sosfiltfilt, stft

Degrader = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12)


def _coloured(shape: tuple[int, ...], colour: str, rng: np.random.Generator, sr: int = 44100) -> np.ndarray:
    """White, pink (-3 dB/octave) or brown (-6 dB/octave) Gaussian noise; the slope flattens below 100 Hz
    (else most of the power would be inaudible rumble and the SNR would not say what one hears)."""
    n = rng.standard_normal(shape)
    if colour == "white" or shape[0] < 4:
        return n.astype(np.float32)
    spec = np.fft.rfft(n, axis=0)
    f = np.maximum(np.fft.rfftfreq(shape[0]), 100.0 / sr)
    spec *= (f ** (-0.5 if colour == "pink" else -1.0))[:, None]
    return np.fft.irfft(spec, n=shape[0], axis=0).astype(np.float32)


def noise(snr_db: float, colour: str = "white") -> Degrader:
    def f(x, sr, rng):
        n = _coloured(x.shape, colour, rng, sr)
        return (x + n * (_rms(x) / _rms(n)) * 10 ** (-snr_db / 20)).astype(np.float32)

    return f


def dropouts_of(hole_s: float = 0.2, share: float = 0.5, depth_db: float | None = None) -> Degrader:
    """`share` of the audio gone in `hole_s` holes (at least four), zeroed or `depth_db` down."""

    def f(x, sr, rng):
        y = x.copy()
        hole = max(1, int(hole_s * sr))
        slots = max(1, len(x) // hole)
        n = min(slots, max(4, int(share * len(x) / hole)))
        gain = 0.0 if depth_db is None else 10 ** (-depth_db / 20)
        for s in rng.choice(slots, size=n, replace=False):
            y[s * hole : (s + 1) * hole] *= gain
        return y

    return f


def lowpass(hz: float, order: int = 8, causal: bool = False) -> Degrader:
    """A Butterworth low-pass, run forwards and back (zero phase, twice the slope) or once (`causal`)."""

    def f(x, sr, rng):
        sos = butter(order, hz, fs=sr, output="sos")
        return (sosfilt(sos, x, axis=0) if causal else sosfiltfilt(sos, x, axis=0)).astype(np.float32)

    return f


def band(lo: float, hi: float, order: int = 6) -> Degrader:
    def f(x, sr, rng):
        sos = butter(order, [lo, hi], btype="band", fs=sr, output="sos")
        return sosfiltfilt(sos, x, axis=0).astype(np.float32)

    return f


def quantise_to(bits: int = 8, dither: bool = False, full_scale: bool = False) -> Degrader:
    """`bits` bits (2**(bits-1) - 1 steps each side) of the clip's peak (or of full scale), optional TPDF dither."""

    def f(x, sr, rng):
        scale = 1.0 if full_scale else float(np.abs(x).max()) + 1e-9
        steps = 2 ** (bits - 1) - 1
        v = x / scale * steps
        if dither:
            v = v + rng.random(x.shape) - rng.random(x.shape)
        return (np.round(v) / steps * scale).astype(np.float32)

    return f


def clip_by(drive_db: float = 12.0, ceiling: float = 1.0) -> Degrader:
    """Driven `drive_db` over `ceiling` into a hard clip."""

    def f(x, sr, rng):
        g = ceiling * 10 ** (drive_db / 20) / (np.abs(x).max() + 1e-9)
        return np.clip(x * g, -ceiling, ceiling).astype(np.float32)

    return f


def dc_by(offset: float = 0.5, gain: float = 0.5, channels: int = 2, relative: bool = False) -> Degrader:
    """Scaled by `gain` and shifted by `offset` (of full scale, or of the clip's peak), on one or both channels."""

    def f(x, sr, rng):
        y = x * gain
        pick = [int(rng.integers(0, 2))] if channels == 1 else [0, 1]
        y[:, pick] += offset * (float(np.abs(x).max()) + 1e-9 if relative else 1.0)
        return y.astype(np.float32)

    return f


def dead_channel_of(level_db: float | None = None, invert: bool = False) -> Degrader:
    """One channel silent (or `level_db` down, or polarity-inverted: a mono sum that cancels)."""

    def f(x, sr, rng):
        y = x.copy()
        c = int(rng.integers(0, 2))
        if invert:
            y[:, c] = -y[:, 1 - c]
        else:
            y[:, c] = 0.0 if level_db is None else y[:, c] * 10 ** (-level_db / 20)
        return y

    return f


def tone(freqs: tuple[float, ...] = (220.0, 440.0, 1000.0), vibrato: float = 0.0) -> Degrader:
    """The clip replaced by one sine at its loudness (a generator that produced a test tone)."""

    def f(x, sr, rng):
        f0 = float(rng.choice(freqs))
        t = np.arange(len(x)) / sr
        ph = 2 * np.pi * f0 * t + vibrato * np.sin(2 * np.pi * 5.0 * t)
        s = np.sin(ph).astype(np.float32)[:, None] * np.ones((1, x.shape[1]), np.float32)
        return s * _rms(x) / _rms(s)

    return f


def silence_at(level: float = 1e-5) -> Degrader:
    def f(x, sr, rng):
        return (rng.standard_normal(x.shape) * level).astype(np.float32)

    return f


def stretch(factor: float = 0.7, nperseg: int = 2048, keep_pitch: bool = False) -> Degrader:
    """A crude phase-vocoder stretch of each channel by `factor` (phasiness, smeared attacks, channels
    re-phased apart); then either resampled back to the clip's length (np.interp: the pitch moves too) or,
    `keep_pitch`, cut to the clip's length (a speed-up, factor > 1, is fed the clip and its mirror image so
    that it still fills the length)."""

    def f(x, sr, rng):
        src = np.concatenate([x, x[::-1]]) if keep_pitch and factor > 1 else x
        out = []
        for ch in range(x.shape[1]):
            _, _, Z = stft(src[:, ch], fs=sr, nperseg=nperseg, noverlap=nperseg * 3 // 4)
            mag, ph = np.abs(Z), np.angle(Z)
            idx = np.arange(0, Z.shape[1] - 1, factor).astype(int)
            dphi = np.diff(ph, axis=1)[:, idx]
            Y = mag[:, idx] * np.exp(1j * np.cumsum(dphi, axis=1))
            _, y = istft(Y, fs=sr, nperseg=nperseg, noverlap=nperseg * 3 // 4)
            if keep_pitch:
                out.append(np.pad(y, (0, max(0, len(x) - len(y))))[: len(x)])
            else:
                out.append(np.interp(np.linspace(0, len(y) - 1, len(x)), np.arange(len(y)), y))
        y = np.stack(out, axis=1).astype(np.float32)
        return y * _rms(x) / _rms(y)

    return f


def _mel_smoothed(mag: np.ndarray, sr: int, n_fft: int, bands: int) -> np.ndarray:
    """The magnitude seen through `bands` mel bands and spread back over the bins (what a mel-spectrogram
    vocoder keeps: the envelope, not the harmonics above a few hundred Hz)."""
    from sonicgrid.tools.analysts.dsp import mel_bank

    fb = mel_bank(sr, n_fft, bands, 0.0, sr / 2).astype(np.float64)
    fb /= fb.sum(axis=1, keepdims=True) + 1e-12
    back = fb.T / (fb.T.sum(axis=1, keepdims=True) + 1e-12)
    return back @ (fb @ mag)


def griffin_lim_of(
    iters: int = 4, nperseg: int = 1024, stereo: bool = False, momentum: float = 0.0, mel_bands: int = 0
) -> Degrader:
    """Magnitude kept, phase re-estimated by Griffin-Lim iterations from random phase (of the mid channel
    copied to both, a vocoded stem is mono; or of each channel). `momentum` > 0: the fast variant
    (each new estimate pushed away from the previous one, as librosa.griffinlim does by default: it
    converges much further in the same iterations). `mel_bands` > 0: the magnitude is first smoothed
    through that many mel bands, as a mel-spectrogram vocoder inverts it."""

    def f(x, sr, rng):
        chans = [x[:, c] for c in range(x.shape[1])] if stereo else [x.mean(axis=1)]
        hop = nperseg // 4
        out = []
        for sig in chans:
            _, _, Z = stft(sig, fs=sr, nperseg=nperseg, noverlap=nperseg - hop)
            mag = np.abs(Z)
            if mel_bands:
                mag = _mel_smoothed(mag, sr, nperseg, mel_bands)
            ph = np.exp(2j * np.pi * rng.random(mag.shape))
            prev = None
            for _ in range(iters):
                _, y = istft(mag * ph, fs=sr, nperseg=nperseg, noverlap=nperseg - hop)
                _, _, Z2 = stft(y, fs=sr, nperseg=nperseg, noverlap=nperseg - hop)
                est = Z2[:, : mag.shape[1]]
                push = est if prev is None or not momentum else est - momentum / (1.0 + momentum) * prev
                prev = est
                ph = push / (np.abs(push) + 1e-12)
            _, y = istft(mag * ph, fs=sr, nperseg=nperseg, noverlap=nperseg - hop)
            out.append(np.pad(y, (0, max(0, len(x) - len(y))))[: len(x)])
        y = np.stack(out, axis=1)
        if y.shape[1] != x.shape[1]:
            y = np.repeat(y, x.shape[1], axis=1)
        y = y.astype(np.float32)
        return y * _rms(x) / _rms(y)

    return f


def stuck(harmonics: int = 4, noise_level: float = 0.01) -> Degrader:
    """A failed render: one organ-like note held through, a little noise."""

    def f(x, sr, rng):
        f0 = 110.0 * 2 ** (int(rng.integers(0, 24)) / 12)
        t = np.arange(len(x)) / sr
        s = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, harmonics + 1))
        y = np.asarray(s, np.float32)[:, None] * np.ones((1, x.shape[1]), np.float32)
        y += noise_level * rng.standard_normal(y.shape).astype(np.float32)
        return y * _rms(x) / _rms(y)

    return f


def truncate_at(at: float = 0.2) -> Degrader:
    """A failed render that stops `at` of the way in."""

    def f(x, sr, rng):
        y = x.copy()
        y[int(at * len(x)) :] = 0.0
        return y

    return f


DEGRADATIONS: dict[str, Degrader] = {
    "noise_0db": noise(0.0),
    "noise_10db": noise(10.0),
    "noise_20db": noise(20.0),
    "dropouts": dropouts_of(),
    "lowpass_1k": lowpass(1000.0),
    "telephone": band(300.0, 3000.0),
    "quantise_8bit": quantise_to(8),
    "clipping": clip_by(20 * np.log10(4.0)),
    "dc_offset": dc_by(),
    "dead_channel": dead_channel_of(),
    "bare_tone": tone(),
    "silence": silence_at(),
    "time_stretch": stretch(),
    "griffin_lim": griffin_lim_of(),
    "stuck_note": stuck(),
    "truncated": truncate_at(),
}


def varied(kind: str, rng: np.random.Generator) -> Degrader:
    """A degrader of `kind` with random strength and flavour (the training set's bad class; the ranges keep
    the flaw plainly audible: noise at most 22 dB under the music, holes of 30 ms and more, ...)."""
    u = rng.uniform
    colour = str(rng.choice(["white", "white", "pink", "brown"]))
    if kind.startswith("noise"):
        lo, hi = {"noise_0db": (-6.0, 4.0), "noise_10db": (4.0, 14.0), "noise_20db": (14.0, 22.0)}[kind]
        return noise(u(lo, hi), colour if kind != "noise_20db" else str(rng.choice(["white", "pink"])))
    if kind == "dropouts":
        return dropouts_of(u(0.03, 0.4), u(0.1, 0.5), None if rng.random() < 0.7 else u(30.0, 60.0))
    if kind == "lowpass_1k":
        # half of them one pass of order 3-8 (18-48 dB an octave, as a plain filter call makes it)
        hz, order, causal = float(np.exp(u(np.log(400.0), np.log(3500.0)))), int(rng.integers(3, 9)), rng.random() < 0.5
        return lowpass(hz, max(order, 4) if not causal else order, causal)
    if kind == "telephone":
        return band(u(200.0, 600.0), u(2500.0, 4500.0), int(rng.integers(3, 7)))
    if kind == "quantise_8bit":
        return quantise_to(int(rng.integers(4, 11)), bool(rng.random() < 0.3), bool(rng.random() < 0.3))
    if kind == "clipping":
        return clip_by(u(6.0, 20.0), float(rng.choice([1.0, 1.0, 0.5, 0.25])))
    if kind == "dc_offset":
        return dc_by(u(0.15, 0.6), u(0.5, 1.0), int(rng.choice([1, 2])), bool(rng.random() < 0.5))
    if kind == "dead_channel":
        r = rng.random()
        return dead_channel_of(None if r < 0.5 else u(30.0, 60.0), invert=r > 0.8)
    if kind == "bare_tone":
        return tone((float(np.exp(u(np.log(50.0), np.log(4000.0)))),), float(u(0.0, 2.0)))
    if kind == "silence":
        return silence_at(float(rng.choice([0.0, 1e-6, 1e-5, 1e-4])))
    if kind == "time_stretch":
        factor, n = float(rng.choice([u(0.5, 0.85), u(1.2, 1.6)])), int(rng.choice([1024, 2048, 4096]))
        return stretch(factor, n, keep_pitch=bool(rng.random() < 0.5))
    if kind == "griffin_lim":
        iters, n, stereo = int(rng.integers(1, 33)), int(rng.choice([512, 1024, 2048])), bool(rng.random() < 0.5)
        r = rng.random()  # a third plain, a third fast (momentum, more iterations), a third a mel vocoder's smear
        if r < 1 / 3:
            return griffin_lim_of(iters, n, stereo)
        fast = int(rng.integers(16, 65))
        return griffin_lim_of(
            fast, int(rng.choice([1024, 2048, 4096])), stereo, 0.99, 0 if r < 2 / 3 else int(rng.integers(64, 161))
        )
    if kind == "stuck_note":
        return stuck(int(rng.integers(1, 9)), float(u(0.0, 0.03)))
    if kind == "truncated":
        return truncate_at(u(0.05, 0.6))
    raise KeyError(kind)


def degrade(x: np.ndarray, sr: int, kind: str, seed: int = 0, vary: bool = False) -> np.ndarray:
    """`kind` at its canonical setting (or, with `vary`, at a setting drawn from the seed)."""
    rng = np.random.default_rng(seed)
    fn = varied(kind, rng) if vary else DEGRADATIONS[kind]
    return fn(np.asarray(x, np.float32), sr, rng)
