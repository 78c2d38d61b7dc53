"""Embedded generator: composed MIDI rendered through tinysoundfont with pretty_midi's GM SoundFont."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from sonicgrid.audio import Audio, fade, fit_length
from sonicgrid.tools.base import CostModel, GenRequest, Tool, ToolResult
from sonicgrid.tools.generators import composer

_LOCK = threading.Lock()


def soundfont_path() -> Path:
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


def _synth(sr: int):
    """A fresh synth per render (~10 ms): a shared one carries reverb tails and channel state
    from the previous render into the next, which breaks seed reproducibility."""
    import tinysoundfont

    synth = tinysoundfont.Synth(samplerate=sr, gain=-3)
    sfid = synth.sfload(str(soundfont_path()))
    return synth, sfid


def render(arr: composer.Arrangement, sr: int, seconds: float, pan: dict[str, float] | None = None) -> np.ndarray:
    """Render an Arrangement's notes to a stereo float32 array of exactly `seconds`."""
    with _LOCK:  # one shared synth per sample rate; rendering is sequential
        synth, sfid = _synth(sr)
        synth.notes_off()
        synth.sounds_off()
        channels: dict[str, int] = {}
        for part, program in arr.parts.items():
            chan = 9 if part == "drums" else len([c for c in channels.values() if c != 9])
            channels[part] = chan
            synth.program_select(chan, sfid, 128 if part == "drums" else 0, 0 if part == "drums" else program,
                                 is_drums=(part == "drums"))
            pan_v = (pan or {}).get(part, {"bass": 0.5, "pad": 0.35, "keys": 0.62, "lead": 0.45,
                                            "drone": 0.5, "drums": 0.5}.get(part, 0.5))
            synth.control_change(chan, 10, int(pan_v * 127))
            synth.control_change(chan, 91, 70)  # reverb send
        events: list[tuple[float, int, int, int, int]] = []  # time, order(off first), chan, pitch, vel
        for n in arr.notes:
            ch = channels[n.part]
            events.append((n.start, 1, ch, n.pitch, n.velocity))
            events.append((n.end, 0, ch, n.pitch, 0))
        events.sort()
        total = int(round(seconds * sr))
        out = np.zeros((total, 2), dtype=np.float32)
        pos = 0
        for t, is_on, ch, pitch, vel in events:
            frame = min(total, int(t * sr))
            if frame > pos:
                buf = synth.generate(frame - pos)
                out[pos:frame] = np.frombuffer(buf, dtype=np.float32).reshape(-1, 2)
                pos = frame
            if pos >= total:
                break
            if is_on:
                synth.noteon(ch, pitch, vel)
            else:
                synth.noteoff(ch, pitch)
        if pos < total:
            buf = synth.generate(total - pos)
            out[pos:] = np.frombuffer(buf, dtype=np.float32).reshape(-1, 2)
        synth.notes_off()
        synth.sounds_off()
    return out


class SoundFontComposer(Tool):
    name = "soundfont-composer"
    role = "generator"
    capabilities = frozenset({"layer:harmony", "layer:rhythm", "layer:atmosphere", "stereo", "continue"})
    cost = CostModel(per_audio_s=0.01, overhead_s=0.05)
    quality_prior = 6.0
    version = "1"

    def __init__(self, sr: int = 44100):
        self.sr = sr

    def available(self) -> tuple[bool, str]:
        try:
            import tinysoundfont  # noqa: F401
        except ImportError:
            return False, "tinysoundfont not installed (pip install --no-deps tinysoundfont)"
        sf2 = soundfont_path()
        return (True, f"embedded ({sf2.name})") if sf2.exists() else (False, f"missing {sf2}")

    def run(self, request: GenRequest) -> ToolResult:
        brief = dict(request.brief, duration_s=request.duration_s)
        arr = composer.compose(brief, request.layer, request.section, request.seed, request.params)
        x = render(arr, self.sr, request.duration_s + 0.0)
        x = fit_length(x, int(round(request.duration_s * self.sr)))
        fade_in = 1.5 if request.section == "intro" else 0.01
        fade_out = min(2.5, request.duration_s / 4) if request.section in ("intro", "outro") else 0.05
        x = fade(x, self.sr, fade_in=fade_in, fade_out=fade_out)
        cutoff = float(request.params.get("lowpass_hz", 0) or (2500 if request.brief.get("brightness", 0) < -0.3 else 0))
        if cutoff:
            from pedalboard import LowpassFilter, Pedalboard

            x = Pedalboard([LowpassFilter(cutoff_frequency_hz=cutoff)])(x.T.copy(), self.sr).T
        return ToolResult(Audio(x, self.sr), meta={"arrangement": arr.describe(), "notes": len(arr.notes)})
