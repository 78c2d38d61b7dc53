"""Clip library benchmark: add/query latency at 1k, 10k, 100k clips; reuse savings over a session.

    .venv/bin/python benchmarks/bench_library.py            # scale 1k,10k,100k + session
    .venv/bin/python benchmarks/bench_library.py --sizes 1000,10000 --no-session

Scale uses synthetic unit vectors (384-d text, 200-d audio: the msd-musicnn-200 kind) and a handful of distinct tiny clips
(the store is content-addressed: many records share a file), so it measures Chroma + the library
code, not audio analysis. Query = the reuse search the graph runs: text ANN (+ metadata filter),
candidate pool fetch, combined ranking with reasons. MiniLM text embedding is timed separately.
The session part drives sonicgrid.graph.run.make() with the rules brain (or --brain llm: the embedded
judge, the product default) on a temp data dir.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sonicgrid.audio import Audio
from sonicgrid.brief import KEYS, LAYERS, MOODS, SECTIONS
from sonicgrid.memory.library import ClipLibrary
from sonicgrid.tools.base import CostModel

MUSICGEN_CUDA = CostModel(per_audio_s=0.4, overhead_s=4.0, device="cuda")  # generators/musicgen.py's GPU model


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def unit(rng, n: int, d: int) -> np.ndarray:
    v = rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def synthetic(rng, n: int, clips: list[Audio], start: int) -> list[tuple]:
    tv, av = unit(rng, n, 384), unit(rng, n, 200)
    items = []
    for i in range(n):
        meta = {
            "mood": MOODS[rng.integers(len(MOODS))],
            "section": SECTIONS[rng.integers(len(SECTIONS))],
            "layer": LAYERS[rng.integers(len(LAYERS))],
            "key": KEYS[rng.integers(12)],
            "mode": ("major", "minor")[rng.integers(2)],
            "tempo_bpm": float(rng.integers(60, 170)),
            "quality": float(rng.uniform(3, 10)),
            "project": f"p{rng.integers(50)}",
            "tags": {"pad": 0.5},
            "cost_s": 0.2,
            "id": f"clip_s{start + i:07d}",
        }
        items.append((clips[i % len(clips)], meta, f"synthetic clip {start + i}", av[i].tolist(), tv[i].tolist()))
    return items


def scale(sizes: list[int], root: Path, queries: int) -> list[dict]:
    rng = np.random.default_rng(0)
    clips = [Audio(rng.standard_normal(800).astype(np.float32) * 0.1, 8000) for _ in range(8)]
    lib = ClipLibrary(root)
    batch = min(2000, lib.client.get_max_batch_size())
    rows, have = [], 0
    from sonicgrid.memory.embed import embed_text

    embed_text("warm up")
    for n in sizes:
        t0 = time.perf_counter()
        while have < n:
            k = min(batch, n - have)
            lib.add_many(synthetic(rng, k, clips, have))
            have += k
        bulk_s = time.perf_counter() - t0
        added = n - (rows[-1]["n"] if rows else 0)
        adds = []
        for i in range(30):  # one clip at a time, as the graph adds them (text vector given)
            it = synthetic(rng, 1, clips, 10_000_000 + n + i)[0]
            t = time.perf_counter()
            lib.add(*it)
            adds.append((time.perf_counter() - t) * 1000)
        qs, qe, qf = [], [], []
        qv = unit(rng, queries, 384)
        for i in range(queries):
            brief = {"mood": MOODS[i % 8], "key": KEYS[i % 12], "mode": "minor", "tempo_bpm": 90.0, "duration_s": 0.1}
            t = time.perf_counter()
            lib.search("q", k=5, text_vec=qv[i].tolist(), brief=brief)
            qs.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            lib.search("q", k=5, text_vec=qv[i].tolist(), brief=brief, where={"layer": LAYERS[i % 5]})
            qf.append((time.perf_counter() - t) * 1000)
        for i in range(min(queries, 50)):
            t = time.perf_counter()
            lib.search(f"a {MOODS[i % 8]} pad for an intro, take {i}", k=5)
            qe.append((time.perf_counter() - t) * 1000)
        row = {
            "n": lib.count(),
            "bulk_add_per_s": round(added / bulk_s, 1),
            "add_p50_ms": pct(adds, 50),
            "add_p95_ms": pct(adds, 95),
            "query_p50_ms": pct(qs, 50),
            "query_p95_ms": pct(qs, 95),
            "filtered_query_p50_ms": pct(qf, 50),
            "e2e_query_p50_ms": pct(qe, 50),
        }
        rows.append(row)
        print(
            f"{row['n']:>7} clips | bulk add {row['bulk_add_per_s']:>7.0f}/s | add p50 {row['add_p50_ms']:6.1f} ms "
            f"p95 {row['add_p95_ms']:6.1f} | query p50 {row['query_p50_ms']:5.1f} ms p95 {row['query_p95_ms']:5.1f} | "
            f"filtered p50 {row['filtered_query_p50_ms']:5.1f} | with MiniLM p50 {row['e2e_query_p50_ms']:5.1f}",
            flush=True,
        )
    return rows


# A session with repeats: same briefs again, and similar wordings of earlier ones.
SESSION = [
    "make a moody intro",
    "a calm piano loop",
    "an energetic drum loop",
    "make a moody intro",
    "a dreamy ambient pad",
    "a moody intro please",
    "a calm piano loop",
    "happy ukulele loop",
    "an energetic drum loop",
    "make a tense build",
    "a dreamy ambient pad",
    "make a moody intro",
    "calm piano loop, please",
    "a tense build",
    "happy ukulele loop",
    "an epic outro",
    "a dreamy pad, ambient",
    "an epic outro",
    "make a moody intro",
    "energetic drum loop",
]


KINDS = ("spent_s", "tool_s", "generator_s", "musicgen_tool_s")


def session(root: Path, brain: str = "rules") -> dict:
    from sonicgrid.config import Settings
    from sonicgrid.graph.run import make

    def run(data: Path, fresh_library_each_time: bool) -> list[dict]:
        out = []
        for i, req in enumerate(SESSION):
            d = data / (f"r{i}" if fresh_library_each_time else "shared")
            s = Settings(data_dir=d, out_dir=data / "out", brain=brain)
            t = time.perf_counter()
            r = make(req, s, seed=i)
            dec = [v["choice"] for v in r["verdicts"] if v["agent"] == "decision"]
            calls = r.get("tool_calls", [])
            gen_s = sum(c["seconds"] for c in calls if c["role"] == "generator")
            # the same request if its generator calls had been MusicGen small on a GPU (its cost model)
            mg = sum(MUSICGEN_CUDA.estimate(c["audio_s"]) for c in calls if c["role"] == "generator")
            out.append(
                {
                    "wall_s": time.perf_counter() - t,
                    "spent_s": r["spent_s"],
                    "tool_s": r["tool_s"],
                    "generator_s": gen_s,
                    "musicgen_tool_s": r["tool_s"] - gen_s + mg,
                    "score": r["result"].get("score", 0.0),
                    "decision": dec[0] if dec else None,
                    # an LLM verdict records the rules' choice and whether it agreed (evidence["llm"])
                    "llm_verdicts": sum(v["brain"] == "llm" and v["agent"] != "intake" for v in r["verdicts"]),
                    "llm_disagree": sum(
                        v["brain"] == "llm"
                        and v["agent"] != "intake"
                        and not (v.get("evidence") or {}).get("llm", {}).get("agrees", True)
                        for v in r["verdicts"]
                    ),
                }
            )
        return out

    make(
        "warm up",
        __import__("sonicgrid.config", fromlist=["Settings"]).Settings(
            data_dir=root / "warm", out_dir=root / "warm" / "out", brain=brain
        ),
    )
    gen = run(root / "always", True)  # an empty library for every request: always generate
    lib = run(root / "library", False)  # one library: repeats and near-repeats may reuse
    res = {}
    for name, rs in (("always_generate", gen), ("with_library", lib)):
        res[name] = {k: round(sum(r[k] for r in rs), 3) for k in KINDS}
        res[name]["mean_score"] = round(statistics.mean(r["score"] for r in rs), 2)
        res[name]["decisions"] = {d: sum(r["decision"] == d for r in rs) for d in {r["decision"] for r in rs}}
        res[name]["llm_verdicts"] = sum(r["llm_verdicts"] for r in rs)
        res[name]["llm_disagree"] = sum(r["llm_disagree"] for r in rs)
    for k in KINDS:
        res[f"ratio_{k}"] = round(res["with_library"][k] / res["always_generate"][k], 3)
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--no-session", action="store_true")
    ap.add_argument("--no-scale", action="store_true")
    ap.add_argument("--brain", choices=("rules", "llm"), default="rules", help="the agents' brain in the session")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not a.no_scale:
            print(f"scale (synthetic vectors, {os.cpu_count()} CPUs)")
            scale([int(x) for x in a.sizes.split(",")], Path(tmp) / "scale", a.queries)
        if not a.no_session:
            r = session(Path(tmp) / "session", a.brain)
            print(f"session of {len(SESSION)} requests, {a.brain} brain:")
            for name in ("always_generate", "with_library"):
                x = r[name]
                print(
                    f"  {name:>15}: compute {x['spent_s']:.2f} s (budgeted: generate+analyse), all tools "
                    f"{x['tool_s']:.2f} s, generator {x['generator_s']:.2f} s, mean score {x['mean_score']:.2f}, "
                    f"decisions {x['decisions']}"
                    + (
                        f", LLM verdicts {x['llm_verdicts']} of which {x['llm_disagree']} differ from the rules"
                        if a.brain == "llm"
                        else ""
                    )
                )
            print(
                f"  library / always-generate: budgeted compute {r['ratio_spent_s']:.1%}, all tools "
                f"{r['ratio_tool_s']:.1%}, generator only {r['ratio_generator_s']:.1%}, all tools if generation "
                f"were MusicGen small on a GPU (cost model) {r['ratio_musicgen_tool_s']:.1%}"
            )


if __name__ == "__main__":
    main()
