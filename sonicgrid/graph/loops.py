"""A loop loops: its length is a whole number of bars at its tempo, so the clip played end to start keeps the
beat and the bar (an 8 s loop at 82 bpm was 2.7 bars: the downbeat fell mid-bar at every repeat).

A free tempo (the plan's `tempo_free`: chosen for the mood or a style, or said only as "a bit faster") moves to
the nearest tempo that fits whole bars in the length, else whole half bars, else whole beats, within MAX_NUDGE
(the length stays: a loop reused later has the length asked for); one said as "slower" or "5 % faster" within
5 % of it and on its side of the tempo it changes (arrange's `tempo_within`). A tempo said keeps its value and a length
nobody said moves to whole bars at it. A tempo and a length both said are the user's word: the loop keeps them,
and the plan says that it will not loop on the beat. In 3/4 and 6/8 there are no half bars, and a free tempo may
move up to MAX_NUDGE_BARS to whole bars. (The render side, tails
wrapped onto the start, is the generators' and the mixer's: see soundfont.py, painter.py, mixer.py.)"""

from __future__ import annotations

from sonicgrid.brief import MAX_SECONDS, MIN_SECONDS, TEMPO_RANGE, Brief, bar_seconds, beats_per_bar

MAX_NUDGE = 0.12  # at most 12 % off the tempo the mood chose
MAX_NUDGE_BARS = 0.2  # in 3/4 and 6/8, to whole bars: no half bar lies between (beats would move the downbeat)
UNITS = ((4, "bars"), (2, "half bars"), (1, "beats"))  # in 4/4; a waltz's are bars of 3 and beats (units)


def applies(brief: Brief) -> bool:
    return brief.section == "loop" and len(brief.section_list()) == 1 and brief.action != "extend"


def units(meter: int = 4) -> tuple[tuple[int, str], ...]:
    """(beats, name) a loop may be whole in, longest first: no half bar in 3/4 or 6/8 (whose beat is the half)."""
    return UNITS if meter == 4 else ((beats_per_bar(meter), "bars"), (1, "beats"))


def _nearest(seconds: float, tempo: float, beats: int) -> tuple[int, float]:
    n = max(1, round(seconds * tempo / 60.0 / beats))
    return n, n * beats * 60.0 / seconds


def fit(
    seconds: float,
    tempo: float,
    tempo_free: bool,
    seconds_free: bool,
    meter: int = 4,
    within: tuple[float, float] = TEMPO_RANGE,
) -> tuple[float, float, str]:
    """(seconds, tempo, how the loop fits: "" when it does not) for a loop of about `seconds` at about `tempo`,
    in bars of `meter` beats. A free tempo moves only `within` (a "slower" one stays under the tempo it slows)."""
    beats = seconds * tempo / 60.0
    for per, unit in units(meter):  # already whole ("a 2 bar loop at 90 bpm"): kept as it is
        if per < beats_per_bar(meter) and (tempo_free or seconds_free):
            break  # whole beats but not whole bars: what may move goes to whole bars below
        n = round(beats / per)
        if n >= 1 and abs(beats - n * per) < 0.01:
            return seconds, tempo, f"{n} {unit if n > 1 else unit[:-1]} at {tempo:.1f} bpm"
    if tempo_free:  # the length stays what it was (a reused loop of that length still fits)
        for per, unit in units(meter):
            n, t = _nearest(seconds, tempo, per)
            nudge = MAX_NUDGE_BARS if meter != 4 and unit == "bars" else MAX_NUDGE
            if abs(t / tempo - 1) <= nudge and within[0] <= t <= within[1]:
                return seconds, round(t, 3), f"{n} {unit if n > 1 else unit[:-1]} at {t:.1f} bpm"
    elif seconds_free:  # a tempo said: the length nobody said goes to whole bars at it
        bar = bar_seconds(tempo, meter)
        n = max(1, int(seconds / bar + 0.5))  # a tie goes to the longer loop (8 s at 3.2 s bars: 3, not 2)
        while n > 1 and n * bar > MAX_SECONDS:
            n -= 1
        while n * bar < MIN_SECONDS:
            n += 1
        return round(n * bar, 4), tempo, f"{n} bar{'s' if n > 1 else ''}, {n * bar:.2f} s"
    return seconds, tempo, ""
