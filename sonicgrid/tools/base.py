"""The tool protocol, one per role: what every tool shows the registry (name, role, capabilities, cost
model, available()), and per role a typed request and result: generate (GenRequest -> ToolResult),
enhance and master (AudioRequest -> ToolResult), vocode (VocodeRequest -> ToolResult). Analysts have
their own protocol (tools/analysts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sonicgrid.audio import Audio


@dataclass(frozen=True)
class CostModel:
    """Estimated compute seconds = overhead_s + per_audio_s * seconds of audio (on this device)."""

    per_audio_s: float
    overhead_s: float = 0.0
    device: str = "cpu"

    def estimate(self, seconds: float) -> float:
        return self.overhead_s + self.per_audio_s * max(0.0, seconds)


FREE = CostModel(per_audio_s=0.0)


@dataclass
class GenRequest:
    """Generate: a cell's words and numbers in, audio out (continuation: audio_prompt is the earlier clip)."""

    prompt: str
    brief: dict[str, Any]
    layer: str
    section: str
    duration_s: float
    seed: int
    params: dict[str, Any] = field(default_factory=dict)  # adjustments from gatekeeper/continuity
    audio_prompt: Audio | None = None  # for continuation


@dataclass
class AudioRequest:
    """Enhance or master: a clip in, a better clip out."""

    audio: Audio
    brief: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0


@dataclass
class VocodeRequest:
    """Vocode: a log-mel spectrogram in (or a clip to re-synthesise), a waveform out."""

    audio: Audio | None = None
    mel: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0


@dataclass
class ToolResult:
    audio: Audio
    meta: dict[str, Any] = field(default_factory=dict)


class Tool:
    """What every tool shows the registry. Subclasses set these (as class or instance attributes)."""

    name: str = "tool"
    role: str = "generator"  # generator | enhancer | vocoder | master | analyst
    capabilities: frozenset[str] = frozenset()
    quality_prior: float = 5.0  # expected quality /10, the Cost Guardian's "gain"
    embedded: bool = True  # ships with pip, needs no external weights
    version: str = "1"

    @property
    def cost(self) -> CostModel:
        """The cost model on this device (a class attribute in most tools)."""
        return FREE

    def available(self) -> tuple[bool, str]:
        return True, "embedded"

    def describe(self) -> dict[str, Any]:
        ok, where = self.available()
        return {
            "name": self.name,
            "role": self.role,
            "capabilities": sorted(self.capabilities),
            "available": ok,
            "where": where,
            "cost_per_audio_s": self.cost.per_audio_s,
            "overhead_s": self.cost.overhead_s,
            "device": self.cost.device,
            "embedded": self.embedded,
            "version": self.version,
        }


class Generator(Tool):
    role = "generator"

    def run(self, request: GenRequest) -> ToolResult:  # pragma: no cover - abstract
        raise NotImplementedError


class Enhancer(Tool):
    role = "enhancer"

    def run(self, request: AudioRequest) -> ToolResult:  # pragma: no cover - abstract
        raise NotImplementedError


class Master(Tool):
    role = "master"

    def run(self, request: AudioRequest) -> ToolResult:  # pragma: no cover - abstract
        raise NotImplementedError


class Vocoder(Tool):
    role = "vocoder"

    def run(self, request: VocodeRequest) -> ToolResult:  # pragma: no cover - abstract
        raise NotImplementedError


ROLES: dict[str, type[Tool]] = {"generator": Generator, "enhancer": Enhancer, "master": Master, "vocoder": Vocoder}
