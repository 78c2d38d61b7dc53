"""The gate on clean music through a producer's processing, which a clip keeps and is still good audio.

Stereo effects move the channels' phase and level apart on purpose (the critic's phase-steadiness measure reads
a vocoder's channels re-phased apart): pedalboard's Chorus, Phaser and a wide Reverb; a stereo chorus with its
two LFOs 90 degrees apart; a Haas widener (one channel 12 ms late); mid/side widening (side x2); auto-pan at
0.5 Hz; a ping-pong delay. Mastering: a loud master (a look-ahead limiter, 10 dB of gain into a -1 dBFS
ceiling: about -9 LUFS, no sample clipped), pedalboard's compressor (4:1 at -24 dB) + 10 dB + its limiter, MP3
at VBR quality 2 (~190 kbps), the clip 20 dB quieter. Prints the pass rate (score >= 5) per effect next to the
clean excerpts'.

On the test recordings at 45 % (`--set test`) or on the unseen soundtracks of check_unseen_clean.py at 50 %
(`--set unseen`). Run: python benchmarks/check_production_effects.py [--set test|unseen]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import ears_data as data
from check_other_tools import _plugin
from check_stretch import score


def _audio(y: np.ndarray, a):
    from sonicgrid.audio import Audio

    return Audio(np.ascontiguousarray(y[: len(a.samples)]).astype(np.float32), a.sr)


def haas(a, ms: float = 12.0):
    x = a.stereo().samples
    d = int(a.sr * ms / 1000)
    y = x.copy()
    y[d:, 1], y[:d, 1] = x[:-d, 1], 0.0
    return _audio(y, a)


def mid_side(a, gain: float = 2.0):
    x = a.stereo().samples
    m, s = x.mean(axis=1), (x[:, 0] - x[:, 1]) / 2 * gain
    y = np.stack([m + s, m - s], axis=1)
    return _audio(y / max(1.0, float(np.abs(y).max())), a)


def stereo_chorus(a, depth_ms: float = 3.0, base_ms: float = 12.0, rate: float = 0.8, mix: float = 0.5):
    x = a.stereo().samples
    n = len(x)
    t, out = np.arange(n) / a.sr, x.copy()
    for c, phase in ((0, 0.0), (1, np.pi / 2)):
        delay = (base_ms + depth_ms * np.sin(2 * np.pi * rate * t + phase)) * a.sr / 1000
        out[:, c] = (1 - mix) * x[:, c] + mix * np.interp(np.arange(n) - delay, np.arange(n), x[:, c], left=0.0)
    return _audio(out, a)


def autopan(a, rate: float = 0.5, depth: float = 0.8):
    x = a.stereo().samples.copy()
    p = depth * np.sin(2 * np.pi * rate * np.arange(len(x)) / a.sr)
    x[:, 0] *= np.sqrt(1 - p)
    x[:, 1] *= np.sqrt(1 + p)
    return _audio(x, a)


def ping_pong(a, ms: float = 250.0, feedback: float = 0.4, mix: float = 0.35):
    x = a.stereo().samples
    d, n = int(a.sr * ms / 1000), len(x)
    wet, mono = np.zeros_like(x), x.mean(axis=1)
    for k in range(1, 6):
        if k * d < n:
            wet[k * d :, (k - 1) % 2] += feedback ** (k - 1) * mono[: n - k * d]
    return _audio((1 - mix) * x + mix * wet, a)


def loud_master(a, gain_db: float = 10.0, ceiling_db: float = -1.0, look_ms: float = 5.0, release_ms: float = 80.0):
    """A look-ahead peak limiter: the gain that keeps every sample under the ceiling, reached `look_ms` before
    the peak and let go with a `release_ms` one-pole (what a mastering limiter does, without a clipper)."""
    from scipy.ndimage import minimum_filter1d

    x = a.stereo().samples.astype(np.float64) * 10 ** (gain_db / 20)
    ceiling = 10 ** (ceiling_db / 20)
    need = np.minimum(1.0, ceiling / np.maximum(np.abs(x).max(axis=1), 1e-9))
    look = max(1, int(a.sr * look_ms / 1000))
    need = minimum_filter1d(need, size=2 * look + 1)
    r = float(np.exp(-1.0 / (a.sr * release_ms / 1000)))
    g, cur = np.empty_like(need), 1.0
    for i, v in enumerate(need):
        cur = v if v < cur else r * cur + (1 - r) * v
        g[i] = cur
    g = np.minimum(g, np.convolve(g, np.ones(look) / look, mode="same"))
    return _audio(np.clip(x * g[:, None], -ceiling, ceiling), a)


def effects() -> dict:
    import pedalboard as pb

    return {
        "clean": lambda a: a,
        "chorus (pedalboard)": lambda a: _plugin(a, pb.Chorus()),
        "stereo chorus, LFOs 90 deg apart": stereo_chorus,
        "phaser (pedalboard)": lambda a: _plugin(a, pb.Phaser()),
        "reverb, wide (pedalboard)": lambda a: _plugin(a, pb.Reverb(room_size=0.7, wet_level=0.3, width=1.0)),
        "Haas 12 ms": haas,
        "mid/side widen x2": mid_side,
        "auto-pan 0.5 Hz": autopan,
        "ping-pong delay": ping_pong,
        "loud master (look-ahead limiter)": loud_master,
        "compressor + limiter (pedalboard)": lambda a: _plugin(
            a,
            pb.Pedalboard(
                [pb.Compressor(threshold_db=-24, ratio=4), pb.Gain(gain_db=10), pb.Limiter(threshold_db=-0.5)]
            ),
        ),
        "MP3 VBR quality 2": lambda a: _plugin(a, pb.MP3Compressor(vbr_quality=2)),
        "20 dB quieter": lambda a: _audio(a.stereo().samples * 0.1, a),
    }


def excerpts(which: str):
    if which == "test":
        for name, path in data.recordings("test"):
            if name not in data.NOT_MUSIC:
                yield data.excerpt(path, 0.45, data.EXCERPT_S)
        return
    from check_unseen_clean import SETS, _silent, tracks

    for pats in SETS.values():
        for f in tracks(pats):
            a = data.excerpt(f, 0.5, data.EXCERPT_S)
            if not _silent(a):
                yield a


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", default="test", choices=("test", "unseen"))
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    fx = effects()
    scores: dict[str, list[float]] = {k: [] for k in fx}
    for a in excerpts(args.set):
        for kind, make in fx.items():
            scores[kind].append(score(make(a)))
    for kind, v in scores.items():
        s = np.array(v)
        print(
            f"  pass {kind:34s} {100 * np.mean(s >= 5.0):5.1f} % (n={len(s)})  median {np.median(s):.1f}  min {s.min():.1f}"
        )


if __name__ == "__main__":
    main()
