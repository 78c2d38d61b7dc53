"""Bars that are not 4/4: 3/4 (a waltz, a minuet: three quarter-note beats) and 6/8 (a jig, a barcarolle: two
dotted-quarter beats of three eighths). Both bars are six eighths; they differ in how the eighths group
(GROUPS): 3/4 in pairs, 6/8 in threes. A plan's tempo is the felt beat: the quarter note in 3/4, the dotted
quarter in 6/8. The composer's 4/4 parts stay in composer.py; these are its parts for the other bars."""

from __future__ import annotations

import numpy as np

from sonicgrid.tools.generators.note import Note

GROUPS = {3: (0, 2, 4), 6: (0, 3)}  # the eighths each beat starts on


def _eighth(bar_s: float) -> float:
    return bar_s / 6


def keys(
    meter: int,
    part: str,
    prog: int,
    chord: list[int],
    t0: float,
    bar_s: float,
    v: int,
    rng: np.random.Generator,
    gap: float = 0.12,
) -> list[Note]:
    """A waltz's "oom-pah-pah" (6/8: "oom-pah-pah oom-pah-pah"): the root on each beat's first eighth in 6/8, on
    the bar's first beat in 3/4, the upper chord tones on the rest; or a broken chord in eighths."""
    e, out = _eighth(bar_s), []
    groups = GROUPS[meter]
    if rng.random() < 0.6:
        step = 1 if meter == 6 else 2  # 6/8 comps in eighths, 3/4 in quarters
        for i in range(0, 6, step):
            low = i in groups if meter == 6 else i == 0
            for p in [chord[0]] if low else chord[1:]:
                s = t0 + i * e + rng.normal(0, 0.004)
                out.append(Note(part, prog, p + 12, max(0.0, s), s + step * e * 0.85, int(v * (1.0 if low else 0.8))))
        return out
    for i, idx in enumerate([0, 1, 2, 1, 2, 1]):
        if rng.random() < gap:
            continue  # humanised gaps
        s = t0 + i * e + rng.normal(0, 0.004)
        out.append(
            Note(
                part, prog, chord[idx] + 12, max(0.0, s), s + 1.6 * e, int(np.clip(v * rng.uniform(0.75, 1.0), 1, 127))
            )
        )
    return out


def bass(meter: int, part: str, prog: int, root: int, t0: float, bar_s: float, v: int) -> list[Note]:
    """The root on each beat of 6/8, on the first of 3/4 (the "oom")."""
    e = _eighth(bar_s)
    starts = GROUPS[6] if meter == 6 else (0,)
    return [Note(part, prog, root - 12, t0 + i * e, t0 + (i + 1.8) * e, int(v * 0.9)) for i in starts]


def lead(
    meter: int, part: str, prog: int, pitches: list[int], t0: float, bar_s: float, v: int, rng: np.random.Generator
) -> list[Note]:
    """A melody note on each beat (3/4), or on the eighths that start and end each beat (6/8's lilt), some left
    out; `pitches` draws a note of the scale."""
    e = _eighth(bar_s)
    spots = (0, 2, 4) if meter == 3 else (0, 2, 3, 5)
    out = []
    for i in spots:
        if rng.random() < 0.7:
            length = (1.6 if meter == 3 else (1.7 if i in GROUPS[6] else 0.8)) * e
            out.append(
                Note(
                    part, prog, pitches[int(rng.integers(len(pitches)))], t0 + i * e, t0 + i * e + length, int(v * 0.85)
                )
            )
    return out


def drums(meter: int, t0: float, bar_s: float, v: int, density: float, rng: np.random.Generator) -> list[Note]:
    """The kick on 1, a light snare (a rim at low density) on the other beats, hats on the eighths (sixteenths
    when busy)."""
    out: list[Note] = []
    s16 = _eighth(bar_s) / 2
    for i in range(12):
        t = t0 + i * s16
        if i == 0 or (density > 0.9 and i == 10 and rng.random() < 0.5):
            out.append(Note("drums", 0, 36, t, t + 0.1, v, True))  # kick
        if i and i // 2 in GROUPS[meter] and i % 2 == 0 and density > 0.25:
            out.append(Note("drums", 0, 38 if density > 0.5 else 37, t, t + 0.1, int(v * 0.7), True))
        if i % 2 == 0 and rng.random() < 0.5 + 0.5 * density:
            out.append(Note("drums", 0, 42, t, t + 0.05, int(v * (0.5 + 0.2 * (i // 2 in GROUPS[meter]))), True))
        elif i % 2 == 1 and density > 0.8 and rng.random() < 0.4:
            out.append(Note("drums", 0, 42, t, t + 0.05, int(v * 0.4), True))
    return out


def fill(meter: int, t0: float, bar_s: float, v: int) -> list[Note]:
    """A rising snare fill over the last beat, into the next section."""
    e = _eighth(bar_s)
    start = t0 + GROUPS[meter][-1] * e
    n = 4 if meter == 3 else 3
    step = (6 - GROUPS[meter][-1]) * e / n
    return [
        Note("drums", 0, 38, start + i * step, start + i * step + 0.08, int(v * (0.6 + 0.1 * i)), True)
        for i in range(n)
    ]
