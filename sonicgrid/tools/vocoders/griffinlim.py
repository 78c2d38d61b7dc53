"""Griffin-Lim mel vocoder: the embedded stand-in for BigVGAN, with the same interface
(a log-mel spectrogram in, a waveform out). No weights; numpy/scipy only.

`mel_spectrogram` is the matching analysis (natural-log magnitude mel, BigVGAN's convention),
so `vocode(mel_spectrogram(x))` is a round trip.
"""

from __future__ import annotations

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts.dsp import mel_bank
from sonicgrid.tools.base import CostModel, ToolResult, Vocoder, VocodeRequest


def _win(n: int) -> np.ndarray:
    return np.hanning(n + 1)[:-1].astype(np.float32)


def _stft(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Centre-padded float32 STFT (bins, frames), complex64."""
    from sonicgrid.tools.analysts.dsp import frames

    f = frames(np.ascontiguousarray(y, np.float32), n_fft, hop) * _win(n_fft)
    return np.fft.rfft(f, axis=1).T.astype(np.complex64)


def _istft(Z: np.ndarray, n_fft: int, hop: int, length: int) -> np.ndarray:
    """Weighted overlap-add inverse of `_stft` (hop must divide n_fft)."""
    w = _win(n_fft)
    fr = (np.fft.irfft(Z.T, n=n_fft, axis=1).astype(np.float32)) * w
    n_frames = fr.shape[0]
    total = (n_frames - 1) * hop + n_fft
    y = np.zeros(total + n_fft, np.float32)
    norm = np.zeros_like(y)
    r = n_fft // hop
    for k in range(r):  # frames k, k+r, k+2r ... do not overlap: add them as one strip
        sub = fr[k::r]
        if not len(sub):
            continue
        start = k * hop
        y[start : start + sub.size] += sub.reshape(-1)
        norm[start : start + sub.size] += np.tile(w**2, len(sub))
    y = y / np.maximum(norm, 1e-3)
    y = y[n_fft // 2 : n_fft // 2 + length]
    return np.pad(y, (0, max(0, length - len(y))))


def mel_spectrogram(y: np.ndarray, sr: int, n_fft: int = 1024, hop: int = 256, n_mels: int = 80) -> np.ndarray:
    """(n_mels, frames) natural-log mel magnitude."""
    mag = np.abs(_stft(np.asarray(y, np.float32), n_fft, hop))
    return np.log(np.maximum(mel_bank(sr, n_fft, n_mels, 0.0, sr / 2) @ mag, 1e-5)).astype(np.float32)


def griffin_lim(
    mag: np.ndarray, n_fft: int, hop: int, length: int, iters: int = 16, seed: int = 0, momentum: float = 0.99
) -> np.ndarray:
    """Fast Griffin-Lim (Perraudin et al.) from a linear magnitude (bins, frames).

    The phase starts as each bin's own steady rotation (2 pi f hop / sr per frame) with a random
    offset per bin, which is already coherent for sustained tones, so few iterations suffice."""
    rng = np.random.default_rng(seed)
    mag = mag.astype(np.float32)
    k = np.arange(mag.shape[0])[:, None]
    angles = np.exp(
        1j
        * (2 * np.pi * k * hop / n_fft * np.arange(mag.shape[1])[None, :] + 2 * np.pi * rng.random((mag.shape[0], 1)))
    ).astype(np.complex64)
    prev = np.zeros_like(angles)
    y = _istft(mag * angles, n_fft, hop, length)
    for _ in range(iters):
        Z = _stft(y, n_fft, hop)[:, : mag.shape[1]]
        if Z.shape[1] < mag.shape[1]:
            Z = np.pad(Z, ((0, 0), (0, mag.shape[1] - Z.shape[1])))
        acc = Z - momentum * prev
        prev = Z
        angles = acc / (np.abs(acc) + 1e-9)
        y = _istft(mag * angles, n_fft, hop, length)
    return y.astype(np.float32)


def vocode(
    log_mel: np.ndarray, sr: int, n_fft: int = 1024, hop: int = 256, iters: int = 24, seed: int = 0
) -> np.ndarray:
    """Log-mel (n_mels, frames) -> waveform: pseudo-inverse of the mel filterbank, then Griffin-Lim."""
    n_mels = log_mel.shape[0]
    fb = mel_bank(sr, n_fft, n_mels, 0.0, sr / 2)
    mag = np.maximum(np.linalg.pinv(fb) @ np.exp(log_mel), 0.0)
    length = (log_mel.shape[1] - 1) * hop
    return griffin_lim(mag, n_fft, hop, length, iters=iters, seed=seed)


class GriffinLimVocoder(Vocoder):
    """Same interface as a neural vocoder: request.mel (log-mel) in, waveform out."""

    name = "griffinlim-vocoder"
    role = "vocoder"
    capabilities = frozenset({"mel", "vocoder"})
    cost = CostModel(per_audio_s=0.02, overhead_s=0.005)
    quality_prior = 4.0

    def __init__(self, sr: int = 22050, n_fft: int = 1024, hop: int = 256):
        self.sr, self.n_fft, self.hop = sr, n_fft, hop

    def run(self, request: VocodeRequest) -> ToolResult:
        mel = request.mel
        if mel is None:
            assert request.audio is not None, "give a mel or a clip to re-synthesise"
            a = request.audio
            from sonicgrid.tools.analysts.dsp import to_rate

            mel = mel_spectrogram(to_rate(a.mono(), a.sr, self.sr), self.sr, self.n_fft, self.hop)
        y = vocode(
            np.asarray(mel),
            self.sr,
            self.n_fft,
            self.hop,
            iters=int(request.params.get("iters", 24)),
            seed=request.seed,
        )
        return ToolResult(
            Audio(y, self.sr), {"frames": int(np.asarray(mel).shape[1]), "method": "pinv + fast Griffin-Lim"}
        )
