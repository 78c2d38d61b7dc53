"""Embedded generator: composed MIDI rendered through tinysoundfont with a General MIDI SoundFont:
SONICGRID_SOUNDFONT (any .sf2) when set, else Debian's fuller FluidR3_GM (fluid-soundfont-gm, MIT)
when installed, else the small GM SoundFont pretty_midi ships. Which one played is in the result's
meta (and so in clip.json)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from sonicgrid.audio import LOOP_TAIL_S, Audio, fade, fit_length, wrap_tail
from sonicgrid.brief import bar_seconds
from sonicgrid.tools.base import CostModel, Generator, GenRequest, ToolResult
from sonicgrid.tools.generators import composer

_LOCK = threading.Lock()
SYSTEM_SOUNDFONTS = (Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"), Path("/usr/share/sounds/sf2/default-GM.sf2"))
_SYNTHS: dict[tuple[int, str], tuple] = {}


def packaged_soundfont() -> Path:
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


def soundfont_path(setting: Path | str | None = None) -> Path:
    """The .sf2 to play: the setting (SONICGRID_SOUNDFONT) if it exists, else the system's fuller GM
    SoundFont, else the packaged one."""
    if setting is None:
        from sonicgrid.config import Settings

        setting = Settings().soundfont
    if setting and Path(setting).is_file():
        return Path(setting)
    return next((p for p in SYSTEM_SOUNDFONTS if p.is_file()), packaged_soundfont())


def _synth(sr: int, sf2: Path):
    """One synth per (rate, SoundFont), loaded once (a 148 MB SoundFont takes ~2 s), reset before
    every render: all voices cut, controllers and programs set again, so a render never hears the
    previous one (seed reproducibility)."""
    import tinysoundfont

    key = (sr, str(sf2))
    if key not in _SYNTHS:
        synth = tinysoundfont.Synth(samplerate=sr, gain=-3)
        _SYNTHS[key] = (synth, synth.sfload(str(sf2)))
    synth, sfid = _SYNTHS[key]
    for chan in range(16):
        synth.sounds_off(chan)
        synth.notes_off(chan)
        synth.control_change(chan, 121, 0)  # reset all controllers
    # Voices keep their filter state from whatever they last played: prime every voice with the
    # same notes first, so each render starts from the same state whatever came before it.
    synth.program_select(0, sfid, 0, 0)
    for pitch in range(128):
        synth.noteon(0, pitch, 1)
    synth.generate(256)
    synth.sounds_off(0)
    synth.notes_off(0)
    synth.control_change(0, 121, 0)
    synth.generate(64)
    return synth, sfid


def render(
    arr: composer.Arrangement, sr: int, seconds: float, pan: dict[str, float] | None = None, sf2: Path | None = None
) -> np.ndarray:
    """Render an Arrangement's notes to a stereo float32 array of exactly `seconds`."""
    with _LOCK:  # one shared synth per sample rate; rendering is sequential
        synth, sfid = _synth(sr, sf2 or soundfont_path())
        synth.notes_off()
        synth.sounds_off()
        channels: dict[str, int] = {}
        for part, program in arr.parts.items():
            chan = 9 if part == "drums" else len([c for c in channels.values() if c != 9])
            channels[part] = chan
            synth.program_select(
                chan, sfid, 128 if part == "drums" else 0, 0 if part == "drums" else program, is_drums=(part == "drums")
            )
            pan_v = (pan or {}).get(
                part, {"bass": 0.5, "pad": 0.35, "keys": 0.62, "lead": 0.45, "drone": 0.5, "drums": 0.5}.get(part, 0.5)
            )
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
    return dc_blocked(out, sr)


DC_CUTOFF_HZ = 10.0


def dc_blocked(x: np.ndarray, sr: int) -> np.ndarray:
    """x without its DC: the GM SoundFont's pads (the sweep drone, program 95, and the warm pads) render with
    an offset that climbs to ~30 % of the peak over a few seconds (|mean| / rms up to 0.75 on a 3 s pad). A
    first-order high-pass at 10 Hz removes it and leaves a 41 Hz bass note within 0.3 dB."""
    from pedalboard import HighpassFilter, Pedalboard

    return Pedalboard([HighpassFilter(cutoff_frequency_hz=DC_CUTOFF_HZ)])(x.T.copy(), sr).T.astype(np.float32)


