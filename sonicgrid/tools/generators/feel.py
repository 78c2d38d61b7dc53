"""Swing: the off-beat eighths played late ("with swing", "a shuffle"). A note that starts half way through a beat
starts at `ratio` of it instead (0.5 straight, 2/3 a triplet shuffle), and keeps its length; notes on the beat and
held parts (pads, drones) stay. 6/8 is already in threes: no swing there."""

from __future__ import annotations

from dataclasses import replace

from sonicgrid.tools.generators.note import Note

SWUNG_PARTS = ("keys", "bass", "lead", "drums")
ON = 0.06  # how near the half beat a start must be (a beat's fraction; the comping's humanised starts wander)


def swung(notes: list[Note], beat_s: float, ratio: float) -> list[Note]:
    """`notes` with each off-beat eighth of the swung parts moved to `ratio` of its beat."""
    if abs(ratio - 0.5) < 1e-3 or beat_s <= 0:
        return notes
    late = (ratio - 0.5) * beat_s
    out = []
    for n in notes:
        frac = (n.start / beat_s) % 1.0
        if n.part in SWUNG_PARTS and abs(frac - 0.5) < ON:
            n = replace(n, start=n.start + late, end=n.end + late)
        out.append(n)
    return out
