"""The gate on faults made by other tools than the critic's training set (sonicgrid/tools/analysts/degrade.py):
librosa's Griffin-Lim (32 fast iterations from random phase, its defaults) and its mel-spectrogram inversion
(128 bands), librosa's phase-vocoder pitch shift (+4 semitones), and pedalboard's Bitcrush (8 bits), GSM
full-rate codec, resampling through 8 kHz, Distortion (20 dB drive) and MP3 encoder at its lowest quality.

On the TEST recordings (never trained or calibrated on) at a position no other script reads (45 % into the
track, 3.5 s). Prints per kind the critic's fail rate (score < 5; pass rate for the clean excerpts) and the
median score. Run: python benchmarks/check_other_tools.py [--split test|dev] [--at 0.45]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import ears_data as data
from check_stretch import score


def _per_channel(a, fn):
    from sonicgrid.audio import Audio

    n = len(a.samples)
    y = np.stack([fn(np.ascontiguousarray(a.samples[:, c])) for c in range(a.samples.shape[1])], axis=1)
    return Audio(np.pad(y, ((0, max(0, n - len(y))), (0, 0)))[:n].astype(np.float32), a.sr)


def _plugin(a, plugin):
    from sonicgrid.audio import Audio

    y = plugin(np.ascontiguousarray(a.samples.T), a.sr)
    return Audio(np.ascontiguousarray(y.T)[: len(a.samples)].astype(np.float32), a.sr)


def kinds() -> dict:
    import librosa
    import pedalboard as pb

    def gl(m):
        return librosa.griffinlim(np.abs(librosa.stft(m)), n_iter=32)

    def mel(m, sr=data.SR):
        return librosa.feature.inverse.mel_to_audio(librosa.feature.melspectrogram(y=m, sr=sr, n_mels=128), sr=sr)

    return {
        "clean": lambda a: a,
        "griffin-lim (librosa)": lambda a: _per_channel(a, gl),
        "mel inversion (librosa)": lambda a: _per_channel(a, mel),
        "pitch shift +4 (librosa)": lambda a: _per_channel(
            a, lambda m: librosa.effects.pitch_shift(m, sr=a.sr, n_steps=4)
        ),
        "bitcrush 8 bits": lambda a: _plugin(a, pb.Bitcrush(bit_depth=8)),
        "GSM codec": lambda a: _plugin(a, pb.GSMFullRateCompressor()),
        "resampled via 8 kHz": lambda a: _plugin(a, pb.Resample(target_sample_rate=8000)),
        "distortion 20 dB": lambda a: _plugin(a, pb.Distortion(drive_db=20)),
        "MP3 lowest quality": lambda a: _plugin(a, pb.MP3Compressor(vbr_quality=9.5)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="test", choices=("test", "dev"))
    ap.add_argument("--at", type=float, default=0.45, help="excerpt position, a fraction of the track")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    makers = kinds()
    scores: dict[str, list[float]] = {k: [] for k in makers}
    for name, path in data.recordings(args.split):
        if name in data.NOT_MUSIC:
            continue
        a = data.excerpt(path, args.at, data.EXCERPT_S)
        for kind, make in makers.items():
            scores[kind].append(score(make(a)))
    for kind, v in scores.items():
        s = np.array(v)
        ok = s >= 5.0 if kind == "clean" else s < 5.0
        verb = "pass" if kind == "clean" else "fail"
        print(f"  {verb} {kind:26s} {100 * ok.mean():5.1f} % (n={len(s)})  median score {np.median(s):.1f}")


if __name__ == "__main__":
    main()
