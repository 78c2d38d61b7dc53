"""Per-verdict latency of the embedded judge: base GGUF (few-shot prompts) vs base + LoRA (lean prompts).

    .venv/bin/python benchmarks/bench_judge.py [--n 20] [--threads 2] [--adapter PATH]

Each agent's held-out judgments go through LLMBrain.decide (the product path: enum grammar fast
path, prompt-prefix reuse). Prints median / p90 per brain and per agent, and the machine load.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections import defaultdict
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20, help="judgments per agent")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--adapter", type=Path, default=None)
    args = ap.parse_args()

    from sonicgrid.llm.brain import LLMBrain
    from sonicgrid.llm.local import LocalLLM
    from sonicgrid.llm.locate import packaged_gguf, packaged_lora
    from sonicgrid.llm.train import dataset

    exs = [e for e in dataset.build()["heldout"] if e.agent != "intake"]
    lora = args.adapter or packaged_lora()
    brains = {"base": LLMBrain(LocalLLM(packaged_gguf(), None, args.threads))}
    if lora is not None:
        brains["tuned"] = LLMBrain(LocalLLM(packaged_gguf(), lora, args.threads))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.threads} llama.cpp threads")
    for name, brain in brains.items():
        per: dict[str, list[float]] = defaultdict(list)
        for e in exs:
            if len(per[e.agent]) < args.n:
                per[e.agent].append(brain.decide(e.judgment).latency_ms)
        allv = sorted(v for vs in per.values() for v in vs)
        print(
            f"{name:6s} all: median {statistics.median(allv):6.0f} ms  p90 {allv[int(0.9 * (len(allv) - 1))]:6.0f} ms"
            f"  (n={len(allv)})"
        )
        for agent, vs in per.items():
            print(f"       {agent:14s} median {statistics.median(vs):6.0f} ms")


if __name__ == "__main__":
    main()
