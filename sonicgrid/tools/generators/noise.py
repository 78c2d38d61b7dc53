"""Embedded texture generator: filtered, shaped noise (lo-fi grit, vinyl, air)."""

from __future__ import annotations

import numpy as np

from sonicgrid.audio import Audio, fade
from sonicgrid.tools.base import CostModel, Generator, GenRequest, ToolResult


class NoiseTexture(Generator):
    name = "noise-texture"
    role = "generator"
    capabilities = frozenset({"layer:texture", "layer:atmosphere", "stereo"})
    cost = CostModel(per_audio_s=0.005, overhead_s=0.01)
    quality_prior = 4.5

    def __init__(self, sr: int = 44100):
        self.sr = sr

    def run(self, request: GenRequest) -> ToolResult:
        from scipy.signal import butter, sosfilt

        rng = np.random.default_rng(request.seed)
        n = int(round(request.duration_s * self.sr))
        dark = request.brief.get("brightness", 0) < 0 or request.brief.get("mood") in ("moody", "tense")
        lo, hi = (150.0, 2500.0) if dark else (400.0, 7000.0)
        sos = butter(2, [lo, hi], btype="band", fs=self.sr, output="sos")
        x = sosfilt(sos, rng.standard_normal((n, 2)), axis=0)
        crackle = (rng.random((n, 2)) < 0.0004) * rng.standard_normal((n, 2)) * 4
        t = np.arange(n) / self.sr
        swell = 0.6 + 0.4 * np.sin(2 * np.pi * t / max(4.0, request.duration_s / 2))[:, None]
        y = (x * swell + crackle) * 0.08
        y = fade(y.astype(np.float32), self.sr, 0.5, 0.5)
        return ToolResult(Audio(y, self.sr), meta={"band_hz": [lo, hi]})
