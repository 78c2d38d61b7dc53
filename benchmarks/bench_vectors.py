"""The library's audio vector kinds: which one finds a clip that sounds like the query, and what the
migration of a library from before (dsp-33 vectors only) to msd-musicnn-200 costs.

    .venv/bin/python benchmarks/bench_vectors.py               # 5 layers x 8 moods, 6 s each
    .venv/bin/python benchmarks/bench_vectors.py --seconds 4 --moods 4

Clips: the embedded SoundFont composer's renders, one per (layer, mood), each with its own seed. Sound
search: every clip queries the others by each kind's cosine (leave-one-out); a hit is a nearest neighbour
of the same layer (the same instruments and role: what "something that sounds like this" asks), and
same-mood is reported beside it. Migration: the same clips in a library written with dsp-33 vectors and
sidecars without a kind, opened by this code, then `rebuild()` (timed: clips per second).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sonicgrid.brief import LAYERS, MOODS
from sonicgrid.memory import vectors
from sonicgrid.memory.library import ClipLibrary
from sonicgrid.tools.base import GenRequest
from sonicgrid.tools.generators.soundfont import SoundFontComposer


def render(seconds: float, moods: int) -> list[tuple[str, str, object]]:
    gen = SoundFontComposer()
    out = []
    for li, layer in enumerate(LAYERS):
        for mi, mood in enumerate(MOODS[:moods]):
            brief = {"prompt": f"{mood} {layer}", "mood": mood, "duration_s": seconds}
            req = GenRequest(f"{mood} {layer}", brief, layer, "loop", seconds, seed=100 * li + mi)
            out.append((layer, mood, gen.run(req).audio))
    return out


def neighbours(vecs: np.ndarray, labels: list[str]) -> float:
    """Share of clips whose nearest other clip (cosine) has the same label."""
    x = vecs / (np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9)
    sim = x @ x.T
    np.fill_diagonal(sim, -np.inf)
    nn = sim.argmax(axis=1)
    return float(np.mean([labels[i] == labels[j] for i, j in enumerate(nn)]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--moods", type=int, default=8)
    a = ap.parse_args()
    t0 = time.perf_counter()
    clips = render(a.seconds, a.moods)
    print(
        f"{len(clips)} clips ({len(LAYERS)} layers x {a.moods} moods, {a.seconds:g} s) rendered in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    by_kind: dict[str, np.ndarray] = {}
    for kind in (vectors.DSP, vectors.MUSIC):
        t = time.perf_counter()
        vs = [vectors.compute(audio, kind) for _, _, audio in clips]
        by_kind[kind] = np.array([v.values for v in vs if v is not None])
        per = (time.perf_counter() - t) / len(clips)
        print(f"  {kind:>16}: {per * 1000:.0f} ms a clip to compute")
    layers, moods = [c[0] for c in clips], [c[1] for c in clips]
    print("nearest other clip (leave-one-out, cosine): same layer / same mood")
    for kind, vecs in by_kind.items():
        print(f"  {kind:>16}: {neighbours(vecs, layers):.1%} / {neighbours(vecs, moods):.1%}")
    print(f"  {'chance':>16}: {1 / len(LAYERS):.1%} / {1 / a.moods:.1%}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lib"
        old = ClipLibrary(root, audio_kind=vectors.DSP)  # a library as the version before wrote it
        for (layer, mood, audio), v in zip(clips, by_kind[vectors.DSP]):
            meta = {"layer": layer, "mood": mood, "section": "loop"}
            old.add(audio, meta, f"{mood} {layer} loop", vectors.Vector(vectors.DSP, v.tolist()))
        for p in (root / "records").glob("*.json"):
            d = json.loads(p.read_text())
            d.pop("audio_vector_kind", None)
            p.write_text(json.dumps(d))
        t = time.perf_counter()
        lib = ClipLibrary(root)
        opened = time.perf_counter() - t
        before = lib.vectorless()
        t = time.perf_counter()
        rep = lib.rebuild()
        took = time.perf_counter() - t
        print(
            f"migration: open {opened * 1000:.0f} ms ({before} clips without a music vector); rebuild gave "
            f"{len(rep['vectors']['filled'])} clips one in {took:.1f} s ({len(clips) / took:.2f} clips/s, "
            f"{took / (len(clips) * a.seconds):.3f} s per audio second); left without: {lib.vectorless()}"
        )


if __name__ == "__main__":
    main()
