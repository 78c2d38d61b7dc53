"""The critic's DSP flaw measurements: plain numbers, each named for what an engineer would check by ear or on
a meter. No thresholds decide anything here; the learned critic (critic.py) weighs them.

- level and silence: loudness, silent share, crest factor;
- dropouts and truncation, from a 10 ms envelope (5 ms hop): holes (runs >= 40 dB under the clip's loud
  level, between sound), abrupt cuts (>= 35 dB down within 10 ms from a loud frame: a note or a hit decays,
  a dropout or a truncated render stops), the silent tail, and (for a hard limit only) the silent head;
- clipping: samples at full scale and flat tops at the clip's own peak (a clip at any ceiling);
- quantisation: effective bits, the lattice step of the sample values against the peak (capped at 12: a
  16-bit file is clean);
- DC per channel, against the channel's level, and the steady part of it against the clip's peak (the
  smallest of eight segment means when all share a sign: an offset stays put, a slow swell or a decaying
  codec offset does not); a dead, weak or polarity-inverted channel (balance, correlation);
- noise: per band the p10-p90 level spread (stationary noise fills the floor), the spectral flatness and
  the slope of the floor (the quietest frames' spectrum: hiss is flat, music falls off);
- band-limiting: the long-term spectrum in 1/6-octave bands: the steepest half-octave fall above 300 Hz and
  rise below 1.2 kHz (filters are steeper than timbres), the highest band within 60 dB of the strongest;
- a bare tone or a stuck note: energy in the five strongest bins, the number of partials within 30 dB of
  the strongest, the chroma entropy, and how much the spectrum changes from one quarter-second to the next;
- phase artefacts (phase vocoder, Griffin-Lim): the vertical phase coherence of prominent spectral peaks
  (a steady partial under a zero-phase Hann window has one phase across its main lobe) at two window
  lengths, and how many prominent peaks there are at all;
- a phase vocoder's smeared attacks and re-phased channels, and a hiss floor a little under the music:
  artefacts.py (its NAMES follow these).
"""

from __future__ import annotations

import itertools

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import artefacts, dsp
from sonicgrid.tools.analysts.features import Features

SR = 22050

NAMES = (
    "lufs",
    "silent_share",
    "crest_db",
    "holes_per_s",
    "hole_share",
    "cuts_per_s",
    "max_cut_db",
    "rise10_db",
    "rise_steepness",
    "tail_share",
    "clipped_pct_log",
    "flat_top_log",
    "eff_bits",
    "dc_ratio",
    "dc_steady",
    "channel_balance_db",
    "channel_corr",
    "corr_low",
    "corr_mid",
    "corr_high",
    "stereo_phase_gap",
    "flatness",
    "floor_below_peak_db",
    "spread_low_db",
    "spread_mid_db",
    "spread_high_db",
    "spread_air_db",
    "floor_flatness",
    "band_flatness_low",
    "band_flatness_1k",
    "band_flatness_2k",
    "band_flatness_4k",
    "floor_slope_db",
    "bandwidth_khz",
    "bw60_khz",
    "steepest_fall_db",
    "steepest_rise_db",
    "air_db",
    "bass_share",
    "tone_peak_share",
    "partials_log",
    "chroma_entropy",
    "spectral_change_db",
    "coherence_long",
    "coherence_short",
    "prominent_peaks_log",
    "attack_db",
    "onsets_per_s",
    *artefacts.NAMES,
)
# Measured for the hard limits alone (critic.LIMITS), not among the trees' inputs (NAMES, which the cached
# training vectors follow): the share of the clip before its first sound (a render that starts late).
LIMIT_ONLY = ("lead_share",)


