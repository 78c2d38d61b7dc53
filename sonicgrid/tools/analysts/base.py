"""The analyst side of the tool protocol: `Analyst.run(AnalysisRequest) -> Analysis`.

Generators take a GenRequest and return audio; analysts take audio (and what was asked for) and return what
they heard. Every field of an Analysis is optional because an analyst fills only what it hears (a tagger
fills `tags`, an emotion model `mood`); the full listeners fill them all. The graph stores
`Analysis.as_dict()` (a plain dict, JSON-ready) in its state and in the library.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from sonicgrid.audio import Audio
from sonicgrid.tools.base import CostModel, Tool


class AnalysisRequest(BaseModel):
    """A clip to hear and what it was meant to be: the brief, and for one grid cell its layer and length."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    audio: Audio
    brief: dict[str, Any] = Field(default_factory=dict)
    layer: str | None = Field(default=None, description="the grid cell's layer; None for a full mix")
    duration_s: float | None = Field(default=None, description="the length asked for (the cell's or the brief's)")


class Analysis(BaseModel):
    """What an analyst heard. `quality` and `mood` keep their documented dict shapes (score, components,
    critic, brief / valence, arousal, label, key_confidence ...): the agents' evidence is built from them."""

    model_config = ConfigDict(extra="forbid")

    quality: dict[str, Any] | None = None
    mood: dict[str, Any] | None = None
    tempo_bpm: float | None = None
    key: str | None = None
    mode: str | None = None
    lufs: float | None = None
    peak_dbfs: float | None = None
    tags: dict[str, float] = Field(default_factory=dict)
    centroid_hz: float | None = None
    duration_s: float | None = None
    embedding: list[float] | None = None
    embedding_kind: str | None = Field(default=None, description="which vector `embedding` is (dsp-33)")
    music_embedding: list[float] | None = Field(
        default=None, description="musicnn MSD penultimate layer, L2-normalised (msd-musicnn-200: the library's vector)"
    )
    measures: dict[str, Any] = Field(default_factory=dict)
    notes: list[dict[str, float]] | None = None
    analysts: list[str] = Field(default_factory=list)
    analyst_errors: dict[str, str] = Field(default_factory=dict)
    extra: dict[str, Any] = Field(
        default_factory=dict, description="model-specific outputs (AudioSet top labels, axes)"
    )

    def as_dict(self) -> dict[str, Any]:
        """A plain dict without the empty fields: what the graph state and the library store."""
        out = self.model_dump(exclude_none=True)
        for k in ("measures", "analyst_errors", "extra"):
            if not out.get(k):
                out.pop(k, None)
        return out


class Analyst(Tool):
    """Base class of every analyst: a `Tool` (name, role, capabilities, cost, available(), describe(), so the
    registry lists and picks it like any other) whose run() hears a clip: AnalysisRequest -> Analysis."""

    name: str = "analyst"
    role: str = "analyst"
    cost_model: ClassVar[CostModel] = CostModel(per_audio_s=0.0)

    @property
    def cost(self) -> CostModel:
        return self.cost_model

    def run(self, request: AnalysisRequest) -> Analysis:  # pragma: no cover - abstract
        raise NotImplementedError

    def hear(self, audio: Audio, brief: dict | None = None, **kw: Any) -> dict[str, Any]:
        """Convenience: run on `audio` with `brief` and return the plain dict."""
        return self.run(AnalysisRequest(audio=audio, brief=brief or {}, **kw)).as_dict()
