"""Neural TTS via transformers where its weights are present (default: facebook/mms-tts-eng, a VITS model).

VITS is end-to-end text -> waveform with a character tokenizer, so it runs fully offline; FastSpeech2
(espnet/fastspeech2_conformer) needs g2p_en and NLTK's downloaded CMU dictionary at run time, which this
product cannot fetch, so the VITS-class model fills the FastSpeech2 slot. Piper remains the default voice."""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.base import CostModel, Generator, GenRequest, ToolResult
from sonicgrid.tools.hub import ModelSpec, RealModelTool

QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|\'([^\']{3,})\'')


def words_to_speak(req: GenRequest) -> str:
    """params['text'], else the brief's text, else the quoted words of the request, else the request."""
    text = req.params.get("text") or req.brief.get("text")
    if not text:
        m = QUOTED.search(req.prompt or "")
        text = next(g for g in m.groups() if g) if m else req.prompt
    return (text or "").strip()[:600] or "hello"


class TransformersTTS(RealModelTool, Generator):
    name = "mms-tts-vits"
    role = "generator"
    capabilities = frozenset({"layer:voice", "tts", "speech"})
    quality_prior = 6.0
    version = "transformers-vits-1"
    spec = ModelSpec(
        "facebook/mms-tts-eng", "mms-tts-eng", "SONICGRID_TTS_PATH", ("config.json", "vocab.json", "*.safetensors")
    )
    costs: ClassVar[dict[str, CostModel]] = {
        "cpu": CostModel(per_audio_s=1.7, overhead_s=0.5, device="cpu"),
        "cuda": CostModel(per_audio_s=0.02, overhead_s=0.3, device="cuda"),
        "mps": CostModel(per_audio_s=0.05, overhead_s=0.5, device="mps"),
    }

    def _load(self, src: str, local_files_only: bool, dev: str):
        from transformers import AutoTokenizer, VitsModel

        model = VitsModel.from_pretrained(src, local_files_only=local_files_only).to(dev).eval()
        tok = AutoTokenizer.from_pretrained(src, local_files_only=local_files_only)
        return model, tok

    def run(self, request: GenRequest) -> ToolResult:
        import torch

        model, tok = self.model()
        text = words_to_speak(request)
        inputs = tok(text, return_tensors="pt")
        if inputs["input_ids"].shape[-1] == 0:
            inputs = tok("hello", return_tensors="pt")
        speed = float(request.params.get("speaking_rate", 1.0))
        model.speaking_rate = speed
        torch.manual_seed(int(request.seed))
        with torch.inference_mode():
            wav = model(**{k: v.to(model.device) for k, v in inputs.items()}).waveform[0].float().cpu().numpy()
        sr = int(model.config.sampling_rate)
        peak = float(np.max(np.abs(wav))) if wav.size else 0.0
        if peak > 0.99:
            wav = wav * (0.99 / peak)
        return ToolResult(
            Audio(wav.astype(np.float32), sr),
            {"model": self.spec.hub_id, "text": text, "speaking_rate": speed, "sr": sr},
        )
