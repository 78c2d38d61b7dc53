"""The typed verdict every agent returns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Verdict(BaseModel):
    agent: str
    choice: str
    confidence: float = Field(ge=0, le=1)
    reason: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    allowed: list[str] = Field(default_factory=list, description="choices the hard limits allowed")
    brain: Literal["rules", "llm", "llm-fallback", "human"] = "rules"
    overridden: str | None = Field(default=None, description="set when code overrode the brain")
    latency_ms: float = 0.0
    data: dict[str, Any] = Field(default_factory=dict, description="structured output (brief, targets)")
