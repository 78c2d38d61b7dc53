"""What the nodes work with: settings, tool registry, clip library, brain. Built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sonicgrid.agents.base import RULES, Brain
from sonicgrid.config import Settings
from sonicgrid.errors import ModelUnavailable, UserError
from sonicgrid.tools.registry import Registry, default_registry


@dataclass
class Services:
    settings: Settings
    registry: Registry = field(default=None)  # type: ignore[assignment]
    brain: Brain = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.registry is None:
            self.registry = default_registry(self.settings.sample_rate)
        if self.brain is None:
            self.brain = make_brain(self.settings)

    @cached_property
    def library(self):
        from sonicgrid.memory.library import ClipLibrary

        return ClipLibrary(self.settings.library_dir, self.settings.chroma_url)


def make_brain(settings: Settings) -> Brain:
    """rules -> the rules brain; llm -> the LLM judge or a one-line error; auto (the default) -> the LLM
    judge when it loads (packaged Gemma 3 270M + shipped adapter), else rules with a note saying why."""
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
    from sonicgrid.llm.local import LocalLLM, ServerLLM
    from sonicgrid.llm.locate import model_path, packaged_lora

    if settings.llm_server_url:
        return LLMBrain(ServerLLM(settings.llm_server_url))
    path = model_path(settings.llm_model_path)
    lora = settings.llm_lora_path or (packaged_lora() if settings.llm_model_path is None else None)
    if lora is not None and not lora.is_file():
        raise UserError(f"LoRA adapter not found: {lora}")
    return LLMBrain(LocalLLM.shared(path, lora, settings.llm_threads))
