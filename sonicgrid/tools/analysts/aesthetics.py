"""Audiobox Aesthetics (CE/CU/PC/PQ) -> a 1-10 aesthetic score for the Gatekeeper.

Uses the package's model class only (its infer.py imports torchaudio, which torch 2.13 lacks): we resample to
16 kHz and cut 10 s windows with padding masks ourselves, weighting windows by their length as infer.py does."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sonicgrid.tools.analysts.ast_tags import SR, mono16k
from sonicgrid.tools.analysts.base import Analysis, AnalysisRequest, Analyst
from sonicgrid.tools.base import CostModel
from sonicgrid.tools.hub import ModelSpec, RealModelTool

AXES = ("CE", "CU", "PC", "PQ")  # content enjoyment, content usefulness, production complexity, production quality
WINDOW_S = 10


def windows(x: np.ndarray, sr: int = SR, seconds: int = WINDOW_S) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(wavs [n, 1, win], masks [n, 1, win] True on real samples, weights = real fraction)."""
    win = seconds * sr
    n = max(1, int(np.ceil(len(x) / win)))
    wavs = np.zeros((n, 1, win), np.float32)
    masks = np.zeros((n, 1, win), bool)
    weights = np.zeros(n, np.float32)
    for i in range(n):
        seg = x[i * win : (i + 1) * win]
        wavs[i, 0, : len(seg)] = seg
        masks[i, 0, : len(seg)] = True
        weights[i] = len(seg) / win
    return wavs, masks, weights


def score_from_axes(axes: dict[str, float]) -> float:
    """Gatekeeper's 1-10: mean of enjoyment, usefulness and production quality (complexity is not quality)."""
    return float(np.clip(np.mean([axes["CE"], axes["CU"], axes["PQ"]]), 1.0, 10.0))


class AestheticsAnalyst(RealModelTool, Analyst):
    name = "audiobox-aesthetics"
    role = "analyst"
    capabilities = frozenset({"aesthetics"})
    spec = ModelSpec(
        "facebook/audiobox-aesthetics",
        "audiobox-aesthetics",
        "SONICGRID_AESTHETICS_PATH",
        ("config.json", "*.safetensors"),
        packages=("audiobox_aesthetics",),
    )
    costs: ClassVar[dict[str, CostModel]] = {
        "cpu": CostModel(per_audio_s=0.55, overhead_s=5.0, device="cpu"),  # 5.5 s per padded 10 s window
        "cuda": CostModel(per_audio_s=0.01, overhead_s=0.05, device="cuda"),
        "mps": CostModel(per_audio_s=0.04, overhead_s=0.2, device="mps"),
    }

    def _load(self, src: str, local_files_only: bool, dev: str):
        from audiobox_aesthetics.model.aes import AesMultiOutput

        model = AesMultiOutput.from_pretrained(src, local_files_only=local_files_only).to(dev).eval()
        if not model.target_transform:
            raise ValueError("checkpoint has no target_transform (axis mean/std)")
        return model

    def run(self, request: AnalysisRequest) -> Analysis:
        audio = request.audio
        import torch

        model = self.model()
        wavs, masks, weights = windows(mono16k(audio, max_s=60.0))
        dev = next(model.parameters()).device
        out = {k: 0.0 for k in AXES}
        with torch.inference_mode():
            for i in range(len(wavs)):  # one window at a time: bounded memory on CPU
                preds = model(
                    {
                        "wav": torch.from_numpy(wavs[i : i + 1]).to(dev),
                        "mask": torch.from_numpy(masks[i : i + 1]).to(dev),
                    }
                )
                for ax in AXES:
                    t = model.target_transform[ax]
                    out[ax] += float(preds[ax].float().item() * t["std"] + t["mean"]) * float(weights[i])
        axes = {k: round(v / float(weights.sum()), 3) for k, v in out.items()}
        return Analysis(
            extra={"aesthetics": {"axes": axes, "score": round(score_from_axes(axes), 2)}}, analysts=[self.name]
        )
