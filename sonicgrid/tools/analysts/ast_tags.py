"""AST (MIT/ast-finetuned-audioset-10-10-0.4593): AudioSet labels -> our content tags (drums, pad, noise, bass, voice)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts.base import Analysis, AnalysisRequest, Analyst
from sonicgrid.tools.base import CostModel
from sonicgrid.tools.hub import ModelSpec, RealModelTool

# Our tag <- AudioSet labels (matched case-insensitively against the model's id2label).
TAG_LABELS = {
    "drums": (
        "Drum",
        "Drum kit",
        "Drum machine",
        "Snare drum",
        "Bass drum",
        "Hi-hat",
        "Cymbal",
        "Percussion",
        "Drum and bass",
        "Drum roll",
        "Tabla",
        "Timpani",
        "Beatboxing",
    ),
    "pad": (
        "Ambient music",
        "Synthesizer",
        "Drone",
        "New-age music",
        "Electronic music",
        "Sampler",
        "Organ",
        "Strings",
        "String section",
        "Orchestra",
    ),
    "noise": ("Noise", "White noise", "Pink noise", "Static", "Hiss", "Hum", "Buzz", "Crackle", "Rain"),
    "bass": ("Bass guitar", "Double bass", "Bass drum", "Sub-bass"),
    "voice": (
        "Speech",
        "Singing",
        "Narration, monologue",
        "Male speech, man speaking",
        "Female speech, woman speaking",
        "Choir",
        "Vocal music",
        "Rapping",
    ),
}
SR = 16000


def mono16k(audio: Audio, max_s: float | None = None) -> np.ndarray:
    """Mono float32 at 16 kHz (the rate every analyst model here expects), optionally the middle max_s."""
    x = audio.mono()
    if audio.sr != SR:
        import librosa

        x = librosa.resample(x, orig_sr=audio.sr, target_sr=SR)
    if max_s and len(x) > max_s * SR:
        start = (len(x) - int(max_s * SR)) // 2
        x = x[start : start + int(max_s * SR)]
    return np.ascontiguousarray(x, dtype=np.float32)


def tags_from_probs(probs: np.ndarray, id2label: dict) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """(our tags 0..1 as the max probability of their labels, the top AudioSet labels)."""
    names = {str(v).lower(): int(k) for k, v in id2label.items()}
    tags = {}
    for tag, labels in TAG_LABELS.items():
        idx = [names[lab.lower()] for lab in labels if lab.lower() in names]
        tags[tag] = round(float(max(probs[idx])) if idx else 0.0, 3)
    top = np.argsort(-probs)[:5]
    return tags, [
        (str(id2label[int(i)] if int(i) in id2label else id2label[str(int(i))]), round(float(probs[i]), 3)) for i in top
    ]


class ASTTagger(RealModelTool, Analyst):
    name = "ast-audioset"
    role = "analyst"
    capabilities = frozenset({"tags"})
    spec = ModelSpec(
        "MIT/ast-finetuned-audioset-10-10-0.4593",
        "ast-finetuned-audioset",
        "SONICGRID_AST_PATH",
        ("config.json", "*.safetensors", "preprocessor_config.json"),
    )
    costs: ClassVar[dict[str, CostModel]] = {
        "cpu": CostModel(per_audio_s=0.0, overhead_s=7.9, device="cpu"),  # one fixed 10.24 s window
        "cuda": CostModel(per_audio_s=0.005, overhead_s=0.05, device="cuda"),
        "mps": CostModel(per_audio_s=0.02, overhead_s=0.2, device="mps"),
    }

    def _load(self, src: str, local_files_only: bool, dev: str):
        from transformers import ASTFeatureExtractor, ASTForAudioClassification

        model = ASTForAudioClassification.from_pretrained(src, local_files_only=local_files_only).to(dev).eval()
        fe = ASTFeatureExtractor.from_pretrained(src, local_files_only=local_files_only)
        return model, fe

    def run(self, request: AnalysisRequest) -> Analysis:
        audio = request.audio
        import torch

        model, fe = self.model()
        x = mono16k(audio, max_s=10.24)  # AST's 1024-frame window
        inputs = fe(x, sampling_rate=SR, return_tensors="pt")
        with torch.inference_mode():
            logits = model(input_values=inputs["input_values"].to(model.device, model.dtype)).logits[0]
        probs = torch.sigmoid(logits.float()).cpu().numpy()
        tags, top = tags_from_probs(probs, model.config.id2label)
        return Analysis(tags=tags, extra={"audioset_top": top}, analysts=[self.name])
