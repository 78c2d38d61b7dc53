"""MusicGen (small / stereo-small) via transformers: text -> audio, and continuation of an earlier clip."""

from __future__ import annotations

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.base import CostModel, Generator, GenRequest, ToolResult
from sonicgrid.tools.hub import ModelSpec, RealModelTool, decode_threads, torch_threads

LAYER_WORDS = {
    "rhythm": "drum beat, percussion groove",
    "harmony": "chords and bass",
    "atmosphere": "ambient pad, cinematic texture",
    "texture": "lo-fi texture, details",
    "voice": "vocal chops",
}
FRAME_RATE = 50  # EnCodec 32 kHz tokens per second


def text_prompt(req: GenRequest) -> str:
    """The model's text prompt: the user's words plus layer, mood, tempo and key from the brief/params."""
    b, p = req.brief, req.params
    parts = [req.prompt.strip() or "music", LAYER_WORDS.get(req.layer, req.layer), f"{b.get('mood', '')} mood".strip()]
    tempo = p.get("tempo_bpm") or b.get("tempo_bpm")
    if tempo:
        parts.append(f"{float(tempo):.0f} bpm")
    key, mode = p.get("key") or b.get("key"), p.get("mode") or b.get("mode")
    if key:
        parts.append(f"in {key} {mode or ''}".strip())
    if p.get("lowpass_hz"):
        parts.append("warm, darker")
    return ", ".join(x for x in parts if x)


class MusicGen(RealModelTool, Generator):
    """facebook/musicgen-small (mono) or musicgen-stereo-small; params: guidance_scale, temperature, top_k."""

    role = "generator"
    quality_prior = 7.0
    version = "transformers-musicgen-1"

    def __init__(self, stereo: bool = False):
        self.stereo_model = stereo
        name = "musicgen-stereo-small" if stereo else "musicgen-small"
        self.name = name
        self.spec = ModelSpec(
            f"facebook/{name}",
            name,
            "SONICGRID_MUSICGEN_STEREO_PATH" if stereo else "SONICGRID_MUSICGEN_PATH",
            ("config.json", "*.safetensors"),
        )
        caps = {"layer:rhythm", "layer:harmony", "layer:atmosphere", "continue", "text-to-music"}
        self.capabilities = frozenset(caps | ({"stereo"} if stereo else set()))
        # CPU (mono): benchmarks/bench_models.py, real-size random weights, 2-core CPU shared at load ~6, one
        # decode thread: 12.5-17.8 s wall (7.2 s CPU) per audio second + ~2.5 s per call; loading (~8 s) is
        # once per process. Stereo (8 codebooks, same decoder) is an estimate, not measured. GPU figures are
        # the model card's order of magnitude, not measured here.
        self._costs = {
            "cpu": CostModel(per_audio_s=18.0 if stereo else 16.0, overhead_s=3.0, device="cpu"),
            "cuda": CostModel(per_audio_s=0.6 if stereo else 0.4, overhead_s=4.0, device="cuda"),
            "mps": CostModel(per_audio_s=3.0, overhead_s=8.0, device="mps"),
        }

    def cost_table(self) -> dict[str, CostModel]:
        return self._costs

    def _load(self, src: str, local_files_only: bool, dev: str):
        from transformers import AutoProcessor, MusicgenForConditionalGeneration

        from sonicgrid.tools.hub import dtype

        model = (
            MusicgenForConditionalGeneration.from_pretrained(src, local_files_only=local_files_only, dtype=dtype(dev))
            .to(dev)
            .eval()
        )
        proc = AutoProcessor.from_pretrained(src, local_files_only=local_files_only)
        return model, proc

    def run(self, request: GenRequest) -> ToolResult:
        import torch

        model, proc = self.model()
        sr = int(model.config.audio_encoder.sampling_rate)
        p = request.params
        text = text_prompt(request)
        kwargs: dict = {"text": [text], "padding": True, "return_tensors": "pt"}
        prompt_frames = 0
        if request.audio_prompt is not None:  # continuation: the last few seconds of the earlier clip
            a = request.audio_prompt
            x = a.samples if self.stereo_model else a.samples.mean(axis=1, keepdims=True)
            if self.stereo_model and x.shape[1] == 1:
                x = np.repeat(x, 2, axis=1)
            if a.sr != sr:
                import librosa

                x = librosa.resample(x.T, orig_sr=a.sr, target_sr=sr).T
            x = x[-int(float(p.get("prompt_seconds", 4.0)) * sr) :]
            prompt_frames = x.shape[0]
            kwargs.update(audio=[x.T if self.stereo_model else x[:, 0]], sampling_rate=sr)
        inputs = proc(**kwargs)
        dev = model.device
        inputs = {k: (v.to(dev) if hasattr(v, "to") else v) for k, v in inputs.items()}
        if "input_values" in inputs:
            inputs["input_values"] = inputs["input_values"].to(model.dtype)
        # the codebook delay pattern costs (num_codebooks - 1) frames at the end: ask for them too
        n_tokens = max(4, int(round(request.duration_s * FRAME_RATE)) + int(model.decoder.config.num_codebooks))
        torch.manual_seed(int(request.seed))
        threads = decode_threads(torch.get_num_threads()) if dev.type == "cpu" else torch.get_num_threads()
        with torch_threads(threads), torch.inference_mode():
            out = model.generate(
                **inputs,
                do_sample=True,
                guidance_scale=float(p.get("guidance_scale", 3.0)),
                temperature=float(p.get("temperature", 1.0)),
                top_k=int(p.get("top_k", 250)),
                max_new_tokens=n_tokens,
            )
        wav = out[0].float().cpu().numpy().T  # (samples, channels)
        wav = wav[prompt_frames:] if prompt_frames else wav
        wav = wav[: int(round(request.duration_s * sr))]
        peak = float(np.max(np.abs(wav))) if wav.size else 0.0
        if peak > 0.99:
            wav = wav * (0.99 / peak)
        meta = {
            "model": self.spec.hub_id,
            "text": text,
            "guidance_scale": float(p.get("guidance_scale", 3.0)),
            "seed": int(request.seed),
            "tokens": n_tokens,
            "threads": threads,
        }
        if prompt_frames and request.audio_prompt is not None:
            meta["continued"] = True
            meta["prompt_s"] = round(prompt_frames / sr, 3)
            cont = np.concatenate([_match_channels(request.audio_prompt, sr, wav.shape[1]), wav])
            return ToolResult(Audio(cont, sr), meta)
        return ToolResult(Audio(wav.astype(np.float32), sr), meta)


def _match_channels(a: Audio, sr: int, ch: int) -> np.ndarray:
    """The earlier clip at the model's rate and channel count, so a continuation returns prompt + new."""
    x = a.samples
    if a.sr != sr:
        import librosa

        x = librosa.resample(x.T, orig_sr=a.sr, target_sr=sr).T
    if x.shape[1] != ch:
        x = np.repeat(x.mean(axis=1, keepdims=True), ch, axis=1)
    return x.astype(np.float32)
