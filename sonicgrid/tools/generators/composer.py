"""Composer: a Brief's mood -> an arrangement (key, mode, tempo, progression, instruments) -> notes.

Pure music logic, no audio: the SoundFont renderer turns the notes into sound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sonicgrid.brief import KEYS, bar_seconds, beats_per_bar
from sonicgrid.tools.generators import meters
from sonicgrid.tools.generators.feel import swung
from sonicgrid.tools.generators.note import Note as Note  # re-exported: callers read composer.Note
from sonicgrid.tools.generators.palettes import PALETTES as PALETTES  # re-exported: callers read composer.PALETTES
from sonicgrid.tools.generators.palettes import ROOTS as ROOTS
from sonicgrid.tools.generators.palettes import SCALES as SCALES
from sonicgrid.tools.generators.parts import alone, played_as_said, without


@dataclass
class Arrangement:
    key: str
    mode: str
    tempo: float
    progression: list[int]
    parts: dict[str, int]  # part -> GM program
    bars: int
    seconds_per_bar: float
    notes: list[Note] = field(default_factory=list)
    mood: str = "calm"
    layer: str = "harmony"
    section: str = "loop"
    seed: int = 0
    octave: int = 0  # a transposition's octaves: C down a semitone is the B below, not the B above
    meter: int = 4  # beats per bar: 3 for a waltz

    def describe(self) -> dict:
        """JSON-able; everything a continuation needs to carry the arrangement on (lands in the
        library metadata as `arrangement`). The tempo keeps 3 decimals: a 0.05 bpm rounding drifts
        the grid by ~1 ms per bar, enough to comb-filter a crossfade a few bars on."""
        return (
            {
                "key": self.key,
                "mode": self.mode,
                "tempo_bpm": round(self.tempo, 3),
                "progression": self.progression,
                "parts": self.parts,
                "bars": self.bars,
                "mood": self.mood,
                "layer": self.layer,
                "section": self.section,
                "seed": self.seed,
            }
            | ({"octave": self.octave} if self.octave else {})
            | ({"meter": self.meter} if self.meter != 4 else {})
        )


def _chord(root_midi: int, scale: list[int], degree: int) -> list[int]:
    """Triad on a scale degree, as MIDI pitches."""
    out = []
    for step in (0, 2, 4):
        idx = degree + step
        out.append(root_midi + scale[idx % 7] + 12 * (idx // 7))
    return out


def plan(brief: dict, layer: str, seed: int, params: dict | None = None) -> Arrangement:
    """Choose key, mode, tempo, progression and instruments from the brief (seeded).
    params["arrangement"] (a reference clip's describe()) wins over everything: a continuation
    keeps the reference's key, mode, exact tempo, progression and instruments."""
    params = params or {}
    ref = params.get("arrangement") or {}
    rng = np.random.default_rng(seed)
    mood = ref.get("mood") or brief.get("mood", "calm")
    if mood not in PALETTES:  # a brief is validated; anything else is a caller's bug, not "calm"
        raise ValueError(f"unknown mood {mood!r}: one of {', '.join(PALETTES)}")
    pal = PALETTES[mood]
    mode = ref.get("mode") or params.get("mode") or brief.get("mode") or pal["mode"]
    key = ref.get("key") or params.get("key") or brief.get("key") or ROOTS[mood][int(rng.integers(len(ROOTS[mood])))]
    lo, hi = pal["tempo"]
    tempo = float(ref.get("tempo_bpm") or params.get("tempo_bpm") or brief.get("tempo_bpm") or rng.uniform(lo, hi))
    prog = list(pal["progs"][int(rng.integers(len(pal["progs"])))])
    if params.get("progression"):  # the plan's shared progression: every layer plays the same chords
        prog = [int(d) for d in params["progression"]]
    prog = [int(d) for d in ref["progression"]] if ref.get("progression") else prog
    meter = int(ref.get("meter") or params.get("meter") or brief.get("meter") or 4)
    if meter == 6 and not (ref.get("tempo_bpm") or params.get("tempo_bpm") or brief.get("tempo_bpm")):
        tempo = round(tempo * 2 / 3, 3)  # the mood's pace felt in dotted quarters: its eighths at 2x the beat
    spb = bar_seconds(tempo, meter)
    bars = max(1, int(round(float(brief.get("duration_s", 8.0)) / spb)))
    parts: dict[str, int] = {}
    if layer == "harmony":
        if pal["keys"] is not None:
            parts["keys"] = pal["keys"]
        if pal["pad"] is not None and brief.get("brightness", 0) <= 0.3:
            parts["pad"] = pal["pad"]
        parts["bass"] = pal["bass"]
        if pal["lead"] is not None:
            parts["lead"] = pal["lead"]
    elif layer == "atmosphere":
        parts["pad"] = pal["pad"] if pal["pad"] is not None else 89
        parts["drone"] = 95
    elif layer == "rhythm":
        parts["drums"] = 0
    else:
        parts["keys"] = pal["keys"] if pal["keys"] is not None else 0
    if params.get("program_shift"):  # a regeneration asks for a different palette
        parts = {k: (v if k == "drums" else (v + int(params["program_shift"])) % 128) for k, v in parts.items()}
    parts = played_as_said(parts, layer, params.get("instruments") or {})
    if brief.get("alone") and params.get("instruments") and layer in ("harmony", "atmosphere"):
        parts = alone(params["instruments"], layer)  # "just piano": that, and nothing else
    if ref.get("parts"):
        parts = {str(k): int(v) for k, v in ref["parts"].items()}
    if float(brief.get("busy") or 0) <= -0.5 and "lead" not in (params.get("instruments") or {}):
        parts.pop("lead", None)  # "simpler": the melody the palette adds goes (one said stays)
    parts = without(parts, list(brief.get("exclude_parts") or []))
    return Arrangement(
        key=key,
        mode=mode,
        tempo=tempo,
        progression=prog,
        parts=parts,
        bars=bars,
        seconds_per_bar=spb,
        mood=mood,
        layer=str(ref.get("layer") or layer),
        seed=seed,
        octave=int(ref.get("octave") or params.get("octave") or 0),
        meter=meter,
    )


def _arc(section: str, bar: int, bars: int) -> float:
    """Velocity multiplier over the section: intros rise, builds climb, outros fall."""
    x = (bar + 0.5) / max(1, bars)
    return {"intro": 0.6 + 0.4 * x, "build": 0.45 + 0.6 * x, "outro": 1.0 - 0.5 * x}.get(section, 1.0)


def compose(
    brief: dict,
    layer: str,
    section: str,
    seed: int,
    params: dict | None = None,
    arc: Callable[[int], float] | None = None,
) -> Arrangement:
    """Notes bar by bar; `arc(bar)` overrides the section's velocity arc (a continuation replays
    the reference's arc on its bars). The note RNG runs in bar order, so the first N bars of a
    longer composition with the same seed are the notes of the N-bar one."""
    arr = plan(brief, layer, seed, params)
    arr.section = section
    end = float(brief.get("duration_s", 8.0))
    if section == "loop":  # a loop of half bars (graph/loops.py) is played to its end, and no note starts after
        arr.bars = max(arr.bars, int(np.ceil(end / arr.seconds_per_bar - 1e-6)))
    rng = np.random.default_rng(seed + 1)
    pal = PALETTES[arr.mood]
    scale = SCALES[arr.mode]
    root = (
        48 + KEYS.index(arr.key) + pal["register"] + 12 * arr.octave
    )  # register is whole octaves: the key stays the key
    beat = arr.seconds_per_bar / 4  # 4/4's beat (the other meters' parts: meters.py)
    vel0 = int(params.get("velocity", pal["velocity"])) if params else pal["velocity"]
    busy = float(brief.get("busy") or 0.0)  # "simpler" -0.5 .. "busier" +0.5
    density = pal["drums"] * (1.0 + float((params or {}).get("density", 0.0))) * (1.0 + 0.6 * busy)
    gap = float(np.clip(0.12 - 0.2 * busy, 0.02, 0.4))  # the comping's humanised gaps
    fill_at_end = bool((params or {}).get("next_section")) or section == "build"
    pitches = [root + 12 + x for x in scale]  # the lead's notes: the scale an octave over the root
    notes: list[Note] = []
    for bar in range(arr.bars):
        t0 = bar * arr.seconds_per_bar
        d = density * (0.5 + (bar + 1) / arr.bars) if section == "build" else density  # a build's drums climb
        fill = fill_at_end and bar == arr.bars - 1
        deg = _degree(arr.progression, bar, arr.bars, section)
        chord = _chord(root, scale, deg)
        v = int(np.clip(vel0 * (arc(bar) if arc else _arc(section, bar, arr.bars)), 20, 127))
        if section == "outro" and bar == arr.bars - 1 and arr.bars >= 2:  # the cadence: a held tonic
            notes.extend(_final_chord(arr, chord, t0, v))
            continue
        for part, prog in arr.parts.items():
            if part == "pad":
                for p in chord:
                    notes.append(Note(part, prog, p + 12, t0, t0 + arr.seconds_per_bar * 1.02, int(v * 0.8)))
            elif part == "drone":
                notes.append(Note(part, prog, root - 12, t0, t0 + arr.seconds_per_bar * 1.05, int(v * 0.7)))
                notes.append(Note(part, prog, root - 5, t0, t0 + arr.seconds_per_bar * 1.05, int(v * 0.5)))
            elif arr.meter != 4 and part in ("keys", "bass", "lead", "drums"):
                notes.extend(_in_meter(arr, part, prog, chord, pitches, t0, v, rng, d, fill, gap))
            elif part == "keys":
                pattern = [0, 1, 2, 1, 0, 2, 1, 2] if rng.random() < 0.6 else [0, 2, 1, 2, 0, 1, 2, 1]
                step = arr.seconds_per_bar / 8
                for i, idx in enumerate(pattern):
                    if rng.random() < gap:
                        continue  # humanised gaps
                    s = t0 + i * step + rng.normal(0, 0.004)
                    notes.append(
                        Note(
                            part,
                            prog,
                            chord[idx] + 12,
                            max(0.0, s),
                            s + step * 1.6,
                            int(np.clip(v * rng.uniform(0.75, 1.0), 1, 127)),
                        )
                    )
            elif part == "bass":
                for b in (0, 2) if arr.tempo < 100 and busy < 0.5 else (0, 1, 2, 3):
                    notes.append(Note(part, prog, chord[0] - 12, t0 + b * beat, t0 + (b + 0.9) * beat, int(v * 0.9)))
            elif part == "lead":
                for i in range(4):
                    if rng.random() < 0.7:
                        p = pitches[int(rng.integers(len(pitches)))]
                        notes.append(Note(part, prog, p, t0 + i * beat, t0 + (i + 0.8) * beat, int(v * 0.85)))
            elif part == "drums":
                notes.extend(_drum_bar(t0, beat, v, d, rng))
                if fill:
                    notes.extend(_fill(t0, beat, v))
    if brief.get("swing") and arr.meter != 6:  # "with swing": the off-beat eighths late
        notes = swung(notes, arr.seconds_per_bar / beats_per_bar(arr.meter), float(brief["swing"]))
    arr.notes = [n for n in notes if n.start < end - 1e-3] if section == "loop" else notes
    return arr


def _degree(progression: list[int], bar: int, bars: int, section: str) -> int:
    """The progression's degree for a bar; an outro ends V -> I (a perfect cadence)."""
    if section == "outro" and bars >= 3 and bar == bars - 2:
        return 4
    if section == "outro" and bars >= 2 and bar == bars - 1:
        return 0
    return progression[bar % len(progression)]


def _final_chord(arr: Arrangement, chord: list[int], t0: float, v: int) -> list[Note]:
    """The last bar of an outro: the tonic held as one chord (drums: one soft kick and cymbal)."""
    out, end = [], t0 + arr.seconds_per_bar * 1.5
    for part, prog in arr.parts.items():
        if part == "drums":
            out += [
                Note(part, 0, 36, t0, t0 + 0.2, int(v * 0.8), True),
                Note(part, 0, 49, t0, t0 + 1.0, int(v * 0.6), True),
            ]
        elif part == "bass":
            out.append(Note(part, prog, chord[0] - 12, t0, end, int(v * 0.9)))
        elif part == "drone":
            out.append(Note(part, prog, chord[0] - 12, t0, end, int(v * 0.7)))
        else:
            out += [Note(part, prog, p + 12, t0, end, int(v * 0.8)) for p in chord]
    return out


def _fill(t0: float, beat: float, v: int) -> list[Note]:
    """A snare fill over the last beat, rising: it leads into the next section."""
    s = beat / 4
    return [
        Note("drums", 0, 38, t0 + 3 * beat + i * s, t0 + 3 * beat + i * s + 0.08, int(v * (0.6 + 0.1 * i)), True)
        for i in range(4)
    ]


def _in_meter(
    arr: Arrangement,
    part: str,
    prog: int,
    chord: list[int],
    pitches: list[int],
    t0: float,
    v: int,
    rng: np.random.Generator,
    density: float,
    fill: bool,
    gap: float,
) -> list[Note]:
    """A bar of keys, bass, lead or drums in 3/4 or 6/8 (meters.py); `fill`: the drums lead into what follows."""
    spb, m = arr.seconds_per_bar, arr.meter
    if part == "keys":
        return meters.keys(m, part, prog, chord, t0, spb, v, rng, gap)
    if part == "bass":
        return meters.bass(m, part, prog, chord[0], t0, spb, v)
    if part == "lead":
        return meters.lead(m, part, prog, pitches, t0, spb, v, rng)
    return meters.drums(m, t0, spb, v, density, rng) + (meters.fill(m, t0, spb, v) if fill else [])


def _drum_bar(t0: float, beat: float, v: int, density: float, rng: np.random.Generator) -> list[Note]:
    out: list[Note] = []
    sixteenth = beat / 4
    for i in range(16):
        t = t0 + i * sixteenth
        if i in (0, 8) or (density > 0.7 and i in (4, 12)) or (density > 0.9 and i == 10 and rng.random() < 0.5):
            out.append(Note("drums", 0, 36, t, t + 0.1, v, True))  # kick
        if i in (4, 12) and density > 0.25:
            out.append(Note("drums", 0, 38 if density > 0.5 else 37, t, t + 0.1, int(v * 0.9), True))
        if i % 2 == 0 and rng.random() < 0.5 + 0.5 * density:
            out.append(Note("drums", 0, 42, t, t + 0.05, int(v * (0.5 + 0.2 * (i % 4 == 0))), True))
        elif i % 2 == 1 and density > 0.8 and rng.random() < 0.4:
            out.append(Note("drums", 0, 42, t, t + 0.05, int(v * 0.4), True))
    return out


def continuation(
    ref: dict, brief: dict, section: str, total_bars: int, join_bar: int, params: dict | None = None
) -> Arrangement:
    """The reference arrangement carried on to `total_bars`: bars before `join_bar` replay the
    reference (its seed, its section arc) so a crossfade there joins matching audio; from
    `join_bar` on the progression continues (bar b plays progression[b % len]) under the
    request's section arc."""
    ref_bars = max(1, int(ref.get("bars") or join_bar))
    ref_section = str(ref.get("section") or "loop")
    new_bars = max(1, total_bars - join_bar)

    def arc(bar: int) -> float:
        if bar < join_bar:
            return _arc(ref_section, bar, ref_bars)
        return _arc(section, bar - join_bar, new_bars)

    spb = bar_seconds(float(ref["tempo_bpm"]), ref.get("meter"))
    b = dict(brief, duration_s=total_bars * spb)
    arr = compose(
        b,
        str(ref.get("layer") or "harmony"),
        section,
        int(ref.get("seed", 0)),
        {**(params or {}), "arrangement": ref},
        arc=arc,
    )
    arr.bars = total_bars
    return arr
