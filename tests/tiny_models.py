"""Builders of tiny, randomly initialised versions of each real model's architecture, saved the way the
hub ships them (config.json + safetensors + tokenizer/processor files), so the adapters load them through
their real code paths. Used by tests/test_models_*.py; holds no tests itself."""

from __future__ import annotations

import json
from pathlib import Path

WORDS = [
    "moody",
    "intro",
    "drum",
    "beat",
    "percussion",
    "groove",
    "chords",
    "and",
    "bass",
    "ambient",
    "pad",
    "cinematic",
    "texture",
    "lo-fi",
    "details",
    "mood",
    "bpm",
    "in",
    "a",
    "minor",
    "major",
    "calm",
    "happy",
    "sad",
    "hello",
    "world",
    "this",
    "is",
    "a",
    "test",
    "of",
    "the",
    "voice",
]


def unigram_tokenizer(vocab_size: int = 60):
    """A tiny SentencePiece-style Unigram tokenizer (T5's kind) trained offline with the tokenizers library."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    tok.train_from_iterator(
        [" ".join(WORDS)] * 4,
        trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>"),
    )
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    return tok


def build_musicgen(root: Path, stereo: bool = False) -> Path:
    import torch
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

    name = "musicgen-stereo-small" if stereo else "musicgen-small"
    out = root / name
    torch.manual_seed(0)
    ch = 2 if stereo else 1
    t5 = T5Config(vocab_size=64, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2)
    enc = EncodecConfig(
        target_bandwidths=[1.2],
        sampling_rate=32000,
        audio_channels=1,
        num_filters=4,
        upsampling_ratios=[8, 5, 4, 4],
        hidden_size=16,
        codebook_size=64,
        num_lstm_layers=1,
        codebook_dim=16,
    )
    ncb = 2 * 4 if stereo else 4
    dec = MusicgenDecoderConfig(
        vocab_size=64,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        num_codebooks=ncb,
        audio_channels=ch,
        max_position_embeddings=512,
    )
    cfg = MusicgenConfig(text_encoder=t5.to_dict(), audio_encoder=enc.to_dict(), decoder=dec.to_dict())
    model = MusicgenForConditionalGeneration(cfg).eval()
    with torch.no_grad():  # EnCodec's codebooks start as zero buffers (k-means fills them in training)
        for layer in model.audio_encoder.quantizer.layers:
            layer.codebook.embed.normal_()
    model.generation_config.decoder_start_token_id = 64
    model.generation_config.pad_token_id = 64
    model.save_pretrained(out)
    tok = T5TokenizerFast(
        tokenizer_object=unigram_tokenizer(), pad_token="<pad>", eos_token="</s>", unk_token="<unk>", extra_ids=0
    )
    fe = EncodecFeatureExtractor(feature_size=ch, sampling_rate=32000, padding_value=0.0)
    MusicgenProcessor(feature_extractor=fe, tokenizer=tok).save_pretrained(out)
    return out


def write_json(p: Path, d: dict) -> None:
    p.write_text(json.dumps(d))


AST_LABELS = [
    "Music",
    "Drum",
    "Drum kit",
    "Synthesizer",
    "Ambient music",
    "White noise",
    "Bass guitar",
    "Speech",
    "Singing",
    "Silence",
]


def build_ast(root: Path) -> Path:
    import torch
    from transformers import ASTConfig, ASTFeatureExtractor, ASTForAudioClassification

    out = root / "ast-finetuned-audioset"
    torch.manual_seed(0)
    cfg = ASTConfig(
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_length=1024,
        num_mel_bins=128,
        id2label=dict(enumerate(AST_LABELS)),
        label2id={n: i for i, n in enumerate(AST_LABELS)},
    )
    ASTForAudioClassification(cfg).eval().save_pretrained(out)
    ASTFeatureExtractor(max_length=1024, num_mel_bins=128).save_pretrained(out)
    return out


def build_emotion(root: Path) -> Path:
    import torch
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor

    from sonicgrid.tools.analysts.emotion import emotion_model_class

    out = root / "wav2vec2-emotion"
    torch.manual_seed(0)
    cfg = Wav2Vec2Config(
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        conv_dim=(16, 16),
        conv_stride=(5, 4),
        conv_kernel=(10, 4),
        num_conv_pos_embeddings=8,
        num_conv_pos_embedding_groups=2,
        num_labels=3,
        final_dropout=0.1,
        id2label={0: "arousal", 1: "dominance", 2: "valence"},
        label2id={"arousal": 0, "dominance": 1, "valence": 2},
    )
    emotion_model_class()(cfg).eval().save_pretrained(out)
    Wav2Vec2FeatureExtractor(
        feature_size=1, sampling_rate=16000, do_normalize=True, return_attention_mask=True
    ).save_pretrained(out)
    return out


def tiny_wavlm_config():
    """A 1-layer, 16-wide WavLM. audiobox-aesthetics hard-codes its encoder size in the module-level
    DEFAULT_AUDIO_CFG; tests swap that for this one (monkeypatch) both when building and loading."""
    from audiobox_aesthetics.model.aes import DEFAULT_AUDIO_CFG
    from audiobox_aesthetics.model.wavlm import WavLMConfig

    cfg = dict(DEFAULT_AUDIO_CFG.__dict__)
    cfg.update(
        encoder_layers=2,
        encoder_embed_dim=16,
        encoder_ffn_embed_dim=32,
        encoder_attention_heads=2,
        conv_feature_layers="[(16,10,5)] + [(16,3,2)] * 4 + [(16,2,2)] * 2",
        conv_pos=8,
        conv_pos_groups=2,
        num_buckets=32,
        max_distance=64,
    )
    return WavLMConfig(cfg)


def build_aesthetics(root: Path) -> Path:
    import torch
    from audiobox_aesthetics.model.aes import AesMultiOutput

    out = root / "audiobox-aesthetics"
    torch.manual_seed(0)
    tt = {ax: {"mean": 5.5, "std": 1.5} for ax in ("CE", "CU", "PC", "PQ")}
    AesMultiOutput(nth_layer=3, target_transform=tt).eval().save_pretrained(out)
    return out


def clip_tokenizer(out: Path):
    """A tiny CLIP BPE tokenizer: vocab.json + merges.txt trained offline with the tokenizers library."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import CLIPTokenizer

    tok = Tokenizer(models.BPE(unk_token="<|endoftext|>", end_of_word_suffix="</w>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(
        [" ".join(WORDS)] * 4,
        trainers.BpeTrainer(
            vocab_size=120, special_tokens=["<|startoftext|>", "<|endoftext|>"], end_of_word_suffix="</w>"
        ),
    )
    out.mkdir(parents=True, exist_ok=True)
    tok.model.save(str(out))
    return CLIPTokenizer(str(out / "vocab.json"), str(out / "merges.txt"), model_max_length=77)


def build_riffusion(root: Path) -> Path:
    """A tiny StableDiffusion (UNet + VAE + CLIP text) with Riffusion's layout: 16x16 images."""
    import torch
    from diffusers import AutoencoderKL, DPMSolverMultistepScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    out = root / "riffusion-model-v1"
    torch.manual_seed(0)
    tok = clip_tokenizer(out / "_tok")
    unet = UNet2DConditionModel(
        sample_size=8,
        in_channels=4,
        out_channels=4,
        layers_per_block=1,
        block_out_channels=(8, 16),
        norm_num_groups=4,
        cross_attention_dim=16,
        attention_head_dim=2,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
    )
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        block_out_channels=(8, 8),
        norm_num_groups=4,
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
        sample_size=16,
    )
    text = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tok),
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            max_position_embeddings=77,
            projection_dim=16,
        )
    )
    sched = DPMSolverMultistepScheduler(num_train_timesteps=1000)
    pipe = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text,
        tokenizer=tok,
        unet=unet,
        scheduler=sched,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(out)
    return out


