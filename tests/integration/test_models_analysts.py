"""Real analysts (AST tags, wav2vec2 emotion, Audiobox Aesthetics), the combining analyst, and BigVGAN, on tiny
random-weight models through their real loading and inference code."""

from __future__ import annotations

import numpy as np
import pytest
from tiny_models import AST_LABELS

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts.base import AnalysisRequest
from sonicgrid.tools.base import VocodeRequest

pytest.importorskip("transformers")


def test_ast_maps_audioset_labels_to_our_tags(models_dir, moody_clip):
    from sonicgrid.tools.analysts.ast_tags import ASTTagger, tags_from_probs

    id2label = dict(enumerate(AST_LABELS))
    probs = np.zeros(len(AST_LABELS))
    probs[AST_LABELS.index("Drum kit")] = 0.9
    probs[AST_LABELS.index("White noise")] = 0.3
    tags, top = tags_from_probs(probs, id2label)
    assert tags["drums"] == 0.9 and tags["noise"] == 0.3 and tags["voice"] == 0.0
    assert top[0] == ("Drum kit", 0.9)
    out = ASTTagger().run(AnalysisRequest(audio=moody_clip))
    assert set(out.tags) == {"drums", "pad", "noise", "bass", "voice"}
    assert all(0 <= v <= 1 for v in out.tags.values()) and len(out.extra["audioset_top"]) == 5
    assert {lab for lab, _ in out.extra["audioset_top"]} <= set(AST_LABELS)


def test_emotion_gives_valence_arousal_and_happy_or_sad(models_dir, moody_clip):
    from sonicgrid.tools.analysts.emotion import EmotionAnalyst, mood_from_av

    assert mood_from_av(0.7, 0.5)[0] == "happy" and mood_from_av(-0.6, -0.3)[0] == "moody"
    out = EmotionAnalyst().run(AnalysisRequest(audio=moody_clip)).mood
    assert -1 <= out["valence"] <= 1 and -1 <= out["arousal"] <= 1
    assert out["happy_or_sad"] == ("happy" if out["valence"] >= 0 else "sad")
    assert out["label"] == min(out["distances"], key=out["distances"].get)


def test_aesthetics_windows_and_score(models_dir, moody_clip):
    from sonicgrid.tools.analysts.aesthetics import AestheticsAnalyst, score_from_axes, windows

    w, m, wt = windows(np.ones(16000 * 25, np.float32))
    assert w.shape == (3, 1, 160000) and m[2, 0].sum() == 16000 * 5 and wt.tolist() == [1.0, 1.0, 0.5]
    assert score_from_axes({"CE": 7, "CU": 8, "PC": 1, "PQ": 9}) == 8.0
    assert score_from_axes({"CE": 12, "CU": 12, "PC": 1, "PQ": 12}) == 10.0
    out = AestheticsAnalyst().run(AnalysisRequest(audio=moody_clip)).extra["aesthetics"]
    assert set(out["axes"]) == {"CE", "CU", "PC", "PQ"} and 1 <= out["score"] <= 10


def test_combined_listener_keeps_the_shape_and_overlays(models_dir, moody_clip):
    from sonicgrid.tools.analysts.listen import EmbeddedListener
    from sonicgrid.tools.registry import default_registry

    reg = default_registry()
    listener = reg.pick("analyst", "quality")
    assert listener.name == "combined-listener"
    brief = {"mood": "moody"}
    base = listener.base.hear(moody_clip, brief)  # the pretrained ears when installed, else the DSP listener
    res = listener.hear(moody_clip, brief)
    assert set(base) <= set(res)  # the base listener's shape, enriched
    assert res["analysts"] == [*base["analysts"], "ast-audioset", "wav2vec2-emotion", "audiobox-aesthetics"]
    assert res["mood"]["source"] == "wav2vec2-emotion" and res["mood"]["embedded"]["label"] == base["mood"]["label"]
    q = res["quality"]
    assert "aesthetics" in q["components"] and q["embedded_score"] != q["score"]
    assert 1 <= q["score"] <= 10 and res["extra"]["audioset_top"]
    assert listener.cost.per_audio_s > EmbeddedListener.cost_model.per_audio_s


def test_combined_listener_keeps_fatal_caps(models_dir):
    from sonicgrid.tools.analysts.combined import overlay_quality

    comps = {
        "silence": {"value": 1.0, "weight": 0.5, "measured": ""},
        "loudness": {"value": 1.0, "weight": 0.5, "measured": ""},
    }
    aes = {"axes": {"CE": 9, "CU": 9, "PC": 5, "PQ": 9}, "score": 9.0}
    capped = overlay_quality({"score": 1.5, "components": comps}, aes)
    free = overlay_quality({"score": 10.0, "components": comps}, aes)
    assert capped["score"] == 1.5 and free["score"] == pytest.approx(0.4 * 10 + 0.6 * 9)


def test_bigvgan_mel_in_waveform_out(models_dir, moody_clip):
    from sonicgrid.tools.vocoders.bigvgan import BigVGANVocoder

    v = BigVGANVocoder()
    assert v.available()[0]
    mel = v.mel(Audio(moody_clip.samples[:44100], 44100))
    assert mel.shape[1] == 80
    out = v.vocode(mel)
    assert out.sr == 22050 and out.samples.shape[0] == mel.shape[2] * 16  # hop_size samples per frame
    r = v.run(VocodeRequest(audio=Audio(moody_clip.samples[:44100], 44100)))
    assert r.audio.sr == 22050 and np.isfinite(r.audio.samples).all()
