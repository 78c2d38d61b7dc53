"""Mastering finish: gentle compression, loudness to a LUFS target, true-peak ceiling."""

from __future__ import annotations

import numpy as np

from sonicgrid.audio import Audio, settled
from sonicgrid.tools.analysts.dsp import moving_mean
from sonicgrid.tools.analysts.features import loudness_lufs
from sonicgrid.tools.analysts.resample import firwin_kaiser
from sonicgrid.tools.base import AudioRequest, CostModel, Master, ToolResult


def true_peak_dbfs(x: np.ndarray) -> float:
    """Peak of the 4x-oversampled signal (BS.1770 true-peak approximation).

    Inter-sample peaks of band-limited audio rise at most ~3 dB over the samples around them, so
    only the neighbourhoods of samples within 6 dB of the sample peak are interpolated (the same
    polyphase filter resample_poly uses, evaluated there): the same figure at a fraction of the cost
    when the hot samples are few; otherwise the whole signal is oversampled."""
    if x.size == 0:
        return -120.0
    x = x if x.ndim == 2 else x[:, None]
    a = np.max(np.abs(x), axis=1)
    peak = float(a.max())
    hot = np.flatnonzero(a >= peak * 0.5)
    h = _tp_filter()
    taps = h.shape[0]
    if peak <= 0 or hot.size > 0.02 * len(a):  # oversample everything: one short convolution per phase
        x64 = x.astype(np.float64)
        best = max(float(np.max(np.abs(np.convolve(x64[:, c], h[:, p])))) for c in range(x.shape[1]) for p in range(4))
        return float(20 * np.log10(best + 1e-12))
    m = np.unique(np.clip(hot[:, None] + np.arange(-2, taps // 2 + 3), 0, len(x) + taps - 2).ravel())
    best = peak
    for ch in range(x.shape[1]):
        xp = np.concatenate([np.zeros(taps - 1, np.float64), x[:, ch].astype(np.float64), np.zeros(taps, np.float64)])
        win = np.lib.stride_tricks.sliding_window_view(xp, taps)[m][:, ::-1]
        best = max(best, float(np.max(np.abs(win @ h))))
    return float(20 * np.log10(best + 1e-12))


def _tp_filter() -> np.ndarray:
    """resample_poly's 4x anti-imaging filter as (taps per phase, 4 phases)."""
    global _TP_H
    if _TP_H is None:
        half = 10 * 4  # resample_poly's default: half length 10 * max(up, down)
        h = firwin_kaiser(2 * half + 1, 1.0 / 4) * 4
        h = np.concatenate([h, np.zeros((-len(h)) % 4)])
        _TP_H = h.reshape(-1, 4)
    return _TP_H


_TP_H: np.ndarray | None = None


def _moving_min(x: np.ndarray, half: int) -> np.ndarray:
    """min over x[i-half .. i+half], edges mirrored (scipy.ndimage.minimum_filter1d(size=2*half+1)):
    van Herk / Gil-Werman, block prefix and suffix minima, O(n) in numpy."""
    k = 2 * half + 1
    xp = np.pad(x, (half, half), mode="symmetric")
    nb = -(-len(xp) // k)
    xp = np.pad(xp, (0, nb * k - len(xp)), constant_values=np.inf).reshape(nb, k)
    pre = np.minimum.accumulate(xp, axis=1).ravel()
    suf = np.minimum.accumulate(xp[:, ::-1], axis=1)[:, ::-1].ravel()
    i = np.arange(len(x))
    return np.minimum(suf[i], pre[i + k - 1])


def _ceiling(x: np.ndarray, ceiling_db: float, sr: int, isp_db: float = 0.0) -> tuple[np.ndarray, float]:
    """Look-ahead peak limiter (smoothed gain never above what each peak needs), then a final
    scale so the true peak sits at or under the ceiling. `isp_db`: how far the true peak rose over
    the sample peak last time (bright transients): the sample peaks are held that much lower, so
    the final scale does not take the loudness back. Returns (audio, inter-sample overshoot dB)."""
    c = 10 ** ((ceiling_db - 0.3 - isp_db) / 20)
    peak = np.max(np.abs(x), axis=1)
    need = np.minimum(1.0, c / np.maximum(peak, 1e-9))
    w = max(3, int(0.005 * sr))
    g = moving_mean(_moving_min(need, w), w)
    y = x * g[:, None]
    tp = true_peak_dbfs(y)
    isp = max(0.0, tp - float(20 * np.log10(np.max(np.abs(y)) + 1e-12)))
    if tp > ceiling_db:
        y = y * 10 ** ((ceiling_db - tp - 0.05) / 20)
    return y.astype(np.float32), isp


def master(
    audio: Audio, target_lufs: float = -14.0, ceiling_dbtp: float = -1.0, loop: bool = False
) -> tuple[Audio, dict]:
    """Loudness to `target_lufs` under a true-peak ceiling. A `loop` goes through the chain after its own last half
    second, so the filter and compressor are settled at its start as when it repeats."""
    from pedalboard import Compressor, HighpassFilter, Pedalboard

    x = audio.stereo().samples
    before = loudness_lufs(audio)
    chain = Pedalboard(
        [HighpassFilter(cutoff_frequency_hz=25), Compressor(threshold_db=-18, ratio=2.0, attack_ms=15, release_ms=150)]
    )
    y = settled(chain, x, audio.sr, loop)
    if np.max(np.abs(y)) < 1e-6:
        return Audio(y, audio.sr), {
            "lufs_in": before,
            "lufs_out": -70.0,
            "true_peak_dbtp": -120.0,
            "note": "silent input left silent",
        }
    # Loudness and ceiling interact (limiting lowers loudness): iterate a few times, one
    # loudness measurement per pass (the one that decides the next gain also checks this one).
    cur = loudness_lufs(Audio(y, audio.sr))
    isp = 0.0
    for _ in range(6):  # a mix converges in 1-2 passes; bare drums (high crest) can take more
        y = y * 10 ** ((target_lufs - cur) / 20)
        y, isp = _ceiling(y, ceiling_dbtp, audio.sr, isp)
        cur = loudness_lufs(Audio(y, audio.sr))
        if abs(cur - target_lufs) <= 0.3:
            break
    out = Audio(y, audio.sr)
    return out, {
        "lufs_in": round(before, 2),
        "lufs_out": round(cur, 2),
        "true_peak_dbtp": round(true_peak_dbfs(y), 2),
        "target_lufs": target_lufs,
        "ceiling_dbtp": ceiling_dbtp,
    }


class Mastering(Master):
    name = "master-chain"
    role = "master"
    capabilities = frozenset({"master", "loudness"})
    cost = CostModel(per_audio_s=0.01, overhead_s=0.01)

    def __init__(self, target_lufs: float = -14.0, ceiling: float = -1.0):
        self.target_lufs, self.ceiling = target_lufs, ceiling

    def run(self, request: AudioRequest) -> ToolResult:
        out, meta = master(request.audio, self.target_lufs, self.ceiling)
        return ToolResult(out, meta)
