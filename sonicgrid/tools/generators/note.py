"""A composed note: what the composer writes and the SoundFont renderer plays (times in seconds)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Note:
    part: str
    program: int
    pitch: int
    start: float
    end: float
    velocity: int
    drums: bool = False
