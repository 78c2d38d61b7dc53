"""A peft LoRA -> a GGUF LoRA adapter that llama.cpp loads with lora_path.

llama.cpp's adapter format: general.type=adapter, adapter.type=lora, adapter.lora.alpha, and for
each adapted weight `blk.N.<name>.weight` two tensors `.lora_a` (numpy shape rank x in, i.e.
ggml ne=[in, rank]) and `.lora_b` (numpy out x rank, ne=[rank, out]). llama.cpp scales B·A by
alpha / rank, the same as peft's default scaling, so peft's matrices are written unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

GGUF_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_KEY = re.compile(r"layers\.(\d+)\.(self_attn\.\w+_proj|mlp\.\w+_proj)\.lora_([AB])(?:\.default)?\.weight$")


def lora_tensors(peft_model) -> dict:
    """GGUF tensor name -> float32 numpy array, from a peft model's LoRA weights."""
    out = {}
    for key, value in peft_model.state_dict().items():
        m = _KEY.search(key)
        if not m:
            continue
        layer, module, ab = m.groups()
        if module not in GGUF_NAMES:
            raise ValueError(f"no GGUF name for LoRA on {module}")
        out[f"blk.{layer}.{GGUF_NAMES[module]}.weight.lora_{ab.lower()}"] = value.detach().float().cpu().numpy()
    if not out:
        raise ValueError("the model has no LoRA weights to export")
    return out


def write_gguf(peft_model, path: Path, arch: str = "gemma3", name: str = "sonicgrid-judge-lora") -> Path:
    import gguf

    cfg = peft_model.peft_config["default"]
    tensors = lora_tensors(peft_model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w = gguf.GGUFWriter(str(path), arch)
    w.add_name(name)
    w.add_type(gguf.GGUFType.ADAPTER)
    w.add_string(gguf.Keys.Adapter.TYPE, "lora")
    w.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(cfg.lora_alpha))
    for tname in sorted(tensors, key=_order):
        w.add_tensor(tname, tensors[tname])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def _order(name: str) -> tuple:
    layer = int(name.split(".")[1])
    return layer, name