def _envelope_db(mono: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    """10 ms RMS frames every 5 ms, dB (and frames per second)."""
    frame = max(2, int(0.01 * sr))
    hop = frame // 2
    if len(mono) < frame:
        return np.full(1, -120.0), sr / hop
    c = np.concatenate([[0.0], np.cumsum(mono.astype(np.float64) ** 2)])
    starts = np.arange(0, len(mono) - frame + 1, hop)
    e = (c[starts + frame] - c[starts]) / frame
    return 10 * np.log10(np.maximum(e, 0) + 1e-12), sr / hop


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def holes_and_cuts(env: np.ndarray, fps: float) -> dict[str, float]:
    n = len(env)
    dur = n / fps
    ref = float(np.percentile(env, 95))
    low = env < max(ref - 40.0, -100.0)
    holes, hole_frames = 0, 0
    for i, j in _runs(low):
        if i > 0 and j < n and 0.02 * fps <= j - i <= 1.5 * fps:
            holes += 1
            hole_frames += j - i
    tail = 0
    if n and low[-1]:
        tail = n - _runs(low)[-1][0]
    lead = int(np.argmax(~low)) if (~low).any() else n
    drop = env[:-2] - env[2:] if n > 2 else np.zeros(1)
    from_loud = env[:-2] > ref - 20.0 if n > 2 else np.zeros(1, bool)
    cut = (drop > 35.0) & from_loud
    r10 = env[2:] - env[:-2] if n > 2 else np.zeros(1)
    r40 = env[8:] - env[:-8] if n > 8 else np.zeros(1)
    rise10 = float(np.percentile(r10, 99.5))
    return {
        "rise10_db": rise10,
        "rise_steepness": rise10 / (float(np.percentile(r40, 99.5)) + 3.0),
        "holes_per_s": holes / dur,
        "hole_share": hole_frames / n,
        "cuts_per_s": len(_runs(cut)) / dur,
        "max_cut_db": float(np.clip(np.max(np.where(from_loud, drop, 0.0)), 0.0, 100.0)),
        "tail_share": tail / n,
        "lead_share": lead / n,
    }


def eff_bits(v: np.ndarray) -> float:
    """log2(peak / lattice step) of the sample values (capped at 12): 8-bit audio gives 7, a float or 16-bit
    recording 12."""
    peak = float(np.abs(v).max()) if v.size else 0.0
    if peak <= 0:
        return 0.0
    u = np.unique(v)
    d = np.diff(u)
    d = d[d > 0]
    if d.size < 8:
        return float(min(12.0, np.log2(len(u) + 1)))
    step = float(np.percentile(d, 2))
    return float(np.clip(np.log2(peak / step), 0.0, 12.0))


def steady_dc(x: np.ndarray, parts: int = 8) -> float:
    """The offset every eighth of the clip keeps, against the clip's peak: per channel the smallest segment
    mean when all eight share a sign (else 0), the larger of the channels."""
    if len(x) < parts:
        return 0.0
    m = np.stack([seg.mean(axis=0) for seg in np.array_split(x.astype(np.float64), parts)])
    same = np.all(m > 0, axis=0) | np.all(m < 0, axis=0)
    return float(np.max(np.where(same, np.abs(m).min(axis=0), 0.0)) / (np.abs(x).max() + 1e-12))


def channels(x: np.ndarray, sr: int) -> dict[str, float]:
    """DC per channel; balance and correlation of the two channels, overall and below 250 Hz, 250 Hz-2 kHz,
    above 2 kHz (from one FFT: a real mix keeps its bass centred; a dead, inverted or phase-scrambled
    channel does not)."""
    sq = np.sqrt(np.mean(x.astype(np.float64) ** 2, axis=0)) + 1e-12
    dc = float(np.max(np.abs(x.mean(axis=0)) / sq)) if x.size else 0.0
    dc_steady = steady_dc(x)
    if x.shape[1] < 2 or len(x) < 16:
        return {
            "dc_ratio": dc,
            "dc_steady": dc_steady,
            "channel_balance_db": 0.0,
            "channel_corr": 1.0,
            "corr_low": 1.0,
            "corr_mid": 1.0,
            "corr_high": 1.0,
        }
    X = np.fft.rfft(x.astype(np.float64) - x.mean(axis=0), axis=0)
    freqs = np.fft.rfftfreq(len(x), 1 / sr)

    def corr(sel) -> float:
        a, b = X[sel, 0], X[sel, 1]
        den = float(np.sqrt((np.abs(a) ** 2).sum() * (np.abs(b) ** 2).sum()))
        return float(np.real((a * np.conj(b)).sum()) / den) if den > 1e-12 else 0.0

    return {
        "dc_ratio": dc,
        "dc_steady": dc_steady,
        "channel_balance_db": float(max(-60.0, 20 * np.log10(sq.min() / sq.max()))),
        "channel_corr": corr(slice(None)),
        "corr_low": corr((freqs > 20) & (freqs < 250)),
        "corr_mid": corr((freqs >= 250) & (freqs < 2000)),
        "corr_high": corr(freqs >= 2000),
    }


def stereo_phase_gap(x: np.ndarray, sr: int) -> float:
    """Energy-weighted mean over bins below 4 kHz of |C| - Re C, C the two channels' time-averaged
    normalised cross-spectrum: ~0 for a real mix (what is correlated is in phase), large when the channels
    are coherent but their phases scrambled or inverted (a per-channel phase vocoder, a flipped channel)."""
    if x.shape[1] < 2 or len(x) < 4096:
        return 0.0
    n = 2048
    w = np.hanning(n + 1)[:-1].astype(np.float32)
    L = np.fft.rfft(dsp.frames(np.ascontiguousarray(x[:, 0]), n, n // 2) * w, axis=1)
    R = np.fft.rfft(dsp.frames(np.ascontiguousarray(x[:, 1]), n, n // 2) * w, axis=1)
    keep = np.fft.rfftfreq(n, 1 / sr) < 4000
    L, R = L[:, keep], R[:, keep]
    cross = (L * np.conj(R)).sum(axis=0)
    pl, pr = (np.abs(L) ** 2).sum(axis=0), (np.abs(R) ** 2).sum(axis=0)
    den = np.sqrt(pl * pr) + 1e-20
    c = cross / den
    weight = np.sqrt(pl * pr)
    return float(((np.abs(c) - c.real) * weight).sum() / (weight.sum() + 1e-20))


def _band_matrix(freqs: np.ndarray, lo: float = 50.0, hi: float = 10500.0, per_octave: int = 6):
    edges = lo * 2.0 ** (np.arange(0, int(np.log2(hi / lo) * per_octave) + 2) / per_octave)
    M = np.stack([(freqs >= a) & (freqs < b) for a, b in itertools.pairwise(edges)]).astype(np.float32)
    M = M[M.sum(axis=1) > 0]
    centres = np.array([freqs[m > 0].mean() for m in M])
    return M / M.sum(axis=1, keepdims=True), centres


def spectrum(y: np.ndarray) -> dict[str, float]:
    """Noise floor, band-limiting and steadiness from one 1024-point STFT (hop 512) of the 22.05 kHz mono copy."""
    P = dsp.stft_mag(y, 1024, 512).astype(np.float64) ** 2
    freqs = np.fft.rfftfreq(1024, 1 / SR)
    tiny = float(P.max()) * 1e-10 + 1e-20
    out: dict[str, float] = {}
    for name, (lo, hi) in (("low", (50, 250)), ("mid", (250, 1000)), ("high", (1000, 4000)), ("air", (4000, 10000))):
        e = 10 * np.log10(P[(freqs >= lo) & (freqs < hi)].sum(axis=0) + tiny)
        out[f"spread_{name}_db"] = float(np.percentile(e, 10) - np.percentile(e, 90))
    for name, (lo, hi) in (("low", (250, 500)), ("1k", (1000, 2000)), ("2k", (2000, 4000)), ("4k", (4000, 8000))):
        b = P[(freqs >= lo) & (freqs < hi)] + tiny
        e = b.sum(axis=0)
        live = e >= np.percentile(e, 90) * 1e-3  # the band's active frames (an empty band reads 0)
        if e.sum() < 1e-6 * P.sum():
            out[f"band_flatness_{name}"] = 0.0
            continue
        wiener = np.exp(np.mean(np.log(b[:, live]), axis=0)) / np.mean(b[:, live], axis=0)  # Gaussian noise: ~0.56
        out[f"band_flatness_{name}"] = float(np.median(wiener))
    total = P.sum(axis=0)
    quiet = total <= np.percentile(total, 20)
    floor = P[:, quiet].mean(axis=1) + tiny
    hi_band = (freqs >= 1000) & (freqs < 10000)
    out["floor_flatness"] = float(np.exp(np.mean(np.log(floor[hi_band]))) / np.mean(floor[hi_band]))
    oct1 = floor[(freqs >= 1000) & (freqs < 2000)].mean()
    oct3 = floor[(freqs >= 4000) & (freqs < 8000)].mean()
    out["floor_slope_db"] = float(10 * np.log10(oct3 / oct1) / 2)
    M, centres = _band_matrix(freqs)
    B = M @ P  # bands x frames
    L = 10 * np.log10(B.mean(axis=1) + tiny)
    k = 3  # half an octave
    fall = [L[i] - L[i + k] for i in range(len(L) - k) if centres[i] >= 300]
    rise = [L[i + k] - L[i] for i in range(len(L) - k) if centres[i + k] <= 1200]
    out["steepest_fall_db"] = float(max(fall)) if fall else 0.0
    out["steepest_rise_db"] = float(max(rise)) if rise else 0.0
    within = np.flatnonzero(L.max() - 60.0 <= L)
    out["bw60_khz"] = float(centres[within[-1]] / 1000.0) if within.size else 0.0
    blocks = max(1, int(round(0.25 * SR / 512)))
    nb = B.shape[1] // blocks
    if nb >= 2:
        Lb = 10 * np.log10(B[:, : nb * blocks].reshape(len(B), nb, blocks).mean(axis=2) + tiny)
        live = L.max() - 50.0 <= L
        out["spectral_change_db"] = float(np.median(np.abs(np.diff(Lb[live], axis=1)).mean(axis=0)))
    else:
        out["spectral_change_db"] = 0.0
    return out


def coherence(y: np.ndarray, n: int) -> tuple[float, float]:
    """(vertical phase coherence of prominent peaks 0..1, log of prominent peaks per frame). Zero-phase Hann
    frames: a steady partial's main-lobe bins share one phase, so |X[k-1] + X[k] + X[k+1]| equals the sum
    of their magnitudes; a phase vocoder's or Griffin-Lim's re-estimated phases break that."""
    if len(y) < 2 * n:
        return 1.0, 0.0
    fr = dsp.frames(np.ascontiguousarray(y, dtype=np.float32), n, n // 2) * np.hanning(n + 1)[:-1].astype(np.float32)
    X = np.fft.rfft(np.fft.ifftshift(fr, axes=1), axis=1)
    A = np.abs(X)
    c = A[:, 3:-3]
    prom = (
        (c > A[:, 2:-4])
        & (c >= A[:, 4:-2])
        & (c > 10 * np.maximum(A[:, :-6], A[:, 6:]))
        & (c > A.max(axis=1, keepdims=True) * 0.01)
    )
    if not prom.any():
        return 1.0, 0.0
    t, k = np.nonzero(prom)
    k = k + 3
    s = np.abs(X[t, k - 1] + X[t, k] + X[t, k + 1]) / (A[t, k - 1] + A[t, k] + A[t, k + 1] + 1e-20)
    w = A[t, k]
    return float((s * w).sum() / w.sum()), float(np.log1p(len(t) / len(A)))


def measure(audio: Audio, f: Features) -> dict[str, float]:
    """Every flaw measurement of one clip (see the module's docstring), by name (NAMES)."""
    x = audio.samples
    mono = audio.mono().astype(np.float32)
    y = dsp.to_rate(mono, audio.sr, SR)
    env, fps = _envelope_db(mono, audio.sr)
    out = holes_and_cuts(env, fps)
    loud = slice(None)
    if len(mono) > audio.sr:
        hop = audio.sr // 2
        k = int(np.argmax([np.abs(mono[i : i + audio.sr]).mean() for i in range(0, len(mono) - audio.sr, hop)]))
        loud = slice(k * hop, k * hop + audio.sr)
    peak = float(np.abs(x).max()) if x.size else 0.0
    a = np.abs(x)
    top = (a >= 0.995 * peak) if peak > 0 else np.zeros_like(a, bool)
    flat_tops = float((top[1:] & top[:-1]).mean()) if len(x) > 1 else 0.0
    rms = float(np.sqrt(np.mean(mono.astype(np.float64) ** 2)) + 1e-12)
    out.update(
        {
            "lufs": max(-70.0, f.lufs),
            "silent_share": f.silence_fraction,
            "crest_db": float(20 * np.log10((np.abs(mono).max() + 1e-12) / rms)),
            "clipped_pct_log": float(np.log1p(100 * f.clip_fraction)),
            "flat_top_log": float(np.log10(flat_tops + 1e-6)),
            "eff_bits": eff_bits(x[loud, int(np.argmax(np.abs(x).sum(axis=0)))]),
            "flatness": f.flatness,
            "floor_below_peak_db": float(max(-90.0, f.noise_floor_db - np.percentile(f.rms_db, 90)))
            if f.rms_db.size
            else 0.0,
            "attack_db": f.attack_db,
            "onsets_per_s": f.onset_rate,
        }
    )
    out.update(channels(x, audio.sr))
    out["stereo_phase_gap"] = stereo_phase_gap(x, audio.sr)
    out.update(spectrum(y))
    S = dsp.stft_mag(y, 4096, 2048) ** 2 if len(y) > 4096 else np.ones((2049, 1), np.float32)
    spec = S.mean(axis=1).astype(np.float64) + 1e-20
    freqs = np.fft.rfftfreq(4096, 1 / SR)
    cum = np.cumsum(spec) / spec.sum()
    out["bandwidth_khz"] = float(freqs[min(len(freqs) - 1, int(np.searchsorted(cum, 0.995)))]) / 1000.0
    out["air_db"] = max(-80.0, float(10 * np.log10(spec[freqs > 5000].sum() / spec.sum() + 1e-12)))
    out["bass_share"] = float(spec[freqs < 250].sum() / spec.sum())
    out["tone_peak_share"] = float(np.sort(spec)[-5:].sum() / spec.sum())
    ldb = 10 * np.log10(spec)
    pk = (ldb[1:-1] > ldb[:-2]) & (ldb[1:-1] >= ldb[2:]) & (ldb[1:-1] > ldb.max() - 30.0)
    out["partials_log"] = float(np.log1p(pk.sum()))
    ch = np.asarray(f.chroma, float)
    p = ch / ch.sum() if ch.sum() > 0 else np.full(12, 1 / 12)
    out["chroma_entropy"] = float(-(p * np.log2(p + 1e-12)).sum() / np.log2(12))
    out["coherence_long"], out["prominent_peaks_log"] = coherence(y, 2048)
    out["coherence_short"], _ = coherence(y, 512)
    out.update(artefacts.measure(x, mono, audio.sr))
    return {k: float(out[k]) for k in NAMES + LIMIT_ONLY}
