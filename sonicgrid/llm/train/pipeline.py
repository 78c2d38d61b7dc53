"""One command from nothing to a shipped adapter: data -> base model -> LoRA -> GGUF -> report."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sonicgrid.llm.train import dataset
from sonicgrid.llm.train.lora import TrainConfig

ADAPTER_NAME = "sonicgrid-judge-lora.gguf"


def shipped_path() -> Path:
    return Path(__file__).resolve().parents[1] / "adapters" / ADAPTER_NAME


def balanced(train: list, seed: int) -> list:
    """Repeat an agent's rare choices (enhance, reuse, revise, ...) up to two thirds of a fair share."""
    import random
    from collections import defaultdict

    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for e in train:
        if e.agent != "intake":
            groups[e.agent][e.label["choice"]].append(e)
    extra = []
    for labels in groups.values():
        share = sum(map(len, labels.values())) / (1.5 * len(labels))
        for exs in labels.values():
            extra += [exs[i % len(exs)] for i in range(max(0, int(share) - len(exs)))]
    out = train + extra
    random.Random(seed).shuffle(out)
    return out


def run(
    out_dir: Path,
    cfg: TrainConfig,
    n_agent: int = 1000,
    n_intake: int = 900,
    seed: int = dataset.SEED,
    limit_train: int | None = None,
    install: bool = False,
    balance: bool = False,
    log=print,
):
    """Write data (jsonl), train, export the GGUF adapter into out_dir; optionally install it as package
    data. Returns (report, the trained peft model, its tokenizer)."""
    from sonicgrid.llm.train import base, export, lora

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    data = dataset.build(n_agent, n_intake, seed)
    train = data["train"][:limit_train] if limit_train else data["train"]
    if balance:
        train = balanced(train, seed)
    dataset.write_jsonl(train, out_dir / "train.jsonl")
    dataset.write_jsonl(data["heldout"], out_dir / "heldout.jsonl")
    log(f"data: {len(train)} train, {len(data['heldout'])} held-out examples ({time.perf_counter() - t0:.1f}s)")
    model, tok = base.load_base()
    log(f"base model loaded ({time.perf_counter() - t0:.1f}s)")
    pm, history = lora.train(model, tok, train, cfg, log=log)
    adapter = export.write_gguf(pm, out_dir / ADAPTER_NAME)
    report: dict[str, Any] = {
        "config": asdict(cfg),
        "seed": seed,
        "n_agent": n_agent,
        "n_intake": n_intake,
        "train_examples": len(train),
        "heldout_examples": len(data["heldout"]),
        "steps_done": len(history),
        "final_loss": history[-1][1] if history else None,
        "loss_first_10": [round(h[1], 4) for h in history[:10]],
        "loss_last_10": [round(h[1], 4) for h in history[-10:]],
        "train_seconds": history[-1][2] if history else 0.0,
        "adapter": str(adapter),
        "adapter_bytes": adapter.stat().st_size,
    }
    (out_dir / "train_report.json").write_text(json.dumps(report, indent=1))
    if install:
        shipped_path().parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(adapter, shipped_path())
        report["installed"] = str(shipped_path())
    log(f"adapter written: {adapter} ({report['adapter_bytes'] / 1e6:.1f} MB, {time.perf_counter() - t0:.0f}s total)")
    return report, pm, tok
