"""Soak: N requests in one process for a brain; RSS over time, p50/p95 latency, library consistency.

    python benchmarks/soak.py --brain rules --n 200
    python benchmarks/soak.py --brain llm --n 200 --warmup 20

Target (issue 14): RSS growth <= 10 % after warm-up over 200 requests. Each request is a real
`make` (graph, tools, analysts, library add) against a private data dir; the prompts cycle through
moods, sections and layers so that reuse, generation and regeneration paths all occur. Prints one line
per `--every` requests and a summary (also as JSON with --json).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MOODS = ["calm", "moody", "happy", "tense", "dreamy", "epic", "tender", "energetic"]
SHAPES = ["loop", "intro with drums", "pad texture", "build with bass", "outro", "loop with voice"]


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def prompts(n: int) -> list[str]:
    return [f"{MOODS[i % len(MOODS)]} {SHAPES[(i // len(MOODS)) % len(SHAPES)]}" for i in range(n)]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def soak(brain: str, n: int, warmup: int, duration: float, every: int, data: Path) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sonicgrid.config import Settings
    from sonicgrid.errors import UserError
    from sonicgrid.graph.run import make, services_for

    s = Settings(data_dir=data / "data", out_dir=data / "out", brain=brain)
    rss, lat, status = [], [], []
    for i, p in enumerate(prompts(n)):
        t0 = time.perf_counter()
        try:
            res = make(p, s, seed=i, duration=duration)
            status.append(res["result"].get("status"))
        except UserError as exc:
            status.append(f"error: {exc}")
        lat.append(time.perf_counter() - t0)
        gc.collect()
        rss.append(rss_mib())
        if every and (i + 1) % every == 0:
            print(f"{i + 1:4d}/{n}  rss {rss[-1]:7.1f} MiB  last {lat[-1]:5.2f} s", flush=True)
    lib = services_for(s).library
    ver = lib.verify(repair=False)
    recs = lib.all()
    # one clip record per finished run; a grid's stems are records of their own, each stored once
    run_ids = [r["meta"].get("run_id") for r in recs if r["meta"].get("kind") != "stem"]
    stems = [
        (r["meta"].get("run_id"), r["meta"].get("section"), r["meta"].get("layer"))
        for r in recs
        if r["meta"].get("kind") == "stem"
    ]
    ok = status.count("ok")
    base = rss[min(warmup, n) - 1]
    return {
        "brain": services_for(s).brain.name,
        "brain_note": services_for(s).brain.note,
        "requests": n,
        "warmup": warmup,
        "ok": ok,
        "errors": [x for x in status if x.startswith("error")][:3],
        "rss_mib": {
            "first": round(rss[0], 1),
            "after_warmup": round(base, 1),
            "end": round(rss[-1], 1),
            "max": round(max(rss), 1),
            "growth_after_warmup_pct": round(100 * (rss[-1] - base) / base, 2),
            "series": [round(x, 1) for x in rss[:: max(1, n // 20)]],
        },
        "latency_s": {
            "p50": round(statistics.median(lat[warmup:] or lat), 3),
            "p95": round(pct(lat[warmup:] or lat, 0.95), 3),
        },
        "library": {
            "records": ver["records"],
            "files": ver["files"],
            "verify_ok": ver["ok"],
            "one_record_per_ok_run": len(run_ids) == len(set(run_ids)) == ok,
            "stems": len(stems),
            "each_stem_once": len(stems) == len(set(stems)),
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brain", default="rules", choices=["rules", "llm", "auto"])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--duration", type=float, default=2.0, help="clip seconds per request")
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sonicgrid-soak-") as d:
        rep = soak(a.brain, a.n, a.warmup, a.duration, a.every, Path(d))
    if a.json:
        print(json.dumps(rep))
        return
    r, lt, lb = rep["rss_mib"], rep["latency_s"], rep["library"]
    print(
        f"brain {rep['brain']}: {rep['ok']}/{rep['requests']} clips; RSS {r['first']} -> {r['after_warmup']} "
        f"(after {rep['warmup']} warm-up) -> {r['end']} MiB (max {r['max']}), growth after warm-up "
        f"{r['growth_after_warmup_pct']} % (target <= 10 %); latency p50 {lt['p50']} s, p95 {lt['p95']} s; "
        f"library {lb['records']} records / {lb['files']} files, verify ok {lb['verify_ok']}, "
        f"one record per run {lb['one_record_per_ok_run']}, {lb['stems']} stems each once {lb['each_stem_once']}"
    )
    print("RSS series (MiB):", r["series"])


if __name__ == "__main__":
    main()