class SoundFontComposer(Generator):
    name = "soundfont-composer"
    role = "generator"
    capabilities = frozenset(
        {"layer:harmony", "layer:rhythm", "layer:atmosphere", "layer:atmosphere:played", "stereo", "continue"}
    )
    cost = CostModel(per_audio_s=0.01, overhead_s=0.05)
    quality_prior = 6.0
    version = "1"

    def __init__(self, sr: int = 44100, soundfont: Path | None = None):
        self.sr = sr
        self.sf2 = soundfont_path(soundfont)

    def available(self) -> tuple[bool, str]:
        try:
            import tinysoundfont  # noqa: F401
        except ImportError:
            return False, "tinysoundfont not installed (pip install --no-deps tinysoundfont)"
        sf2 = self.sf2
        return (True, f"embedded ({sf2.name})") if sf2.exists() else (False, f"missing {sf2}")

    def run(self, request: GenRequest) -> ToolResult:
        if request.audio_prompt is not None:
            return continue_clip(request, self.sr)
        brief = dict(request.brief, duration_s=request.duration_s)
        arr = composer.compose(brief, request.layer, request.section, request.seed, request.params)
        frames = int(round(request.duration_s * self.sr))
        loop = request.section == "loop"
        x = render(arr, self.sr, request.duration_s + (LOOP_TAIL_S if loop else 0.0), sf2=self.sf2)
        cutoff = float(
            request.params.get("lowpass_hz", 0) or (2500 if request.brief.get("brightness", 0) < -0.3 else 0)
        )
        if cutoff:  # before a loop's wrap: the filtered tail runs on into the filtered start
            from pedalboard import LowpassFilter, Pedalboard

            x = Pedalboard([LowpassFilter(cutoff_frequency_hz=cutoff)])(x.T.copy(), self.sr).T
        if loop:  # what rings past the end sounds at the start: a seamless loop
            x = wrap_tail(x, frames)
        else:
            fade_in = 1.5 if request.section == "intro" else 0.01
            fade_out = min(2.5, request.duration_s / 4) if request.section in ("intro", "outro") else 0.05
            x = fade(fit_length(x, frames), self.sr, fade_in=fade_in, fade_out=fade_out)
        desc = {**arr.describe(), "lowpass_hz": cutoff}
        return ToolResult(
            Audio(x, self.sr),
            meta={"arrangement": desc, "notes": len(arr.notes), "soundfont": str(self.sf2), "midi": midi_rows(arr)},
        )


def midi_rows(arr: composer.Arrangement) -> list[list]:
    """The composed notes, compact and JSON-able: [program, pitch, start, end, velocity, drums, part]."""
    return [[n.program, n.pitch, round(n.start, 4), round(n.end, 4), n.velocity, n.drums, n.part] for n in arr.notes]


XFADE_S = 0.06  # the join's equal-power crossfade, ending on the bar line
MATCH_DB = 2.0  # a reference bar within this of the median render/reference level counts as unfaded


def _reference_arrangement(request: GenRequest, ref: Audio) -> dict:
    """The reference's arrangement from params (library metadata), else planned from the key,
    mode and tempo we were given, else from what the analysts hear in the reference."""
    got = request.params.get("arrangement")
    if isinstance(got, dict) and got.get("tempo_bpm") and got.get("parts"):
        return dict(got)
    params = {k: v for k, v in request.params.items() if k != "arrangement"}
    if not params.get("tempo_bpm") or not params.get("key"):
        from sonicgrid.tools.analysts import features, keytempo

        f = features.extract(ref)
        key, mode, _ = keytempo.estimate_key(f.chroma, f.bass_chroma, f.opening_bass)
        params.setdefault("tempo_bpm", f.tempo_bpm if f.tempo_bpm > 0 else None)
        params.setdefault("key", key)
        params.setdefault("mode", mode)
    brief = dict(request.brief, duration_s=ref.duration)
    return composer.plan(brief, request.layer, request.seed, params).describe() | {
        "section": "loop",
        "seed": request.seed,
    }


