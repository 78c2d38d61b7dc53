"""Real-model adapters, registered ahead of the embedded defaults (the registry picks the first available).

Each adapter reports itself unavailable (with what to do) when its weights or packages are absent, so the
embedded default for that role is used instead. Registry slots for models not wired yet are declared here
too (Mustango, TangoFlux, LFM2-Audio): unavailable until a module for them is added."""

from __future__ import annotations

from sonicgrid.config import Settings
from sonicgrid.tools.base import CostModel, Generator, GenRequest, Tool, ToolResult

NEVER = CostModel(per_audio_s=float("inf"), device="-")


class DeclaredSlot(Generator):
    """A generator the product plans for but has no adapter yet: listed by `sonicgrid models`, never picked."""

    embedded = False

    def __init__(self, name: str, capabilities: set[str], hub_id: str, note: str):
        self.name, self.hub_id, self.note = name, hub_id, note
        self.capabilities = frozenset(capabilities)

    @property
    def cost(self) -> CostModel:
        return NEVER

    def available(self) -> tuple[bool, str]:
        return False, f"declared slot ({self.hub_id}): {self.note}"

    def run(self, request: GenRequest) -> ToolResult:  # pragma: no cover - never picked
        raise NotImplementedError(self.note)

    def describe(self) -> dict:
        return super().describe() | {"model": self.hub_id}


SLOTS = [
    DeclaredSlot(
        "mustango",
        {"layer:harmony", "layer:rhythm", "text-to-music"},
        "declare-lab/mustango",
        "not configured: add sonicgrid/tools/generators/mustango.py",
    ),
    DeclaredSlot(
        "tangoflux",
        {"layer:atmosphere", "layer:texture", "text-to-audio"},
        "declare-lab/TangoFlux",
        "not configured: add sonicgrid/tools/generators/tangoflux.py",
    ),
    DeclaredSlot(
        "lfm2-audio",
        {"layer:voice", "speech-to-speech"},
        "LiquidAI/LFM2-Audio-1.5B",
        "parked: add sonicgrid/tools/voice/lfm2_audio.py",
    ),
]


def real_tools(sr: int = 44100) -> list[Tool]:
    """Every real adapter, in preference order within each role."""
    from sonicgrid.tools.analysts.aesthetics import AestheticsAnalyst
    from sonicgrid.tools.analysts.ast_tags import ASTTagger
    from sonicgrid.tools.analysts.combined import CombinedListener
    from sonicgrid.tools.analysts.emotion import EmotionAnalyst
    from sonicgrid.tools.enhancers.resemble import ResembleEnhance
    from sonicgrid.tools.generators.musicgen import MusicGen
    from sonicgrid.tools.generators.riffusion import Riffusion
    from sonicgrid.tools.vocoders.bigvgan import BigVGANVocoder
    from sonicgrid.tools.voice.fastspeech import TransformersTTS

    tagger, emotion, aes = ASTTagger(), EmotionAnalyst(), AestheticsAnalyst()
    return [
        MusicGen(stereo=True),
        MusicGen(stereo=False),
        Riffusion(),
        TransformersTTS(),
        CombinedListener(tagger, emotion, aes),
        tagger,
        emotion,
        aes,
        ResembleEnhance(),
        BigVGANVocoder(),
    ]


def register_all(reg, settings: Settings | None = None) -> None:
    """Insert the real adapters ahead of the embedded defaults (keeping their order), slots at the end;
    each adapter looks for its weights under `settings` (None: the environment's)."""
    for tool in reversed(real_tools()):
        if settings is not None and hasattr(tool, "configure"):
            tool.configure(settings)
        reg.register(tool, first=True)
    for slot in SLOTS:
        reg.register(slot)
