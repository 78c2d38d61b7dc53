"""The tool protocol: name, role, capabilities, cost model, available(), run()."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sonicgrid.audio import Audio


@dataclass(frozen=True)
class CostModel:
    """Estimated compute seconds = overhead_s + per_audio_s * seconds of audio (on this device)."""

    per_audio_s: float
    overhead_s: float = 0.0
    device: str = "cpu"

    def estimate(self, seconds: float) -> float:
        return self.overhead_s + self.per_audio_s * max(0.0, seconds)


@dataclass
class GenRequest:
    prompt: str
    brief: dict
    layer: str
    section: str
    duration_s: float
    seed: int
    params: dict[str, Any] = field(default_factory=dict)  # adjustments from gatekeeper/continuity
    audio_prompt: Audio | None = None  # for continuation / enhancement


@dataclass
class ToolResult:
    audio: Audio
    meta: dict[str, Any] = field(default_factory=dict)


class Tool:
    """Base class for every tool. Subclasses set the class attributes and implement run()."""

    name: ClassVar[str] = "tool"
    role: ClassVar[str] = "generator"  # generator | enhancer | vocoder | analyst | voice | master
    capabilities: ClassVar[frozenset[str]] = frozenset()
    cost: ClassVar[CostModel] = CostModel(per_audio_s=0.0)
    quality_prior: ClassVar[float] = 5.0  # expected quality /10, the Cost Guardian's "gain"
    embedded: ClassVar[bool] = True  # ships with pip, needs no external weights
    version: ClassVar[str] = "1"

    def available(self) -> tuple[bool, str]:
        return True, "embedded"

    def run(self, request: GenRequest) -> ToolResult:  # pragma: no cover - abstract
        raise NotImplementedError

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
