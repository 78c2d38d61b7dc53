"""The gate on files as a checker's loader gives them: `librosa.load` resamples to 22.05 kHz and mixes to mono
by default, and a tool chain may hand over 32 or 48 kHz. The held-out excerpts (test recordings at 45 %, the
unseen soundtracks at 50 %: no model here trained or calibrated on them) are resampled with librosa (soxr), made
mono or kept stereo, and degraded AT that rate by plain code, as a checker would write it: white noise at
0/10/20 dB SNR, 200 ms dropouts (every other 200 ms zeroed), a one-pass order-4 Butterworth low-pass at 1 and
3 kHz (scipy lfilter), 8 bits of full scale, x4 into +-1 clipping, DC 0.3, a 440 Hz sine in place of the music,
digital silence, librosa's time-stretch at 0.8 and 1.25, its Griffin-Lim (32 iterations) of the clip's
magnitudes, its pitch shift +2 semitones. Each channel is degraded on its own. Prints the clean pass rate
(score >= 5) and each fault's fail rate.

Run: python benchmarks/check_rates.py [--sr 22050] [--mono] [--set test|unseen|both] [--clean-only]
     python benchmarks/check_rates.py --music ~/my_tracks [--sr 44100]   # your own music: one 6 s excerpt
                                                                          # from 45 % into each file
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from check_glitches import print_rates
from check_production_effects import excerpts
from check_stretch import score


def _noise(y, snr: float, rng):
    n = rng.standard_normal(len(y))
    return y + n * np.sqrt(np.mean(y**2) / np.mean(n**2)) * 10 ** (-snr / 20)


def _dropouts(y, sr: int, ms: float = 200.0):
    z, k = y.copy(), int(sr * ms / 1000)
    for s in range(0, len(z), 2 * k):
        z[s + k : s + 2 * k] = 0.0
    return z


def _lowpass(y, sr: int, hz: float):
    from scipy.signal import butter, lfilter

    b, a = butter(4, hz, fs=sr)
    return lfilter(b, a, y)


def _griffin_lim(y):
    import librosa

    return librosa.griffinlim(np.abs(librosa.stft(y)), n_iter=32, length=len(y), random_state=0)


def faults(sr: int) -> dict:
    """name -> (one channel, rng) -> that channel degraded."""
    import librosa

    t = lambda y: np.arange(len(y)) / sr  # noqa: E731
    return {
        "noise 0 dB": lambda y, r: _noise(y, 0.0, r),
        "noise 10 dB": lambda y, r: _noise(y, 10.0, r),
        "noise 20 dB": lambda y, r: _noise(y, 20.0, r),
        "dropouts 200 ms": lambda y, r: _dropouts(y, sr),
        "low-pass 1 kHz": lambda y, r: _lowpass(y, sr, 1000.0),
        "low-pass 3 kHz": lambda y, r: _lowpass(y, sr, 3000.0),
        "8 bits": lambda y, r: np.round(y * 128) / 128,
        "clipped x4": lambda y, r: np.clip(4 * y, -1, 1),
        "DC 0.3": lambda y, r: y + 0.3,
        "sine 440 Hz": lambda y, r: 0.5 * np.sin(2 * np.pi * 440 * t(y)),
        "silence": lambda y, r: 0.0 * y,
        "time-stretch 0.8": lambda y, r: librosa.effects.time_stretch(y, rate=0.8),
        "time-stretch 1.25": lambda y, r: librosa.effects.time_stretch(y, rate=1.25),
        "Griffin-Lim 32": lambda y, r: _griffin_lim(y),
        "pitch shift +2": lambda y, r: librosa.effects.pitch_shift(y, sr=sr, n_steps=2),
    }


def _file(channels: list[np.ndarray], sr: int):
    from sonicgrid.audio import Audio

    return Audio(np.ascontiguousarray(np.stack(channels, axis=1), np.float32), sr)


def _own(paths: list[Path]):
    """One excerpt (45 % in) of every audio file named or under the folders named, as ears_data.excerpt gives it."""
    import ears_data as data

    from sonicgrid.memory.maintenance import AUDIO_SUFFIXES

    files = [f for p in paths for f in (sorted(p.rglob("*")) if p.is_dir() else [p])]
    for f in files:
        if f.suffix.lower() in AUDIO_SUFFIXES:
            try:
                yield data.excerpt(f, 0.45, data.EXCERPT_S)
            except (RuntimeError, ValueError) as exc:
                print(f"  skipped {f}: {str(exc).splitlines()[0][:120]}")


def main() -> None:
    import librosa

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sr", type=int, default=22050)
    ap.add_argument("--mono", action="store_true")
    ap.add_argument("--set", default="both", choices=("test", "unseen", "both"))
    ap.add_argument("--clean-only", action="store_true")
    ap.add_argument("--music", type=Path, nargs="+", help="your own audio files or folders instead of --set")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    kinds = {} if args.clean_only else faults(args.sr)
    rows: dict[str, list[float]] = {"clean": [], **{k: [] for k in kinds}}
    sets = ("test", "unseen") if args.set == "both" else (args.set,)
    for which in ["own"] if args.music else sets:
        for i, a in enumerate(_own(args.music) if args.music else excerpts(which)):
            x = a.samples.astype(np.float64)
            chans = [x.mean(axis=1)] if args.mono else list(x.T)
            chans = [librosa.resample(c, orig_sr=a.sr, target_sr=args.sr) if a.sr != args.sr else c for c in chans]
            rows["clean"].append(score(_file(chans, args.sr)))
            for j, (kind, make) in enumerate(kinds.items()):
                rng = np.random.default_rng(100 * i + j)
                rows[kind].append(score(_file([np.asarray(make(c, rng)) for c in chans], args.sr)))
    print_rates(rows, f"{args.sr / 1000:g} kHz {'mono' if args.mono else 'stereo'}: ", 18)


if __name__ == "__main__":
    main()