def _bar_rms(x: np.ndarray, sr: int, spb: float, bars: int) -> np.ndarray:
    n = int(round(spb * sr))
    return np.array([np.sqrt(np.mean(x[b * n : (b + 1) * n].astype(np.float64) ** 2) + 1e-12) for b in range(bars)])


def continue_clip(request: GenRequest, sr: int) -> ToolResult:
    """Extend request.audio_prompt by request.duration_s seconds with its own arrangement.

    The whole arrangement is re-rendered from bar 0 to the new end (same key, mode, tempo,
    instruments, seed; the progression carries on). The render is level-matched to the reference
    (median of per-bar RMS ratios: the reference was mastered), the join is the last bar line where
    the reference still sits at that level (before any fade-out), and an equal-power crossfade
    of XFADE_S ends on that bar line, so the new downbeat lands clean."""
    ref = request.audio_prompt
    if ref is None:
        raise ValueError("a continuation needs the clip it continues (audio_prompt)")
    ref_arr = _reference_arrangement(request, ref)
    spb = bar_seconds(float(ref_arr["tempo_bpm"]), ref_arr.get("meter"))
    sr = ref.sr
    x_ref = ref.stereo().samples
    ref_s = len(x_ref) / sr
    total_s = ref_s + request.duration_s
    total_bars = int(np.ceil(total_s / spb - 1e-6))
    full_bars = max(1, int(np.floor(ref_s / spb + 1e-6)))  # bars wholly inside the reference
    arr = composer.continuation(ref_arr, request.brief, request.section, total_bars, full_bars, request.params)
    y = render(arr, sr, total_bars * spb + 0.5, sf2=soundfont_path())
    if ref_arr.get("lowpass_hz"):
        from pedalboard import LowpassFilter, Pedalboard

        y = Pedalboard([LowpassFilter(cutoff_frequency_hz=float(ref_arr["lowpass_hz"]))])(y.T.copy(), sr).T
    r_ref, r_new = _bar_rms(x_ref, sr, spb, full_bars), _bar_rms(y, sr, spb, full_bars)
    ratio_db = 20 * np.log10(r_ref / r_new)
    gain_db = float(np.median(ratio_db))
    ok = np.flatnonzero(np.abs(ratio_db - gain_db) <= MATCH_DB)
    join_bar = int(ok[-1]) + 1 if ok.size else full_bars
    y = y * np.float32(10 ** (gain_db / 20))
    cut = min(int(round(join_bar * spb * sr)), len(x_ref))  # a reference shorter than a bar joins at its end
    n = min(int(XFADE_S * sr), cut)
    t = np.linspace(0.0, np.pi / 2, n, dtype=np.float32)[:, None]
    mid = x_ref[cut - n : cut] * np.cos(t) + y[cut - n : cut] * np.sin(t)
    out = np.concatenate([x_ref[: cut - n], mid, y[cut:]])
    out = fit_length(out.astype(np.float32), int(round(total_s * sr)))
    if request.section == "outro":
        out[cut:] = fade(out[cut:], sr, fade_in=0.0, fade_out=min(2.5, request.duration_s / 4))
    else:
        out[cut:] = fade(out[cut:], sr, fade_in=0.0, fade_out=0.05)
    desc = {
        **arr.describe(),
        "lowpass_hz": ref_arr.get("lowpass_hz", 0),
        "section": ref_arr.get("section", "loop"),
        "continued_from_bar": join_bar,
        "join_s": round(cut / sr, 4),
        "gain_db": round(gain_db, 2),
    }
    return ToolResult(
        Audio(out, sr),
        meta={
            "arrangement": desc,
            "continued": True,
            "notes": len(arr.notes),
            "join_s": round(cut / sr, 4),
            "total_s": round(total_s, 4),  # the reference and the new part: clip.mid runs to here
            "midi": midi_rows(arr),  # the reference's notes replayed to the join, then carried on
        },
    )
