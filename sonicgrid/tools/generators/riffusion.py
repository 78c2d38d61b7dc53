"""Riffusion v1 via diffusers: prompt -> spectrogram image -> audio, with Riffusion's spectrogram parameters.

44.1 kHz, hop 441 (10 ms), window 4410 (100 ms), n_fft 17640 (400 ms), mel 0-10 kHz HTK without norm, image
power 0.25, max value 30e6; one image column per hop. The mel -> linear step uses a cached pseudo-inverse of
the filterbank (librosa's mel_to_stft NNLS at these sizes tries to allocate hundreds of GiB), then Griffin-Lim.
Longer clips chain tiles with img2img on the previous tile, so each continues the last; loop sections get a
crossfaded seam so the clip repeats without a click."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.base import CostModel, Generator, GenRequest, ToolResult
from sonicgrid.tools.generators.musicgen import text_prompt
from sonicgrid.tools.hub import ModelSpec, RealModelTool, decode_threads, torch_threads

SR, HOP, WIN, N_FFT, FMIN, FMAX, POWER, MAX_VALUE = 44100, 441, 4410, 17640, 0.0, 10000.0, 0.25, 30e6


@lru_cache(maxsize=4)
def mel_pinv(n_mels: int) -> np.ndarray:
    from librosa.filters import mel

    fb = mel(sr=SR, n_fft=N_FFT, n_mels=n_mels, fmin=FMIN, fmax=FMAX, htk=True, norm=None)
    return np.linalg.pinv(fb).astype(np.float32)  # (n_fft//2+1, n_mels)


def image_to_mel(img: np.ndarray) -> np.ndarray:
    """Riffusion's spectrogram_from_image: red channel, inverted, flipped so low bins are at the bottom,
    power curve undone, scaled to max_value. img: (H, W, 3) uint8 -> (n_mels=H, frames=W)."""
    data = 255.0 - img[:, :, 0].astype(np.float32)
    data = np.flip(data, axis=0) / 255.0
    return np.power(data, 1.0 / POWER) * MAX_VALUE


def mel_to_image(mel: np.ndarray) -> np.ndarray:
    """The forward transform (Riffusion's image_from_spectrogram): (n_mels, frames) -> (H, W, 3) uint8."""
    data = np.power(np.clip(mel / MAX_VALUE, 0, 1), POWER)
    data = 255.0 - np.flip(data, axis=0) * 255.0
    img = np.clip(np.round(data), 0, 255).astype(np.uint8)
    return np.repeat(img[:, :, None], 3, axis=2)


def mel_to_audio(mel: np.ndarray, n_iter: int = 32) -> np.ndarray:
    import librosa

    mag = np.maximum(mel_pinv(mel.shape[0]) @ mel, 0.0)
    y = librosa.griffinlim(mag, n_iter=n_iter, hop_length=HOP, win_length=WIN, n_fft=N_FFT, random_state=0)
    return y.astype(np.float32)


def loop_seam(y: np.ndarray, fade: int) -> np.ndarray:
    """Blend the tail into the head so the clip loops without a seam (length shrinks by `fade`)."""
    n = min(fade, len(y) // 4)
    if n < 2:
        return y
    r = np.linspace(0, 1, n, dtype=np.float32)
    head = y[:n] * r + y[len(y) - n :] * (1 - r)
    return np.concatenate([head, y[n : len(y) - n]])


class Riffusion(RealModelTool, Generator):
    name = "riffusion-v1"
    role = "generator"
    capabilities = frozenset({"layer:atmosphere", "layer:texture", "layer:rhythm", "loop", "text-to-music"})
    quality_prior = 6.0
    version = "diffusers-riffusion-1"
    spec = ModelSpec(
        "riffusion/riffusion-model-v1",
        "riffusion-model-v1",
        "SONICGRID_RIFFUSION_PATH",
        ("model_index.json", "unet/config.json"),
        packages=("diffusers", "transformers"),
    )
    # CPU: benchmarks/bench_models.py, real-size random weights, 2-core CPU shared at load ~6, 1 thread: a UNet
    # step with guidance ~23-26 s, so the first 5.12 s tile (50 steps + VAE + Griffin-Lim) ~1390 s and each
    # further img2img tile (27 steps + VAE encode/decode) ~780 s: a step per tile, fitted as 650 s + 155 s/s.
    # GPU figures are planning estimates, not measured.
    costs: ClassVar[dict[str, CostModel]] = {
        "cpu": CostModel(per_audio_s=155.0, overhead_s=650.0, device="cpu"),
        "cuda": CostModel(per_audio_s=0.6, overhead_s=5.0, device="cuda"),
        "mps": CostModel(per_audio_s=6.0, overhead_s=10.0, device="mps"),
    }

    def _load(self, src: str, local_files_only: bool, dev: str):
        from diffusers import StableDiffusionImg2ImgPipeline, StableDiffusionPipeline

        from sonicgrid.tools.hub import dtype

        txt = StableDiffusionPipeline.from_pretrained(
            src,
            local_files_only=local_files_only,
            torch_dtype=dtype(dev),
            safety_checker=None,
            requires_safety_checker=False,
        ).to(dev)
        txt.set_progress_bar_config(disable=True)
        img = StableDiffusionImg2ImgPipeline(**txt.components)
        img.set_progress_bar_config(disable=True)
        return txt, img

    def run(self, request: GenRequest) -> ToolResult:
        import torch

        txt, img2img = self.model()
        p = request.params
        side = int(txt.unet.config.sample_size) * int(txt.vae_scale_factor)  # 512 for the real model
        steps = int(p.get("steps", 50))
        guidance = float(p.get("guidance_scale", 7.0))
        strength = float(p.get("loop_strength", 0.55))
        prompt = text_prompt(request)
        frames = int(np.ceil((request.duration_s + 0.3) * SR / HOP)) + 1  # +0.3 s: the loop seam eats 0.25 s
        n_tiles = max(1, int(np.ceil(frames / side)))
        gen = torch.Generator("cpu").manual_seed(int(request.seed))
        mels, prev = [], None
        have = torch.get_num_threads()
        threads = decode_threads(have, "SONICGRID_RIFFUSION_THREADS") if txt.device.type == "cpu" else have
        with torch_threads(threads):
            for _ in range(n_tiles):
                if prev is None:
                    im = txt(
                        prompt,
                        height=side,
                        width=side,
                        num_inference_steps=steps,
                        guidance_scale=guidance,
                        generator=gen,
                        output_type="pil",
                    ).images[0]
                else:  # seamless continuation: img2img on the previous tile
                    im = img2img(
                        prompt,
                        image=prev,
                        strength=strength,
                        num_inference_steps=steps,
                        guidance_scale=guidance,
                        generator=gen,
                        output_type="pil",
                    ).images[0]
                prev = im
                mels.append(image_to_mel(np.asarray(im.convert("RGB"))))
        # one Griffin-Lim over the joined spectrogram: phase stays continuous across tile boundaries
        y = mel_to_audio(np.concatenate(mels, axis=1)[:, :frames], int(p.get("griffin_lim_iters", 32)))
        if request.section == "loop" or p.get("loop"):
            y = loop_seam(y, int(0.25 * SR))
        n = int(round(request.duration_s * SR))
        y = np.pad(y, (0, max(0, n - len(y))))[:n]
        peak = float(np.max(np.abs(y))) or 1.0
        y = (y / peak * 0.8).astype(np.float32)  # Griffin-Lim output has no meaningful absolute level
        return ToolResult(
            Audio(np.stack([y, y], axis=1), SR),
            {
                "model": self.spec.hub_id,
                "text": prompt,
                "tiles": n_tiles,
                "griffin_lim_iters": int(p.get("griffin_lim_iters", 32)),
                "steps": steps,
                "guidance_scale": guidance,
                "loop_strength": strength,
                "seed": int(request.seed),
                "threads": threads,
            },
        )
