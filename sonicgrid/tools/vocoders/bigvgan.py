"""BigVGAN v2 (nvidia/bigvgan_v2_22khz_80band_256x) vocoder: mel in -> waveform out.

Loaded from a local directory's config.json + bigvgan_generator.pt with the bigvgan package's model class
(its from_pretrained breaks with huggingface_hub 2.x), always with the pure-torch anti-aliased activation
(use_cuda_kernel=False: the CUDA kernel needs a compiler and a GPU). As a tool it re-synthesises audio:
audio -> the model's own mel (bigvgan.meldataset) -> waveform, which is what the finish stage's vocoder does."""

from __future__ import annotations

import json
from typing import ClassVar

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.base import CostModel, ToolResult, Vocoder, VocodeRequest
from sonicgrid.tools.hub import ModelSpec, RealModelTool


class BigVGANVocoder(RealModelTool, Vocoder):
    name = "bigvgan-v2-22k"
    role = "vocoder"
    capabilities = frozenset({"mel-to-audio", "resynthesis"})
    quality_prior = 6.5
    version = "bigvgan-2.4"
    spec = ModelSpec(
        "nvidia/bigvgan_v2_22khz_80band_256x",
        "bigvgan_v2_22khz_80band_256x",
        "SONICGRID_BIGVGAN_PATH",
        ("config.json", "bigvgan_generator.pt"),
        packages=("bigvgan",),
    )
    costs: ClassVar[dict[str, CostModel]] = {
        "cpu": CostModel(per_audio_s=1.7, overhead_s=0.5, device="cpu"),
        "cuda": CostModel(per_audio_s=0.01, overhead_s=0.5, device="cuda"),
        "mps": CostModel(per_audio_s=0.2, overhead_s=1.0, device="mps"),
    }

    def _load(self, src: str, local_files_only: bool, dev: str):
        import os

        import torch
        from bigvgan.bigvgan import BigVGAN
        from bigvgan.env import AttrDict

        if not os.path.isdir(src):  # a hub id (download allowed): fetch the two files the loader needs
            from huggingface_hub import hf_hub_download

            src = os.path.dirname(hf_hub_download(src, "config.json"))
            hf_hub_download(self.spec.hub_id, "bigvgan_generator.pt")
        with open(os.path.join(src, "config.json")) as f:
            h = AttrDict(json.load(f))
        model = BigVGAN(h, use_cuda_kernel=False)
        state = torch.load(os.path.join(src, "bigvgan_generator.pt"), map_location="cpu", weights_only=True)
        model.load_state_dict(state.get("generator", state))
        model.remove_weight_norm()
        return model.eval().to(dev), h

    @property
    def sample_rate(self) -> int:
        return int(self.model()[1].sampling_rate)

    def mel(self, audio: Audio):
        """The model's own log-mel of `audio` (mono, resampled to its rate): a (1, num_mels, frames) tensor."""
        import torch
        from bigvgan.meldataset import get_mel_spectrogram

        _, h = self.model()
        x = audio.mono()
        if audio.sr != h.sampling_rate:
            import librosa

            x = librosa.resample(x, orig_sr=audio.sr, target_sr=h.sampling_rate)
        return get_mel_spectrogram(torch.from_numpy(np.ascontiguousarray(x, np.float32))[None], h)

    def vocode(self, mel) -> Audio:
        """mel (1, num_mels, frames) -> Audio at the model's rate, hop_size samples per frame."""
        import torch

        model, h = self.model()
        p = next(model.parameters())
        with torch.inference_mode():
            wav = model(torch.as_tensor(mel).to(p.device, p.dtype))[0, 0].float().cpu().numpy()
        return Audio(wav, int(h.sampling_rate))

    def run(self, request: VocodeRequest) -> ToolResult:
        assert request.audio is not None, "the vocoder re-synthesises an input clip"
        src = request.audio
        out = self.vocode(self.mel(src))
        return ToolResult(out, {"model": self.spec.hub_id, "sr": out.sr, "input_sr": src.sr})
