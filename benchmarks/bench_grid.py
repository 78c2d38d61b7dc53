"""The grid's own figures: a full 3-layer 12 s moody intro rendered, mixed and mastered (warm),
a stem re-mix from stored stems, and the whole `make` for reference.

    .venv/bin/python benchmarks/bench_grid.py [--runs 5] [--soundfont PATH]

Targets: render + mix + master <= 1 s warm; stem re-mix <= 0.5 s. "Warm" = the same process has
rendered once (SoundFont loaded, imports done). The machine's load is printed: on a shared 2-core
box the figures scale with it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")  # single-threaded: CPU time is then the uncontended wall time
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def render_mix_master(seed: int, registry, sr: int) -> tuple[dict, dict]:
    from sonicgrid import outputs
    from sonicgrid.agents.intake import rules_intake
    from sonicgrid.graph import arrange
    from sonicgrid.tools.base import GenRequest

    t0, c0 = time.perf_counter(), time.process_time()
    brief, _ = rules_intake("make a moody intro")
    cells, _ = arrange.plan(brief, seed, registry)
    t_plan = time.perf_counter()
    done = []
    for c in cells:
        tool = registry.pick("generator", f"layer:{c['layer']}")
        req = GenRequest(
            brief.prompt,
            brief.model_dump(),
            c["layer"],
            c["section"],
            c["duration_s"],
            seed + c["index"],
            params=dict(c["params"]),
        )
        done.append({"cell": c, "audio": tool.run(req).audio, "tool": tool.name})
    t_gen = time.perf_counter()
    stems = outputs.stems_for(done, lambda d: d["audio"], set())
    _final, mix, mastering = outputs.master_mix(stems, sr, cells[0]["params"]["tempo_bpm"], "moody", -14.0, -1.0)
    t_end = time.perf_counter()
    return {
        "plan_s": t_plan - t0,
        "generate_s": t_gen - t_plan,
        "mix_master_s": t_end - t_gen,
        "total_s": t_end - t0,
        "cpu_s": time.process_time() - c0,
        "layers": len(cells),
    }, {"mix": mix, "mastering": mastering, "tools": [d["tool"] for d in done]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--soundfont", default=None)
    args = ap.parse_args()

    from sonicgrid.config import Settings
    from sonicgrid.graph.run import make
    from sonicgrid.session import remix
    from sonicgrid.tools.generators.soundfont import SoundFontComposer
    from sonicgrid.tools.registry import default_registry

    reg = default_registry()
    if args.soundfont:
        reg.tools = [
            SoundFontComposer(soundfont=Path(args.soundfont)) if t.name == "soundfont-composer" else t
            for t in reg.tools
        ]
    sf2 = next(t.sf2 for t in reg.tools if t.name == "soundfont-composer")
    print(f"machine: {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}; SoundFont {sf2}")
    render_mix_master(0, reg, 44100)  # warm-up: SoundFont load, imports
    rows, info = [], None
    for i in range(args.runs):
        r, info = render_mix_master(i + 1, reg, 44100)
        rows.append(r)
    med = {
        k: statistics.median(r[k] for r in rows) for k in ("plan_s", "generate_s", "mix_master_s", "total_s", "cpu_s")
    }
    print(
        f"3-layer 12 s moody intro ({', '.join(info['tools'])}): render+mix+master median {med['total_s']:.3f} s "
        f"(plan {med['plan_s']:.3f}, generate {med['generate_s']:.3f}, mix+master {med['mix_master_s']:.3f}), "
        f"min {min(r['total_s'] for r in rows):.3f} s over {len(rows)} runs; CPU time median {med['cpu_s']:.3f} s "
        "(= wall on an idle core)  (target <= 1 s)"
    )
    m = info["mix"]
    print(
        f"mix: L/R correlation {m['lr_correlation']:.2f}, side/mid {m['side_mid_db']:.1f} dB; "
        f"mastered {info['mastering']['lufs_out']:.1f} LUFS, true peak {info['mastering']['true_peak_dbtp']:.1f} dBTP"
    )

    tmp = Path(tempfile.mkdtemp())
    s = Settings(data_dir=tmp / "data", out_dir=tmp / "out", brain="rules")
    make("a moody intro with drums", s, seed=1)  # warm
    t0 = time.perf_counter()
    summary = make("a moody intro with drums", s, seed=2)
    wall = time.perf_counter() - t0
    folder = Path(summary["result"]["path"]).parent
    print(f"whole make (4 layers, agents, analysts, library), warm: {wall:.2f} s")
    times, cpu = [], []
    for edit in ["drums louder", "mute the pad", "solo the bass", "remove the drums", "reset"] * 2:
        t0, c0 = time.perf_counter(), time.process_time()
        remix.remix(folder, edit, s)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(
        f"stem re-mix of a 12 s 4-stem clip (read stems, re-mix, re-master, write): median "
        f"{statistics.median(times):.3f} s, max {max(times):.3f} s over {len(times)} edits; "
        f"CPU time median {statistics.median(cpu):.3f} s  (target <= 0.5 s)"
    )


if __name__ == "__main__":
    main()
