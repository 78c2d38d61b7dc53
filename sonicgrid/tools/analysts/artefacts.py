"""Processing artefacts the critic's other measures miss: a phase vocoder's time-stretch and a hiss floor a
little under the music. Plain numbers (cheap numpy on the clip's own rate); the learned critic weighs them.

- transients (phase vocoder): a stretch spreads every attack over its window (20-90 ms), so the sharpest
  rises of the treble envelope (the first difference of the signal: cymbals, picks, consonants) become
  slower and as slow as its falls; measured on a 2.5 ms envelope: the steepest 5 ms rise, its ratio to the
  steepest 40 ms rise, and the rise/fall asymmetry;
- stereo coherence (a phase vocoder on each channel): a mix keeps one phase relation between the channels
  in each bin over the clip; channels re-phased independently lose it (their levels still match);
- hiss floor: stationary noise fills every band's quietest frames at a steady level: per 1/3-octave band
  above 2 kHz the minimum of the smoothed band level against its mean (music's treble has gaps; hiss none),
  and the level and flatness of the top band (above 11 kHz, where music thins out and white noise is
  strongest) in the quietest frames against the music's loud level.
"""

from __future__ import annotations

import itertools

import numpy as np

from sonicgrid.tools.analysts import dsp

NAMES = (
    "hf_rise5_db",
    "hf_rise_ratio",
    "hf_rise_fall_db",
    "stereo_coherence",
    "floor_min_mean_db",
    "floor_min_air_db",
    "top_quiet_db",
    "top_quiet_flatness",
)


def transients(mono: np.ndarray, sr: int) -> dict[str, float]:
    """The treble envelope's attacks: steepest 5 ms rise (p99.5, dB), its ratio to the steepest 40 ms
    rise, and the p99.5 rise minus the p99.5 fall over 5 ms."""
    d = np.diff(mono.astype(np.float64))
    frame = max(4, int(0.005 * sr))
    hop = frame // 2
    if len(d) < 20 * frame:
        return {"hf_rise5_db": 0.0, "hf_rise_ratio": 0.0, "hf_rise_fall_db": 0.0}
    c = np.concatenate([[0.0], np.cumsum(d**2)])
    starts = np.arange(0, len(d) - frame + 1, hop)
    e = 10 * np.log10((c[starts + frame] - c[starts]) / frame + 1e-12)
    e = np.maximum(e, e.max() - 60.0)  # below 60 dB under the loudest frame: silence, not attacks
    r5 = e[2:] - e[:-2]
    r40 = e[16:] - e[:-16]
    rise5 = float(np.percentile(r5, 99.5))
    return {
        "hf_rise5_db": rise5,
        "hf_rise_ratio": rise5 / (float(np.percentile(r40, 99.5)) + 3.0),
        "hf_rise_fall_db": rise5 - float(np.percentile(-r5, 99.5)),
    }


def stereo_coherence(x: np.ndarray, sr: int, n: int = 2048) -> float:
    """Magnitude-squared coherence of the two channels per bin (100 Hz-8 kHz, over the whole clip),
    energy-weighted: what a mix places in both channels keeps one phase relation; a phase vocoder run on
    each channel re-phases them apart (1 for a mono file)."""
    if x.shape[1] < 2 or len(x) < 2 * n:
        return 1.0
    w = np.hanning(n + 1)[:-1].astype(np.float32)
    L = np.fft.rfft(dsp.frames(np.ascontiguousarray(x[:, 0], np.float32), n, n // 2) * w, axis=1)
    R = np.fft.rfft(dsp.frames(np.ascontiguousarray(x[:, 1], np.float32), n, n // 2) * w, axis=1)
    f = np.fft.rfftfreq(n, 1 / sr)
    keep = (f > 100) & (f < 8000)
    L, R = L[:, keep], R[:, keep]
    pl, pr = (np.abs(L) ** 2).sum(axis=0), (np.abs(R) ** 2).sum(axis=0)
    coh = np.abs((L * np.conj(R)).sum(axis=0)) ** 2 / (pl * pr + 1e-30)
    e = np.sqrt(pl * pr)
    return float((coh * e).sum() / (e.sum() + 1e-30))


def hiss_floor(mono: np.ndarray, sr: int) -> dict[str, float]:
    """Per 1/3-octave band from 2 kHz: the quietest smoothed level against the band's mean (dB; median over
    bands, and over the bands above 5 kHz); the top band's (11 kHz to 0.9 x Nyquist) level in the quietest
    fifth of frames against the loud frames' full-band level, and its spectral flatness there."""
    n = 1024
    P = dsp.stft_mag(mono, n, n // 2).astype(np.float64) ** 2
    freqs = np.fft.rfftfreq(n, 1 / sr)
    tiny = float(P.max()) * 1e-12 + 1e-20
    out = {"floor_min_mean_db": 0.0, "floor_min_air_db": 0.0, "top_quiet_db": -100.0, "top_quiet_flatness": 0.0}
    if P.shape[1] < 8:
        return out
    edges = 2000.0 * 2.0 ** (np.arange(0, 40) / 3)
    edges = edges[edges < 0.45 * sr]
    ratios, air = [], []
    for a, b in itertools.pairwise(edges):
        sel = (freqs >= a) & (freqs < b)
        if not sel.any():
            continue
        e = P[sel].sum(axis=0)
        sm = np.convolve(e, np.ones(3) / 3, mode="valid")
        r = 10 * np.log10((sm.min() + tiny) / (e.mean() + tiny))
        ratios.append(r)
        if a >= 5000:
            air.append(r)
    out["floor_min_mean_db"] = float(np.median(ratios)) if ratios else 0.0
    out["floor_min_air_db"] = float(np.median(air)) if air else 0.0
    total = P.sum(axis=0)
    quiet = total <= np.percentile(total, 20)
    loud = float(np.percentile(total, 90)) + tiny
    top = (freqs >= 11000) & (freqs < 0.45 * sr)
    if top.sum() >= 4:
        fl = P[top][:, quiet].mean(axis=1) + tiny
        out["top_quiet_db"] = float(max(-100.0, 10 * np.log10(fl.sum() / loud)))
        out["top_quiet_flatness"] = float(np.exp(np.mean(np.log(fl))) / np.mean(fl))
    return out


def measure(x: np.ndarray, mono: np.ndarray, sr: int) -> dict[str, float]:
    """Every artefact measurement of one clip (stereo samples x, their mono mix), by name (NAMES)."""
    out = transients(mono, sr)
    out["stereo_coherence"] = stereo_coherence(x, sr)
    out.update(hiss_floor(mono, sr))
    return {k: float(out[k]) for k in NAMES}
