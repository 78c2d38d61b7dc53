"""Waveform and spectrogram pictures as PNG bytes, and small WAVs for audio players: numpy + zlib
only, so the HTML report needs no plotting library and no network."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np

# a dark-to-bright colour ramp (anchors of a magma-like map)
_RAMP = np.array(
    [
        [0, 0, 4],
        [40, 11, 84],
        [101, 21, 110],
        [159, 42, 99],
        [212, 72, 66],
        [245, 125, 21],
        [250, 193, 39],
        [252, 255, 164],
    ],
    float,
)


def png(rgb: np.ndarray) -> bytes:
    """HxWx3 uint8 -> PNG bytes."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def mono(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples, np.float32)
    return x.mean(axis=1) if x.ndim == 2 else x


def waveform(samples: np.ndarray, width: int = 640, height: int = 96) -> bytes:
    x = mono(samples)
    img = np.full((height, width, 3), 250, np.uint8)
    img[height // 2, :] = (200, 200, 210)
    if len(x):
        cols = np.array_split(x, width)
        mid = (height - 1) / 2
        for i, c in enumerate(cols):
            if not len(c):
                continue
            lo = int(round(mid - max(0.0, float(c.max())) * mid))
            hi = int(round(mid - min(0.0, float(c.min())) * mid))
            img[max(0, lo) : min(height, hi + 1), i] = (48, 92, 200)
    return png(img)


def spectrogram(samples: np.ndarray, sr: int, width: int = 640, height: int = 160) -> bytes:
    from scipy.signal import stft

    x = mono(samples)
    if len(x) < 2048:
        x = np.pad(x, (0, 2048 - len(x)))
    f, _t, z = stft(x, fs=sr, nperseg=2048, noverlap=1536)
    db = 20 * np.log10(np.abs(z) + 1e-6)
    # log-frequency rows from 30 Hz to Nyquist, high frequencies on top
    edges = np.geomspace(30.0, sr / 2, height + 1)
    rows = np.clip(np.searchsorted(f, edges[:-1]), 0, len(f) - 1)
    cols = np.linspace(0, db.shape[1] - 1, width).round().astype(int)
    m = db[rows][:, cols][::-1]
    top = float(m.max())
    v = np.clip((m - (top - 80.0)) / 80.0, 0, 1) * (len(_RAMP) - 1)
    lo = np.floor(v).astype(int)
    hi = np.minimum(lo + 1, len(_RAMP) - 1)
    frac = (v - lo)[..., None]
    return png((_RAMP[lo] * (1 - frac) + _RAMP[hi] * frac).astype(np.uint8))


def small_wav(samples: np.ndarray, sr: int, target_sr: int = 22050) -> bytes:
    """Mono 16-bit WAV at a lower rate: small enough to embed in the page."""
    import soundfile as sf
    from scipy.signal import resample_poly

    x = mono(samples)
    if sr != target_sr:
        g = np.gcd(int(sr), int(target_sr))
        x = resample_poly(x, target_sr // g, int(sr) // g)
    buf = io.BytesIO()
    sf.write(buf, np.clip(x, -1, 1), target_sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()
