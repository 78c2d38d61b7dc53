"""The registry: every tool, and the choice of real model or embedded default per role and layer.

Typed by role: `pick("generator")` is a Generator, `pick("enhancer")` an Enhancer, and so on; a tool
registered under a role must implement that role's protocol (tools/base.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from sonicgrid.config import Settings
from sonicgrid.tools.base import ROLES, Enhancer, Generator, Master, Tool, Vocoder

if TYPE_CHECKING:
    from sonicgrid.tools.analysts.base import Analyst


class Registry:
    def __init__(self, tools: list[Tool]):
        self.tools: list[Tool] = []
        for t in tools:
            self.register(t)

    def register(self, tool: Tool, first: bool = False) -> None:
        proto = ROLES.get(tool.role)
        if proto is not None and not isinstance(tool, proto):
            raise TypeError(f"{tool.name}: role {tool.role} needs the {proto.__name__} protocol (tools/base.py)")
        if first:
            self.tools.insert(0, tool)
        else:
            self.tools.append(tool)

    def get(self, name: str) -> Tool:
        for t in self.tools:
            if t.name == name:
                return t
        raise KeyError(f"no tool named {name!r}; known: {', '.join(t.name for t in self.tools)}")

    def candidates(self, role: str, capability: str | None = None) -> list[Tool]:
        """Available tools for a role (and capability), in preference order (real models first)."""
        out = []
        for t in self.tools:
            if t.role != role or (capability and capability not in t.capabilities):
                continue
            if t.available()[0]:
                out.append(t)
        return out

    @overload
    def pick(self, role: Literal["generator"], capability: str | None = None) -> Generator | None: ...
    @overload
    def pick(self, role: Literal["enhancer"], capability: str | None = None) -> Enhancer | None: ...
    @overload
    def pick(self, role: Literal["master"], capability: str | None = None) -> Master | None: ...
    @overload
    def pick(self, role: Literal["vocoder"], capability: str | None = None) -> Vocoder | None: ...
    @overload
    def pick(self, role: Literal["analyst"], capability: str | None = None) -> Analyst | None: ...
    @overload
    def pick(self, role: str, capability: str | None = None) -> Tool | None: ...
    def pick(self, role: str, capability: str | None = None) -> Tool | None:
        c = self.candidates(role, capability)
        return c[0] if c else None

    def cheaper(self, tool: Tool, capability: str | None, seconds: float) -> list[Tool]:
        """Available alternatives for the same job that cost less, cheapest last."""
        own = tool.cost.estimate(seconds)
        alts = [t for t in self.candidates(tool.role, capability) if t.cost.estimate(seconds) < own]
        return sorted(alts, key=lambda t: -t.cost.estimate(seconds))

    def describe(self) -> list[dict]:
        return [t.describe() for t in self.tools]


def default_registry(sr: int = 44100, settings: Settings | None = None) -> Registry:
    """Embedded defaults, with real-model adapters first where their modules register them; the real
    models look for their weights under `settings` (the run's; None: the environment's)."""
    from sonicgrid.tools.analysts.ears import PretrainedEars
    from sonicgrid.tools.analysts.listen import EmbeddedListener
    from sonicgrid.tools.enhancers.deepfilter import DeepFilterVoice
    from sonicgrid.tools.enhancers.master import Mastering
    from sonicgrid.tools.enhancers.music import MusicEnhancer
    from sonicgrid.tools.generators.noise import NoiseTexture
    from sonicgrid.tools.generators.painter import SpectralPainter
    from sonicgrid.tools.generators.soundfont import SoundFontComposer
    from sonicgrid.tools.vocoders.griffinlim import GriffinLimVocoder
    from sonicgrid.tools.voice.piper import PiperVoiceTool

    reg = Registry(
        [
            SpectralPainter(sr),
            SoundFontComposer(sr),
            NoiseTexture(sr),
            PiperVoiceTool(sr),
            # musicnn + basic-pitch + critic (unavailable, not picked, when not installed); they remember what
            # they heard under the data dir, by the sound's digest
            PretrainedEars(settings.data_dir / "cache" / "ears" if settings else None),
            EmbeddedListener(),
            MusicEnhancer(),
            DeepFilterVoice(),
            GriffinLimVocoder(),
            Mastering(),
        ]
    )
    try:  # real-model adapters (optional): each registers itself ahead of the defaults
        from sonicgrid.tools import real_models
    except ImportError:
        return reg
    real_models.register_all(reg, settings)
    return reg
