"""Benchmark `make "make a moody intro"`: cold and warm wall time, per-node times, orchestration
overhead (% of wall not spent in tools), peak RSS, and one LLM verdict's latency.

    .venv/bin/python benchmarks/bench_make.py [--runs 5] [--brain rules|llm]

Cold = first request in a fresh process (imports, model loads, JIT). Warm = later requests in
the same process, each on an empty library so every run really generates (no reuse).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def cold_cli(brain: str) -> float:
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, SONICGRID_DATA_DIR=f"{d}/data")
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sonicgrid.cli",
                "make",
                "make a moody intro",
                "--json",
                "-o",
                f"{d}/out",
                "--brain",
                brain,
            ],
            check=True,
            capture_output=True,
            env=env,
        )
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--brain", default="rules", choices=["rules", "llm"])
    ap.add_argument("--no-cold-cli", action="store_true")
    args = ap.parse_args()

    from sonicgrid.config import Settings
    from sonicgrid.graph.run import make

    print(f"machine: {os.cpu_count()} CPU cores; brain={args.brain}")
    if not args.no_cold_cli:
        print(f"cold CLI process (imports + model loads + run): {cold_cli(args.brain):.2f} s")
    walls, overheads, shares = [], [], []
    per_node: dict[str, list[float]] = defaultdict(list)
    tmp = Path(tempfile.mkdtemp())
    for i in range(args.runs + 1):
        s = Settings(data_dir=tmp / f"data{i}", out_dir=tmp / "out", brain=args.brain)
        t0 = time.perf_counter()
        out = make("make a moody intro", s, seed=i)
        wall = time.perf_counter() - t0
        tool_s = sum(c["seconds"] for c in out["tool_calls"])
        nodes = defaultdict(float)
        for t in out["timings"]:
            nodes[t["node"]] += t["ms"] / 1000
        if i == 0:
            print(f"cold in-process first request: {wall:.2f} s")
            continue
        walls.append(wall)
        # Orchestration = wall not spent inside tools (generator, analysts, mastering) or in
        # the library / embedding work that recall and finish must do.
        finish_tools = sum(
            c["seconds"]
            for c in out["tool_calls"]
            if c["role"] == "master" or (c["role"] in ("enhancer", "vocoder") and c["cell"] is None)
        )
        lib_s = (
            nodes["recall"]
            + nodes["continuity"]
            + max(
                0.0,
                nodes["finish"]
                - finish_tools
                - sum(c["seconds"] for c in out["tool_calls"] if c["role"] == "enhancer" and c["cell"] is not None),
            )
        )
        node_s = sum(nodes.values())
        overheads.append(
            (wall - node_s + sum(nodes[k] for k in ("intake", "plan", "decide", "cost_guard", "gatekeep"))) / wall
        )
        shares.append((tool_s / wall, lib_s / wall))
        for k, v in nodes.items():
            per_node[k].append(v)
    print(
        f"warm end-to-end: median {statistics.median(walls):.3f} s, min {min(walls):.3f} s over {len(walls)} runs"
        f"  (target <= 3 s)"
    )
    print(
        f"orchestration overhead (graph + checkpoints + agents' own work, = wall - node time + agent nodes):"
        f" median {100 * statistics.median(overheads):.1f} %  (target <= 10 %)"
    )
    print(
        f"share of wall in tools: {100 * statistics.median(s[0] for s in shares):.1f} %, in library I/O "
        f"(recall, continuity query, store): {100 * statistics.median(s[1] for s in shares):.1f} %"
    )
    print("per-node median (s): " + ", ".join(f"{k} {statistics.median(v):.3f}" for k, v in per_node.items()))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MiB")

    from sonicgrid.agents import decision
    from sonicgrid.graph.services import make_brain

    brain = make_brain(Settings(brain="llm"))  # what the product runs: packaged GGUF + shipped LoRA
    llm = brain.llm
    brief = {"prompt": "make a moody intro", "duration_s": 12.0, "action": "new"}
    cand = {"id": "c", "similarity": 0.9, "meta": {"quality": 7.0, "duration_s": 12.0}}
    j = decision.judgment(brief, [cand], None, reuse_threshold=0.8, quality_threshold=5)
    brain.decide(j)  # warm the prompt cache
    lat = []
    for _ in range(10):
        t0 = time.perf_counter()
        brain.decide(j)
        lat.append(time.perf_counter() - t0)
    print(
        f"one LLM verdict (warm, {llm.name}, 2 threads): median {1000 * statistics.median(lat):.0f} ms"
        f"  (target <= 400 ms); model load {llm.load_s:.2f} s"
    )


if __name__ == "__main__":
    main()
