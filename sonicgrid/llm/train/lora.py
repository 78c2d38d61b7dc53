"""LoRA fine-tuning of the base model on the judge examples, on CPU, bounded in time.

Loss only on the answer tokens; logits only at those positions (Gemma's 262k-token output layer
is most of the cost otherwise); LoRA only on the top layers, so backward stops there.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class TrainConfig:
    rank: int = 8
    alpha: float = 16.0
    top_layers: int = 8  # LoRA on the last N decoder layers
    targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
    lr: float = 1e-3
    batch: int = 8
    epochs: float = 1.0
    max_steps: int | None = None
    max_minutes: float | None = None
    threads: int = 1
    seed: int = 0


def encode(tok, prompt: str, answer: str) -> tuple[list[int], int]:
    """Token ids as llama.cpp sees them: BOS + prompt (tokenised whole), then the answer's tokens."""
    p = tok(prompt, add_special_tokens=True)["input_ids"]
    a = tok(answer, add_special_tokens=False)["input_ids"]
    return p + a, len(p)


def attach_lora(model, cfg: TrainConfig):
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as exc:
        from sonicgrid.errors import ModelUnavailable

        raise ModelUnavailable("training needs peft: pip install -e '.[train]'") from exc

    n = model.config.num_hidden_layers
    layers = list(range(max(0, n - cfg.top_layers), n))
    pc = LoraConfig(
        r=cfg.rank,
        lora_alpha=cfg.alpha,
        lora_dropout=0.0,
        bias="none",
        target_modules=list(cfg.targets),
        layers_to_transform=layers,
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, pc)


def _batch_loss(model, batch: list[tuple[list[int], int]]):
    import torch

    width = max(len(ids) for ids, _ in batch)
    pad = 0
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    rows, cols, targets = [], [], []
    for i, (seq, n_prompt) in enumerate(batch):
        ids[i, : len(seq)] = torch.tensor(seq)
        mask[i, : len(seq)] = 1
        for t in range(n_prompt, len(seq)):
            rows.append(i)
            cols.append(t - 1)
            targets.append(seq[t])
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = inner.model(input_ids=ids, attention_mask=mask).last_hidden_state
    h = hidden[torch.tensor(rows), torch.tensor(cols)]
    logits = inner.lm_head(h)
    cap = getattr(inner.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return torch.nn.functional.cross_entropy(logits.float(), torch.tensor(targets))


def train(model, tok, examples: list, cfg: TrainConfig, log=print):
    """Returns the peft model and a log of (step, loss, seconds)."""
    import torch

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    model.config.use_cache = False
    pm = attach_lora(model, cfg)
    params = [p for p in pm.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    data = [encode(tok, e.prompt, e.answer) for e in examples]
    rng = random.Random(cfg.seed)
    steps = cfg.max_steps or max(1, math.ceil(len(data) * cfg.epochs / cfg.batch))
    warm = max(1, steps // 20)
    history: list[tuple[int, Any, float]] = []
    t0, order = time.perf_counter(), list[int]()
    pm.train()
    for step in range(steps):
        if cfg.max_minutes is not None and time.perf_counter() - t0 > cfg.max_minutes * 60:
            log(f"time limit reached after {step} of {steps} steps")
            break
        if len(order) < cfg.batch:
            more = list(range(len(data)))
            rng.shuffle(more)
            order += more
        idx, order = order[: cfg.batch], order[cfg.batch :]
        lr = cfg.lr * min(1.0, (step + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        loss = _batch_loss(pm, [data[i] for i in idx])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        history.append((step, loss.item(), round(time.perf_counter() - t0, 1)))
        if step % 10 == 0 or step == steps - 1:
            log(f"step {step + 1}/{steps} loss {loss.item():.4f} lr {lr:.2e} {time.perf_counter() - t0:.0f}s")
    pm.eval()
    return pm, history
