"""Dimensional speech/music emotion (audeering wav2vec2, arousal/dominance/valence) -> our mood fields."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sonicgrid.tools.analysts.ast_tags import SR, mono16k
from sonicgrid.tools.analysts.base import Analysis, AnalysisRequest, Analyst
from sonicgrid.tools.analysts.mood import MOOD_POINTS
from sonicgrid.tools.base import CostModel
from sonicgrid.tools.hub import ModelSpec, RealModelTool


def emotion_model_class():
    """The model card's classes (audeering/wav2vec2-large-robust-12-ft-emotion-msp-dim), kept as published so
    its checkpoint's keys (wav2vec2.*, classifier.dense/out_proj) load unchanged."""
    import torch
    from torch import nn
    from transformers.models.wav2vec2.modeling_wav2vec2 import Wav2Vec2Model, Wav2Vec2PreTrainedModel

    class RegressionHead(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.dense = nn.Linear(config.hidden_size, config.hidden_size)
            self.dropout = nn.Dropout(config.final_dropout)
            self.out_proj = nn.Linear(config.hidden_size, config.num_labels)

        def forward(self, features, **kwargs):
            x = self.dropout(features)
            x = torch.tanh(self.dense(x))
            return self.out_proj(self.dropout(x))

    class EmotionModel(Wav2Vec2PreTrainedModel):
        def __init__(self, config):
            super().__init__(config)
            self.config = config
            self.wav2vec2 = Wav2Vec2Model(config)
            self.classifier = RegressionHead(config)
            self.post_init()

        def forward(self, input_values):
            hidden = self.wav2vec2(input_values)[0].mean(dim=1)
            return hidden, self.classifier(hidden)

    return EmotionModel


def mood_from_av(valence: float, arousal: float) -> tuple[str, float, dict]:
    """Nearest mood prototype to (valence, arousal) on -1..1: label, confidence, distances."""
    d = {m: float(np.hypot(valence - v, arousal - a)) for m, (v, a) in MOOD_POINTS.items()}
    label = min(d, key=lambda k: d[k])
    return label, float(np.clip(1.0 - d[label] / 1.2, 0.05, 1.0)), {k: round(v, 3) for k, v in d.items()}


class EmotionAnalyst(RealModelTool, Analyst):
    name = "wav2vec2-emotion"
    role = "analyst"
    capabilities = frozenset({"mood"})
    spec = ModelSpec(
        "audeering/wav2vec2-large-robust-12-ft-emotion-msp-dim",
        "wav2vec2-emotion",
        "SONICGRID_EMOTION_PATH",
        ("config.json", "preprocessor_config.json"),
    )
    costs: ClassVar[dict[str, CostModel]] = {
        "cpu": CostModel(per_audio_s=1.5, overhead_s=0.1, device="cpu"),
        "cuda": CostModel(per_audio_s=0.01, overhead_s=0.05, device="cuda"),
        "mps": CostModel(per_audio_s=0.04, overhead_s=0.2, device="mps"),
    }

    def _load(self, src: str, local_files_only: bool, dev: str):
        from transformers import Wav2Vec2FeatureExtractor

        model = emotion_model_class().from_pretrained(src, local_files_only=local_files_only).to(dev).eval()
        fe = Wav2Vec2FeatureExtractor.from_pretrained(src, local_files_only=local_files_only)
        return model, fe

    def run(self, request: AnalysisRequest) -> Analysis:
        audio = request.audio
        import torch

        model, fe = self.model()
        x = mono16k(audio, max_s=20.0)
        iv = fe(x, sampling_rate=SR, return_tensors="pt")["input_values"].to(model.device, model.dtype)
        with torch.inference_mode():
            _, logits = model(iv)
        a, d, v = (
            float(t) for t in logits[0].float().cpu().numpy()[:3]
        )  # the card's order: arousal, dominance, valence
        valence, arousal = float(np.clip(2 * v - 1, -1, 1)), float(np.clip(2 * a - 1, -1, 1))
        label, conf, dists = mood_from_av(valence, arousal)
        return Analysis(
            mood={
                "valence": round(valence, 3),
                "arousal": round(arousal, 3),
                "dominance": round(float(d), 3),
                "label": label,
                "confidence": round(conf, 3),
                "distances": dists,
                "happy_or_sad": "happy" if valence >= 0 else "sad",
            },
            analysts=[self.name],
        )
