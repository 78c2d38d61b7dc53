"""A tempo said as a step from the clip's: "10 bpm faster", "slower by 8 bpm", "+12 bpm" -> tempo_delta (+10, -8,
+12). Read before the absolute tempo: "10 bpm faster" is not a tempo of 10. Part of the lexicon (lexicon._tempo
calls `read`, and `absolute` for a tempo said in bpm); arrange adds the step to the reference's tempo (or the
mood's)."""

from __future__ import annotations

import re
from typing import Any

from sonicgrid.agents.vocab import UNITS
from sonicgrid.brief import TEMPO_RANGE

_UP, _DOWN = r"faster|quicker|up|higher|more", r"slower|down|lower|less"
_BPM = UNITS["bpm"]
_RE = re.compile(
    rf"(?<![\w.])(\d{{1,3}})\s*(?:{_BPM})\s+({_UP}|{_DOWN})\b"  # "10 bpm faster"
    rf"|\b({_UP}|{_DOWN})\s+by\s+(\d{{1,3}})\s*(?:{_BPM})(?!\w)"  # "faster by 10 bpm", "slow it down by 8 bpm"
    rf"|(?<![\w.])([+-])\s*(\d{{1,3}})\s*(?:{_BPM})(?!\w)",  # "+12 bpm"
    re.I,
)
MAX_STEP = 120.0


def folded(bpm: float) -> float:
    """A tempo said outside what the composer plays (TEMPO_RANGE) as the same beat at half or double time:
    "300 bpm" is 150, "30 bpm" 60."""
    lo, hi = TEMPO_RANGE
    while bpm > hi:
        bpm /= 2
    while 0 < bpm < lo:
        bpm *= 2
    return bpm


def absolute(bpm: float, words: str, fields: dict[str, Any], found: dict[str, Any]) -> None:
    """fields["tempo_bpm"] from a tempo said in bpm; one the composer does not play is the same beat in its range,
    and the plan's notes say so (fields["unplayed"]): "500 bpm is played as 125 bpm"."""
    fields["tempo_bpm"], found["tempo_bpm"] = folded(bpm), words
    if fields["tempo_bpm"] != bpm:
        played = fields["tempo_bpm"]
        found["tempo_bpm"] += f" (read as {played:g} bpm, {'half' if bpm > TEMPO_RANGE[1] else 'double'}-time)"
        fields.setdefault("unplayed", []).append(
            f"{bpm:g} bpm is played as {played:g} bpm (the same beat, {bpm / played:g}x)"
        )


def read(ntext: str, fields: dict[str, Any], found: dict[str, Any]) -> list[tuple[int, int]]:
    """Set fields["tempo_delta"] from a step said; the span read (so no other tempo reading takes its number)."""
    m = _RE.search(ntext)
    if not m:
        return []
    if m.group(1):
        n, word = float(m.group(1)), m.group(2)
    elif m.group(4):
        n, word = float(m.group(4)), m.group(3)
    else:
        n, word = float(m.group(6)), "up" if m.group(5) == "+" else "down"
    if not 0 < n <= MAX_STEP:
        return []
    fields["tempo_delta"] = n if re.fullmatch(_UP, word.lower()) else -n
    found["tempo_bpm"] = m.group(0).strip()
    return [m.span()]
