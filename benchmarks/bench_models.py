"""Real-time factor (compute seconds per second of audio) of each adapter at REAL size with random weights
on this machine's CPU. Builds each architecture from its published config sizes, saves it to a temp dir as
the hub ships it, and runs it through the adapter (so loading and pre/post-processing are timed too).

  python benchmarks/bench_models.py                 # all
  python benchmarks/bench_models.py ast emotion     # some
Riffusion is timed for 1 denoising step and extrapolated to the adapter's default 50 steps."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402

from sonicgrid.audio import Audio  # noqa: E402
from sonicgrid.tools.base import GenRequest  # noqa: E402

torch.manual_seed(0)
ROOT = Path(tempfile.mkdtemp(prefix="sonicgrid-bench-"))
os.environ["SONICGRID_MODELS_DIR"] = str(ROOT)
SECONDS = 4.0


def clip(seconds=SECONDS, sr=44100):
    t = np.arange(int(seconds * sr)) / sr
    return Audio((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), sr)


def timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return r, time.perf_counter() - t0


def bench_musicgen():
    import test_models_fixtures as F
    from transformers import (EncodecConfig, EncodecFeatureExtractor, MusicgenConfig, MusicgenDecoderConfig,
                              MusicgenForConditionalGeneration, MusicgenProcessor, T5Config, T5TokenizerFast)

    out = ROOT / "musicgen-small"
    cfg = MusicgenConfig(text_encoder=T5Config(vocab_size=32128, d_model=768, d_kv=64, d_ff=3072, num_layers=12,
                                               num_heads=12).to_dict(),
                         audio_encoder=EncodecConfig(target_bandwidths=[2.2], sampling_rate=32000, audio_channels=1,
                                                     num_filters=64, upsampling_ratios=[8, 5, 4, 4], hidden_size=128,
                                                     codebook_size=2048, num_lstm_layers=2, codebook_dim=128,
                                                     normalize=False, use_causal_conv=False).to_dict(),
                         decoder=MusicgenDecoderConfig(vocab_size=2048, hidden_size=1024, num_hidden_layers=24,
                                                       num_attention_heads=16, ffn_dim=4096, num_codebooks=4).to_dict())
    m = MusicgenForConditionalGeneration(cfg).eval()
    m.generation_config.decoder_start_token_id = 2048
    m.generation_config.pad_token_id = 2048
    m.save_pretrained(out)
    tok = T5TokenizerFast(tokenizer_object=F.unigram_tokenizer(), pad_token="<pad>", eos_token="</s>",
                          unk_token="<unk>", extra_ids=0)
    MusicgenProcessor(feature_extractor=EncodecFeatureExtractor(sampling_rate=32000), tokenizer=tok).save_pretrained(out)
    del m
    from sonicgrid.tools.generators.musicgen import MusicGen

    tool = MusicGen()
    _, load = timed(tool.model)
    req = GenRequest("moody intro", {"mood": "moody"}, "rhythm", "intro", 2.0, 0)
    _, run = timed(lambda: tool.run(req))
    return tool.name, load, run, 2.0


def bench_riffusion():
    from diffusers import AutoencoderKL, DPMSolverMultistepScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    import test_models_fixtures as F

    out = ROOT / "riffusion-model-v1"
    tok = F.clip_tokenizer(out / "_tok")
    pipe = StableDiffusionPipeline(
        vae=AutoencoderKL(block_out_channels=(128, 256, 512, 512), down_block_types=("DownEncoderBlock2D",) * 4,
                          up_block_types=("UpDecoderBlock2D",) * 4, latent_channels=4, layers_per_block=2,
                          sample_size=512),
        text_encoder=CLIPTextModel(CLIPTextConfig(vocab_size=len(tok), hidden_size=768, intermediate_size=3072,
                                                  num_hidden_layers=12, num_attention_heads=12)),
        tokenizer=tok, unet=UNet2DConditionModel(sample_size=64, cross_attention_dim=768),
        scheduler=DPMSolverMultistepScheduler(), safety_checker=None, feature_extractor=None,
        requires_safety_checker=False)
    pipe.save_pretrained(out)
    del pipe
    from sonicgrid.tools.generators.riffusion import Riffusion

    tool = Riffusion()
    _, load = timed(tool.model)
    req = GenRequest("pad", {"mood": "calm"}, "atmosphere", "intro", 5.0, 0, params={"steps": 1})
    _, one = timed(lambda: tool.run(req))
    # 1 step measured (incl. VAE decode + Griffin-Lim); 49 more UNet steps estimated from a second run's delta
    req2 = GenRequest("pad", {"mood": "calm"}, "atmosphere", "intro", 5.0, 0, params={"steps": 2})
    _, two = timed(lambda: tool.run(req2))
    return tool.name + " (50 steps, extrapolated)", load, one + 49 * max(0.0, two - one), 5.0


def bench_analyst(kind):
    from transformers import (ASTConfig, ASTFeatureExtractor, ASTForAudioClassification, Wav2Vec2Config,
                              Wav2Vec2FeatureExtractor)

    if kind == "ast":
        out = ROOT / "ast-finetuned-audioset"
        ASTForAudioClassification(ASTConfig(num_labels=527, max_length=1024)).save_pretrained(out)
        ASTFeatureExtractor().save_pretrained(out)
        from sonicgrid.tools.analysts.ast_tags import ASTTagger as T
    elif kind == "emotion":
        from sonicgrid.tools.analysts.emotion import emotion_model_class

        out = ROOT / "wav2vec2-emotion"
        cfg = Wav2Vec2Config(hidden_size=1024, num_hidden_layers=12, num_attention_heads=16, intermediate_size=4096,
                             do_stable_layer_norm=True, feat_extract_norm="layer", num_labels=3, final_dropout=0.1)
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
    out.mkdir()
    h = {"resblock": "1", "upsample_rates": [4, 4, 2, 2, 2, 2], "upsample_kernel_sizes": [8, 8, 4, 4, 4, 4],
         "upsample_initial_channel": 1536, "resblock_kernel_sizes": [3, 7, 11],
         "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5], [1, 3, 5]], "activation": "snakebeta",
         "snake_logscale": True, "use_tanh_at_final": False, "use_bias_at_final": False, "num_mels": 80,
         "n_fft": 1024, "hop_size": 256, "win_size": 1024, "sampling_rate": 22050, "fmin": 0, "fmax": None}
    (out / "config.json").write_text(json.dumps(h))
    torch.save({"generator": BigVGAN(AttrDict(h)).state_dict()}, out / "bigvgan_generator.pt")
    from sonicgrid.tools.vocoders.bigvgan import BigVGANVocoder

    tool = BigVGANVocoder()
    _, load = timed(tool.model)
    req = GenRequest("", {}, "mix", "", 2.0, 0, audio_prompt=clip(2.0))
    _, run = timed(lambda: tool.run(req))
    return tool.name, load, run, 2.0


def bench_tts():
    import test_models_fixtures as F
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    out = ROOT / "mms-tts-eng"
    out.mkdir()
    chars = ["<pad>"] + list(" abcdefghijklmnopqrstuvwxyz'") + ["<unk>"]
    F.write_json(out / "vocab.json", {c: i for i, c in enumerate(chars)})
    VitsTokenizer(str(out / "vocab.json"), add_blank=True, phonemize=False).save_pretrained(out)
    VitsModel(VitsConfig(vocab_size=len(chars))).save_pretrained(out)
    from sonicgrid.tools.voice.fastspeech import TransformersTTS

    tool = TransformersTTS()
    _, load = timed(tool.model)
    r, run = timed(lambda: tool.run(GenRequest('"this is a test of the voice model at real size"', {}, "voice",
                                              "intro", 3.0, 0)))
    return tool.name, load, run, r.audio.duration


BENCHES = {"musicgen": bench_musicgen, "riffusion": bench_riffusion, "ast": lambda: bench_analyst("ast"),
           "emotion": lambda: bench_analyst("emotion"), "aesthetics": lambda: bench_analyst("aesthetics"),
           "bigvgan": bench_bigvgan, "tts": bench_tts}

if __name__ == "__main__":
    torch.set_num_threads(os.cpu_count() or 1)
    want = sys.argv[1:] or list(BENCHES)
    print(f"CPU threads: {torch.get_num_threads()}  (random weights, real sizes)")
    print(f"{'tool':44s} {'load s':>8s} {'run s':>8s} {'audio s':>8s} {'RTF':>8s}")
    for k in want:
        name, load, run, audio_s = BENCHES[k]()
        print(f"{name:44s} {load:8.2f} {run:8.2f} {audio_s:8.2f} {run / audio_s:8.3f}", flush=True)