def build_bigvgan(root: Path) -> Path:
    """A tiny BigVGAN v2 (snakebeta AMP blocks, 2 upsamplers, hop 16) saved as config.json + generator .pt."""
    import torch
    from bigvgan.bigvgan import BigVGAN
    from bigvgan.env import AttrDict

    out = root / "bigvgan_v2_22khz_80band_256x"
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    h = {
        "resblock": "1",
        "upsample_rates": [4, 4],
        "upsample_kernel_sizes": [8, 8],
        "upsample_initial_channel": 16,
        "resblock_kernel_sizes": [3],
        "resblock_dilation_sizes": [[1, 3, 5]],
        "activation": "snakebeta",
        "snake_logscale": True,
        "use_tanh_at_final": False,
        "use_bias_at_final": False,
        "num_mels": 80,
        "n_fft": 64,
        "hop_size": 16,
        "win_size": 64,
        "sampling_rate": 22050,
        "fmin": 0,
        "fmax": None,
    }
    write_json(out / "config.json", h)
    torch.save({"generator": BigVGAN(AttrDict(h), use_cuda_kernel=False).state_dict()}, out / "bigvgan_generator.pt")
    return out


def build_vits(root: Path) -> Path:
    """A tiny VITS (MMS-TTS layout): character vocab.json + random weights."""
    import torch
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    out = root / "mms-tts-eng"
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    chars = ["<pad>"] + list(" abcdefghijklmnopqrstuvwxyz'") + ["<unk>"]
    write_json(out / "vocab.json", {c: i for i, c in enumerate(chars)})
    VitsTokenizer(
        str(out / "vocab.json"), pad_token="<pad>", unk_token="<unk>", add_blank=True, normalize=True, phonemize=False
    ).save_pretrained(out)
    cfg = VitsConfig(
        vocab_size=len(chars),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        flow_size=16,
        spectrogram_bins=33,
        upsample_initial_channel=16,
        upsample_rates=[8, 8],
        upsample_kernel_sizes=[16, 16],
        resblock_kernel_sizes=[3],
        resblock_dilation_sizes=[[1, 3]],
        prior_encoder_num_flows=1,
        prior_encoder_num_wavenet_layers=1,
        posterior_encoder_num_wavenet_layers=1,
        duration_predictor_filter_channels=16,
        depth_separable_num_layers=1,
        duration_predictor_num_flows=1,
        sampling_rate=16000,
    )
    VitsModel(cfg).eval().save_pretrained(out)
    return out


_ROOT: list[Path] = []


def tiny_root() -> Path:
    """All tiny models, built once per test process into one temp dir laid out like SONICGRID_MODELS_DIR."""
    if not _ROOT:
        import atexit
        import shutil
        import tempfile

        import audiobox_aesthetics.model.aes as aes

        root = Path(tempfile.mkdtemp(prefix="sonicgrid-tiny-models-"))
        atexit.register(shutil.rmtree, root, True)
        aes.DEFAULT_AUDIO_CFG = tiny_wavlm_config()  # see tiny_wavlm_config: stays for the process
        for build in (
            build_musicgen,
            build_ast,
            build_emotion,
            build_aesthetics,
            build_bigvgan,
            build_vits,
            build_riffusion,
        ):
            build(root)
        build_musicgen(root, stereo=True)
        _ROOT.append(root)
    return _ROOT[0]
