"""The base Gemma 3 270M for training: the packaged GGUF dequantised into transformers.

No hub download: the weights come from sonicgrid.llm.locate.packaged_gguf() (`gguf_file=`).
Dequantising Q4_K_M takes about 90 s on 2 cores, so the float32 result is cached under
~/.cache/sonicgrid/judge-base/<gguf fingerprint>/ and later loads take seconds.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sonicgrid.errors import ModelUnavailable


def _fingerprint(p: Path) -> str:
    st = p.stat()
    return hashlib.sha1(f"{p.name}-{st.st_size}".encode()).hexdigest()[:12]


def cache_dir(gguf: Path) -> Path:
    root = Path(os.environ.get("SONICGRID_TRAIN_CACHE", Path.home() / ".cache" / "sonicgrid" / "judge-base"))
    return root / _fingerprint(gguf)


def load_base(gguf: Path | None = None):
    """(model, tokenizer) in float32 on CPU, from the cache or the packaged GGUF."""
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise ModelUnavailable("training needs transformers and torch: pip install -e '.[train]'") from exc
    if gguf is None:
        from sonicgrid.llm.locate import packaged_gguf

        gguf = packaged_gguf()
    cache = cache_dir(gguf)
    if (cache / "config.json").is_file() and (cache / "tokenizer.json").is_file():
        tok = AutoTokenizer.from_pretrained(str(cache))
        model = AutoModelForCausalLM.from_pretrained(str(cache), dtype=torch.float32)
        return model, tok
    try:
        import gguf as _gguf  # noqa: F401  (transformers needs it to read GGUF)
    except ImportError as exc:
        raise ModelUnavailable("reading the GGUF needs the gguf package: pip install gguf") from exc
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(cache.name + ".tmp")
        if hasattr(model.config, "quantization_config"):  # the weights are plain float32 now
            del model.config.quantization_config
        if getattr(model, "hf_quantizer", None) is not None:
            model.hf_quantizer = None
        model.save_pretrained(str(tmp))
        tok.save_pretrained(str(tmp))
        if cache.exists():
            cache.rmdir()
        tmp.rename(cache)
    except OSError:  # a cache is an optimisation only
        pass
    return model, tok
