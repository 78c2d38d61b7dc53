"""Real-time factor (compute seconds per second of audio) of each adapter at REAL size with random weights
on this machine's CPU. Builds each architecture from its published config sizes, saves it to a temp dir as
the hub ships it, and runs it through the adapter (so pre/post-processing are timed too; load is separate).

  python benchmarks/bench_models.py                        # all
  python benchmarks/bench_models.py ast emotion            # some (or: --only musicgen --only riffusion)
  python benchmarks/bench_models.py --only musicgen --keep /tmp/sg-bench --threads 1
--keep DIR builds the real-size models into DIR once and reuses them (MusicGen ~2.2 GB, Riffusion ~4.3 GB).
MusicGen runs 0.5 s and 2 s of audio: the difference gives the per-second cost, the rest is fixed per call.
Riffusion runs one 1-step tile end to end (text encoder, UNet, VAE decode, Griffin-Lim), times one more UNet
call with classifier-free guidance (batch 2), and extrapolates to the adapter's default 50 steps; each further
5.12 s tile is img2img at strength 0.55 (27 steps). Random weights never change the amount of compute of
these models (MusicGen has no EOS stop: it always decodes the requested number of tokens)."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np
import torch

from sonicgrid.audio import Audio
from sonicgrid.tools.base import GenRequest, VocodeRequest

torch.manual_seed(0)
ROOT = Path(tempfile.mkdtemp(prefix="sonicgrid-bench-"))
os.environ["SONICGRID_MODELS_DIR"] = str(ROOT)
SECONDS = 4.0
ROWS: list[tuple] = []  # extra (name, load, run, audio_s) rows a bench adds besides its own result


def clip(seconds=SECONDS, sr=44100):
    t = np.arange(int(seconds * sr)) / sr
    return Audio((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), sr)


CPU = [0.0]  # process CPU seconds of the last timed() call (all threads): less sensitive to a shared machine


def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    r = fn()
    CPU[0] = time.process_time() - c0
    return r, time.perf_counter() - t0


def bench_musicgen():
    out = ROOT / "musicgen-small"
    if not (out / "config.json").exists():
        build_musicgen(out)
    from sonicgrid.tools.generators.musicgen import MusicGen

    tool = MusicGen()
    _, load = timed(tool.model)
    runs = {}
    for dur in (0.5, 2.0):
        req = GenRequest("moody intro", {"mood": "moody"}, "rhythm", "intro", dur, 0)
        r, runs[dur] = timed(lambda req=req: tool.run(req))
        ROWS.append((f"{tool.name} {dur:.1f} s ({r.meta['threads']} decode threads)", load, runs[dur], dur, CPU[0]))
    per_s = (runs[2.0] - runs[0.5]) / 1.5
    print(
        f"  musicgen: {per_s:.2f} s per audio second + {runs[0.5] - 0.5 * per_s:.2f} s fixed per call "
        f"(load {load:.2f} s once per process)",
        flush=True,
    )


def build_musicgen(out: Path) -> None:
    import tiny_models as F
    from transformers import (
        EncodecConfig,
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
        T5TokenizerFast,
    )

    cfg = MusicgenConfig(
        text_encoder=T5Config(vocab_size=32128, d_model=768, d_kv=64, d_ff=3072, num_layers=12, num_heads=12).to_dict(),
        audio_encoder=EncodecConfig(
            target_bandwidths=[2.2],
            sampling_rate=32000,
            audio_channels=1,
            num_filters=64,
            upsampling_ratios=[8, 5, 4, 4],
            hidden_size=128,
            codebook_size=2048,
            num_lstm_layers=2,
            codebook_dim=128,
            normalize=False,
            use_causal_conv=False,
        ).to_dict(),
        decoder=MusicgenDecoderConfig(
            vocab_size=2048,
            hidden_size=1024,
            num_hidden_layers=24,
            num_attention_heads=16,
            ffn_dim=4096,
            num_codebooks=4,
        ).to_dict(),
    )
    m = MusicgenForConditionalGeneration(cfg).eval()
    m.generation_config.decoder_start_token_id = 2048
    m.generation_config.pad_token_id = 2048
    m.save_pretrained(out)
    tok = T5TokenizerFast(
        tokenizer_object=F.unigram_tokenizer(), pad_token="<pad>", eos_token="</s>", unk_token="<unk>", extra_ids=0
    )
    MusicgenProcessor(feature_extractor=EncodecFeatureExtractor(sampling_rate=32000), tokenizer=tok).save_pretrained(
        out
    )


def bench_riffusion():
    out = ROOT / "riffusion-model-v1"
    if not (out / "model_index.json").exists():
        build_riffusion(out)
    from sonicgrid.tools.generators.riffusion import Riffusion

    tool = Riffusion()
    (txt, _), load = timed(tool.model)
    dur = 4.5  # one 512-column tile (5.12 s) holds up to 4.8 s: the loop seam's 0.3 s margin
    req = GenRequest("pad", {"mood": "calm"}, "atmosphere", "intro", dur, 0, params={"steps": 1})
    r, one = timed(lambda: tool.run(req))
    assert r.meta["tiles"] == 1
    one_cpu = CPU[0]
    lat = torch.randn(2, 4, txt.unet.config.sample_size, txt.unet.config.sample_size)
    ctx = torch.randn(2, 77, txt.text_encoder.config.hidden_size)
    with torch.inference_mode():
        _, step = timed(lambda: txt.unet(lat, 999, encoder_hidden_states=ctx))
    steps, strength = 50, 0.55  # the adapter's defaults
    first = one + (steps - 1) * step
    nxt = one - step + int(steps * strength) * step  # img2img tile: also encodes the previous tile (VAE encoder)
    ROWS.append((f"{tool.name} 1 step, 1 tile, end to end", load, one, dur, one_cpu))
    ROWS.append((f"{tool.name} one more UNet step (CFG)", load, step, dur, CPU[0]))
    print(
        f"  riffusion: UNet step (CFG batch 2) {step:.2f} s; 1-step tile end to end {one:.2f} s; "
        f"first tile at {steps} steps ~{first:.0f} s; each further 5.12 s img2img tile "
        f"({int(steps * strength)} steps) ~{nxt:.0f} s",
        flush=True,
    )
    return tool.name + f" ({steps} steps, extrapolated)", load, first, dur


def build_riffusion(out: Path) -> None:
    import tiny_models as F
    from diffusers import (
        AutoencoderKL,
        DPMSolverMultistepScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    tok = F.clip_tokenizer(out / "_tok")
    pipe = StableDiffusionPipeline(
        vae=AutoencoderKL(
            block_out_channels=(128, 256, 512, 512),
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            latent_channels=4,
            layers_per_block=2,
            sample_size=512,
        ),
        text_encoder=CLIPTextModel(
            CLIPTextConfig(
                vocab_size=len(tok),
                hidden_size=768,
                intermediate_size=3072,
                num_hidden_layers=12,
                num_attention_heads=12,
            )
        ),
        tokenizer=tok,
        unet=UNet2DConditionModel(sample_size=64, cross_attention_dim=768),
        scheduler=DPMSolverMultistepScheduler(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(out)


def bench_analyst(kind):
    from transformers import (
        ASTConfig,
        ASTFeatureExtractor,
        ASTForAudioClassification,
        Wav2Vec2Config,
        Wav2Vec2FeatureExtractor,
    )

    if kind == "ast":
        out = ROOT / "ast-finetuned-audioset"
        ASTForAudioClassification(ASTConfig(num_labels=527, max_length=1024)).save_pretrained(out)
        ASTFeatureExtractor().save_pretrained(out)
        from sonicgrid.tools.analysts.ast_tags import ASTTagger as T
    elif kind == "emotion":
        from sonicgrid.tools.analysts.emotion import emotion_model_class

        out = ROOT / "wav2vec2-emotion"
        cfg = Wav2Vec2Config(
            hidden_size=1024,
            num_hidden_layers=12,
            num_attention_heads=16,
            intermediate_size=4096,
            do_stable_layer_norm=True,
            feat_extract_norm="layer",
            num_labels=3,
            final_dropout=0.1,
        )
        emotion_model_class()(cfg).save_pretrained(out)
        Wav2Vec2FeatureExtractor(do_normalize=True).save_pretrained(out)
        from sonicgrid.tools.analysts.emotion import EmotionAnalyst as T
    else:
        from audiobox_aesthetics.model.aes import AesMultiOutput

        out = ROOT / "audiobox-aesthetics"
        tt = {ax: {"mean": 5.5, "std": 1.5} for ax in ("CE", "CU", "PC", "PQ")}
        AesMultiOutput(target_transform=tt).save_pretrained(out)
        from sonicgrid.tools.analysts.aesthetics import AestheticsAnalyst as T
    tool = T()
    _, load = timed(tool.model)
    _, run = timed(lambda: tool.run(clip(), {}))
    return tool.name, load, run, SECONDS


def bench_bigvgan():
    import json

    from bigvgan.bigvgan import BigVGAN
    from bigvgan.env import AttrDict

    out = ROOT / "bigvgan_v2_22khz_80band_256x"
    out.mkdir(exist_ok=True)
    h = {
        "resblock": "1",
        "upsample_rates": [4, 4, 2, 2, 2, 2],
        "upsample_kernel_sizes": [8, 8, 4, 4, 4, 4],
        "upsample_initial_channel": 1536,
        "resblock_kernel_sizes": [3, 7, 11],
        "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
        "activation": "snakebeta",
        "snake_logscale": True,
        "use_tanh_at_final": False,
        "use_bias_at_final": False,
        "num_mels": 80,
        "n_fft": 1024,
        "hop_size": 256,
        "win_size": 1024,
        "sampling_rate": 22050,
        "fmin": 0,
        "fmax": None,
    }
    (out / "config.json").write_text(json.dumps(h))
    torch.save({"generator": BigVGAN(AttrDict(h)).state_dict()}, out / "bigvgan_generator.pt")
    from sonicgrid.tools.vocoders.bigvgan import BigVGANVocoder

    tool = BigVGANVocoder()
    _, load = timed(tool.model)
    req = VocodeRequest(audio=clip(2.0))
    _, run = timed(lambda: tool.run(req))
    return tool.name, load, run, 2.0


def bench_tts():
    import tiny_models as F
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    out = ROOT / "mms-tts-eng"
    out.mkdir(exist_ok=True)
    chars = ["<pad>"] + list(" abcdefghijklmnopqrstuvwxyz'") + ["<unk>"]
    F.write_json(out / "vocab.json", {c: i for i, c in enumerate(chars)})
    VitsTokenizer(str(out / "vocab.json"), add_blank=True, phonemize=False).save_pretrained(out)
    VitsModel(VitsConfig(vocab_size=len(chars))).save_pretrained(out)
    from sonicgrid.tools.voice.fastspeech import TransformersTTS

    tool = TransformersTTS()
    _, load = timed(tool.model)
    r, run = timed(
        lambda: tool.run(GenRequest('"this is a test of the voice model at real size"', {}, "voice", "intro", 3.0, 0))
    )
    return tool.name, load, run, r.audio.duration


BENCHES = {
    "musicgen": bench_musicgen,
    "riffusion": bench_riffusion,
    "ast": lambda: bench_analyst("ast"),
    "emotion": lambda: bench_analyst("emotion"),
    "aesthetics": lambda: bench_analyst("aesthetics"),
    "bigvgan": bench_bigvgan,
    "tts": bench_tts,
}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}"
    )


def load_avg() -> str:
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "-"


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", metavar="NAME", help=f"benches to run (default all): {' '.join(BENCHES)}")
    ap.add_argument("--only", action="append", default=[], choices=list(BENCHES), help="run only this one (repeatable)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch intra-op threads")
    ap.add_argument("--keep", type=Path, help="build models into this dir once and reuse them")
    a = ap.parse_args()
    want = a.names + a.only or list(BENCHES)
    bad = [w for w in want if w not in BENCHES]
    if bad:
        ap.error(f"unknown bench {', '.join(bad)}; choose from {', '.join(BENCHES)}")
    if a.keep:
        a.keep.mkdir(parents=True, exist_ok=True)
        ROOT = a.keep.resolve()
        os.environ["SONICGRID_MODELS_DIR"] = str(ROOT)
    torch.set_num_threads(a.threads)
    print(f"{machine()}; random weights, real sizes; load average at start {load_avg()}")
    print(f"{'tool':48s} {'load s':>8s} {'run s':>8s} {'audio s':>8s} {'RTF':>8s} {'cpu s':>8s} {'load avg':>8s}")
    for k in want:
        res = BENCHES[k]()
        rows, ROWS[:] = ROWS[:] + ([res] if res else []), []
        for name, load, run, audio_s, *cpu in rows:
            c = f"{cpu[0]:8.2f}" if cpu else f"{'-':>8s}"
            print(
                f"{name:48s} {load:8.2f} {run:8.2f} {audio_s:8.2f} {run / audio_s:8.3f} {c} {load_avg():>8s}",
                flush=True,
            )
