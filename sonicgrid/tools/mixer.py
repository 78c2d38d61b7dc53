"""Mixer: cells of the grid -> per-layer stems and a stereo mix, bar-aligned, with gain and pan.

Each cell has a layer, a start (seconds) and audio. Starts snap to the bar grid when a tempo is
known, so sections join on downbeats. Pan is constant-power. Stems are summed per layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonicgrid.audio import Audio

LAYER_GAIN_DB = {"rhythm": -2.0, "harmony": 0.0, "atmosphere": -3.0, "texture": -9.0, "voice": 0.0}
LAYER_PAN = {"rhythm": 0.0, "harmony": 0.0, "atmosphere": 0.0, "texture": 0.15, "voice": 0.0}  # -1 left .. +1 right


@dataclass
class Cell:
    layer: str
    audio: Audio
    start_s: float = 0.0
    gain_db: float | None = None
    pan: float | None = None


def _resample(a: Audio, sr: int) -> Audio:
    if a.sr == sr:
        return a
    from sonicgrid.tools.analysts.dsp import to_rate

    return Audio(np.stack([to_rate(a.samples[:, c], a.sr, sr) for c in range(a.channels)], axis=1), sr)


def bar_align(start_s: float, tempo_bpm: float | None, beats_per_bar: int = 4) -> float:
    if not tempo_bpm:
        return start_s
    bar = beats_per_bar * 60.0 / tempo_bpm
    return round(start_s / bar) * bar


def pan_gains(pan: float) -> tuple[float, float]:
    theta = (np.clip(pan, -1, 1) + 1) * np.pi / 4
    return float(np.cos(theta) * np.sqrt(2)), float(np.sin(theta) * np.sqrt(2))


def mix(cells: list[Cell], sr: int, tempo_bpm: float | None = None) -> tuple[Audio, dict[str, Audio], dict]:
    """(stereo mix, stems by layer, placement report)."""
    placed = []
    for c in cells:
        a = _resample(c.audio.stereo(), sr)
        start = bar_align(c.start_s, tempo_bpm)
        placed.append((c, a, int(round(start * sr))))
    frames = max((off + a.samples.shape[0] for _, a, off in placed), default=0)
    stems: dict[str, np.ndarray] = {}
    report = []
    for c, a, off in placed:
        g = 10 ** ((LAYER_GAIN_DB.get(c.layer, 0.0) if c.gain_db is None else c.gain_db) / 20)
        pan = LAYER_PAN.get(c.layer, 0.0) if c.pan is None else c.pan
        gl, gr = pan_gains(pan)
        buf = stems.setdefault(c.layer, np.zeros((frames, 2), np.float32))
        x = a.samples * g
        buf[off : off + len(x), 0] += x[:, 0] * gl
        buf[off : off + len(x), 1] += x[:, 1] * gr
        report.append({"layer": c.layer, "start_s": round(off / sr, 4), "gain": round(g, 4), "pan": pan})
    total = np.zeros((frames, 2), np.float32)
    for s in stems.values():
        total += s
    return Audio(total, sr), {k: Audio(v, sr) for k, v in stems.items()}, {"cells": report, "frames": frames}
