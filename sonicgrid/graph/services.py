"""What the nodes work with: settings, tool registry, clip library, brain. Built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sonicgrid.agents.base import RULES, Brain
from sonicgrid.config import Settings
from sonicgrid.errors import ModelUnavailable
from sonicgrid.tools.registry import Registry, default_registry

if TYPE_CHECKING:
    from sonicgrid.memory.library import ClipLibrary


@dataclass
class Services:
    settings: Settings
    registry: Registry = field(default=None)  # type: ignore[assignment]
    brain: Brain = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.registry is None:
            self.registry = default_registry(self.settings.sample_rate, self.settings)
        if self.brain is None:
            self.brain = make_brain(self.settings)

    @cached_property
    def library(self) -> ClipLibrary:
        from sonicgrid.memory.library import ClipLibrary

        s = self.settings
        return ClipLibrary(s.library_dir, s.chroma_url, timeout_s=s.chroma_timeout_s)


def make_brain(settings: Settings) -> Brain:
    """rules -> the rules brain; llm -> the LLM judge or a one-line error; auto (the default) -> the LLM
    judge when it loads (packaged Gemma 3 270M + shipped adapter), else rules with a note saying why;
    and when a model outside the process fails or runs past its deadline during a run, the rules
    decide, with a note (LLMBrain's fallback)."""
    if settings.brain == "rules":
        return RULES
    try:
        return _llm_brain(settings)
    except ModelUnavailable as exc:
        if settings.brain == "llm":
            raise
        fallback = Brain()
        fallback.note = f"LLM judge unavailable ({exc}); the agents decide by rules"
        return fallback


def _llm_brain(settings: Settings) -> Brain:
    from sonicgrid.llm.brain import LLMBrain
    from sonicgrid.llm.providers import chat_model

    return LLMBrain(
        chat_model(settings),
        fallback=settings.brain == "auto",
        timeout_s=settings.llm_timeout_s,
        output=settings.llm_output,
        memory_dir=Path(settings.data_dir) / "cache" / "judge",
    )
