"""The gate on members of the issue's fault families that degrade.py's canonical kinds never make, made with
other tools and settings than family_variants.py (what the critic learns them from):

- band-limiting from below: pedalboard's HighpassFilter at 500 Hz and LadderFilter (HPF24) at 700 Hz;
  the first probe's Butterworth high-pass (order 6, filtfilt) at 300 and 800 Hz;
- noise in one band: a resonator (scipy iirpeak, Q 5) at 1.2 kHz on white noise at the music's RMS; the
  first probe's 1.8-2.2 kHz band 6 dB under;
- an interfering tone: 3.1 kHz wobbling by +-20 Hz, 24 dB under the music; a 14 kHz whine 18 dB under
  (above any trained whistle); the first probe's 8 kHz, 20 dB under;
- a render that starts late: 35 % digital silence, then the music abruptly; 55 % of a -60 dB noise floor
  before it; the first probe's first half silent.

On the test recordings (45 % in) and the unseen soundtrack sets (50 % in): excerpts no model here was trained
or calibrated on. Prints the clean pass rate and each fault's fail rate (score < 5).
Run: python benchmarks/check_families.py [--set test|unseen|both]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.signal import butter, iirpeak, lfilter, sosfiltfilt

sys.path.insert(0, str(Path(__file__).parent))
from check_glitches import _add, _rms, report
from check_other_tools import _plugin
from check_production_effects import _audio


def _butter_hp(a, hz: float):
    sos = butter(6, hz, "highpass", fs=a.sr, output="sos")
    return _audio(sosfiltfilt(sos, a.samples.astype(np.float64), axis=0), a)


def _pb(a, make):
    import pedalboard as pb

    return _plugin(a, make(pb))


def _resonant_noise(a, rng):
    b, c = iirpeak(1200.0, 5.0, fs=a.sr)
    return _add(a, lfilter(b, c, rng.standard_normal(len(a.samples))), 0.0)


def _band(a, rng):
    sos = butter(4, [1800, 2200], "bandpass", fs=a.sr, output="sos")
    return _add(a, sosfiltfilt(sos, rng.standard_normal(len(a.samples))), -6.0)


def _tone(a, hz: float, db: float, wobble: float = 0.0):
    t = np.arange(len(a.samples)) / a.sr
    phase = 2 * np.pi * hz * t + (wobble / 0.5) * np.sin(2 * np.pi * 0.5 * t)
    return _add(a, np.sin(phase), db)


def _late(a, at: float, floor_db: float | None, rng):
    x = a.samples
    start = int(at * len(x))
    y = np.zeros_like(x)
    if floor_db is not None:
        y[:start] = rng.standard_normal((start, x.shape[1])) * _rms(x) * 10 ** (floor_db / 20)
    y[start:] = x[: len(x) - start]
    return _audio(y, a)


KINDS = {
    "highpass 500 Hz (pedalboard)": lambda a, r: _pb(a, lambda pb: pb.HighpassFilter(cutoff_frequency_hz=500)),
    "ladder HPF24 700 Hz (pedalboard)": lambda a, r: _pb(
        a, lambda pb: pb.LadderFilter(mode=pb.LadderFilter.Mode.HPF24, cutoff_hz=700)
    ),
    "first probe: highpass 300 Hz": lambda a, r: _butter_hp(a, 300.0),
    "first probe: highpass 800 Hz": lambda a, r: _butter_hp(a, 800.0),
    "resonant noise 1.2 kHz, 0 dB": _resonant_noise,
    "first probe: band noise 2 kHz -6 dB": _band,
    "wobbling 3.1 kHz tone -24 dB": lambda a, r: _tone(a, 3100.0, -24.0, 20.0),
    "14 kHz whine -18 dB": lambda a, r: _tone(a, 14000.0, -18.0),
    "first probe: 8 kHz tone -20 dB": lambda a, r: _tone(a, 8000.0, -20.0),
    "starts 35 % in, abruptly": lambda a, r: _late(a, 0.35, None, r),
    "starts 55 % in, after a -60 dB floor": lambda a, r: _late(a, 0.55, -60.0, r),
    "first probe: first half silent": lambda a, r: _late(a, 0.5, None, r),
}


if __name__ == "__main__":
    report(KINDS, __doc__ or "")
