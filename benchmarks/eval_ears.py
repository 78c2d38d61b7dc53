"""The ears on music they were not calibrated on (the test split of benchmarks/ears_data.py).

Prints: the gate's rejection rate per degradation kind and its pass rate on clean music (critic vs the DSP
score it replaces); drums present/absent on mixes; key (exact, MIREX-weighted) from basic-pitch notes next
to Krumhansl-Schmuckler on chroma and the DSP listener; tempo within 4 % next to librosa's beat tracker;
mood agreement and high/low energy; seconds of compute per audio second and the cold load.
Labels and their provenance: benchmarks/music_labels.yaml. Run: python benchmarks/eval_ears.py [--quick]
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import critic_data
import ears_data as data
import recorded_drums

BAR = 5.0


def mirex(k1: str, m1: str, k2: str, m2: str) -> float:
    """MIREX key score: 1 exact, 0.5 a fifth apart (same mode), 0.3 relative, 0.2 parallel, else 0."""
    from sonicgrid.brief import KEYS

    a, b = KEYS.index(k1), KEYS.index(k2)
    if (a, m1) == (b, m2):
        return 1.0
    if m1 == m2 and (b - a) % 12 in (5, 7):
        return 0.5
    if m1 != m2 and ((m1 == "major" and (a - b) % 12 == 3) or (m1 == "minor" and (b - a) % 12 == 3)):
        return 0.3
    if m1 != m2 and a == b:
        return 0.2
    return 0.0


def pct(xs) -> str:
    xs = list(xs)
    return f"{100 * np.mean(xs):5.1f} % (n={len(xs)})" if xs else "   -   (n=0)"


def gate(test: list[dict], title: str = "canonical settings") -> None:
    from sonicgrid.tools.analysts import critic

    print(f"\n== Quality gate (bar 5/10), degradations at their {title}: critic vs the DSP score it replaces")
    rows = defaultdict(lambda: ([], []))
    mono_bad = []
    for e in test:
        s = critic.score(critic.judge(critic.vector_from(e["h"]))[0])
        if e.get("mono") and e["kind"] != "clean":
            mono_bad.append(s < BAR)
        group = e["kind"] if e["kind"] != "clean" else "clean " + _clean_group(e)
        rows[group][0].append(s >= BAR)
        if "dsp_score" in e["h"]:
            rows[group][1].append(float(e["h"]["dsp_score"]) >= BAR)
    bad_c, bad_d = [], []
    for g in sorted(rows, key=lambda g: (g.startswith("clean"), g)):
        ours, dsp = rows[g]
        if g.startswith("clean"):
            print(f"  pass  {g:28s} critic {pct(ours)}   dsp {pct(dsp)}")
        else:
            bad_c += [not x for x in ours]
            bad_d += [not x for x in dsp]
            print(f"  fail  {g:28s} critic {pct(not x for x in ours)}   dsp {pct(not x for x in dsp)}")
    print(f"  ALL degraded copies failing: critic {pct(bad_c)}   dsp {pct(bad_d)}")
    if mono_bad:
        print(f"  of them mono files: critic {pct(mono_bad)}")


def _clean_group(e: dict) -> str:
    if e.get("mono"):
        return "mono files (recordings, mixes)"
    if e.get("section"):
        return e["section"] + "s (texture stems, masters)"
    if e.get("produced"):
        return "product-chain masters"
    if e["source"] == "recording":
        return "recordings"
    if e["source"] == "kit":
        return "kit loops"
    return "render mixes" if len(e["layers"]) > 1 else "render stems " + e["layers"][0]


def drums(test: list[dict], loops: list[tuple]) -> None:
    from sonicgrid.tools.analysts.moodmap import drum_probability

    print("\n== Drums present/absent (renders: mixes and stems; recorded-kit loops)")
    ours, dsp, mix_ours, mix_dsp = [], [], [], []
    for e in test:
        if e["source"] != "render" or e["kind"] != "clean":
            continue
        truth = "rhythm" in e["layers"]
        o = drum_probability(data.head_x(e["h"])) >= 0.5
        d = float(e["h"]["dsp_drums"]) >= 0.5
        ours.append(o == truth)
        dsp.append(d == truth)
        if len(e["layers"]) > 1:
            mix_ours.append(o == truth)
            mix_dsp.append(d == truth)
    for _, h, _ in loops:
        ours.append(drum_probability(data.head_x(h)) >= 0.5)
        dsp.append(float(h["dsp_drums"]) >= 0.5)
    sets = [
        (f"{label} (half with drums)", data.drum_mixes("test", dark, produced=produced))
        for label, dark, produced in (
            ("lo-fi mixes (2.5 kHz low-pass, pads, texture)", True, False),
            ("more mixes (harmony alone too)", False, False),
            ("lo-fi masters (enhance, mix, master)", True, True),
            ("more masters (enhance, mix, master)", False, True),
        )
    ]
    sets.append(("masters at 60-140 bpm whatever the mood (tempo_mixes, 2 of 5 with drums)", data.tempo_mixes("test")))
    sets.append(
        ("masters at 105-135 bpm, brisk comping (comping_mixes, 1 of 3 with drums)", data.comping_mixes("test"))
    )
    sets.append(
        ("soundtrack excerpts labelled by eye (recorded_drums, test recordings)", recorded_drums.examples("test"))
    )
    print(f"  full mixes: ears {pct(mix_ours)}   dsp {pct(mix_dsp)}")
    for label, mixes in sets:
        truth = ["rhythm" in e["layers"] for e in mixes]
        o = [(drum_probability(data.head_x(e["h"])) >= 0.5) == t for e, t in zip(mixes, truth)]
        d = [(float(e["h"]["dsp_drums"]) >= 0.5) == t for e, t in zip(mixes, truth)]
        print(f"  {label}: ears {pct(o)}   dsp {pct(d)}")
        if mixes and mixes[0]["source"] == "recording":  # few drumless ones: each class on its own
            for cls, want in (("with drums", True), ("without", False)):
                oc = [ok for ok, t in zip(o, truth) if t == want]
                dc = [ok for ok, t in zip(d, truth) if t == want]
                print(f"    {cls}: ears {pct(oc)}   dsp {pct(dc)}")
    print(f"  all       : ears {pct(ours)}   dsp {pct(dsp)}")


def keys() -> None:
    """Renders made for this (seeds 100 and 300, never trained on; nothing in the key path is trained)."""
    from sonicgrid.tools.analysts import features, keytempo, mood, notes

    print("\n== Key on 48 renders with harmony (truth: the arrangement)  exact / MIREX-weighted")
    res = defaultdict(list)
    for m in data.MOODS:
        for layers in (("rhythm", "harmony"), ("harmony", "atmosphere"), ("harmony",)):
            for seed in (100, 300):
                a, arr = data.render(m, layers, seed, 6.0)
                f = features.extract(a)
                ns = notes.transcribe(a.mono(), a.sr)
                dsp = mood.estimate(f)
                for name, (k, md) in {
                    "ears: notes + chroma": notes.key_from_notes(ns, f.chroma)[:2],
                    "basic-pitch notes only": notes.key_from_notes(ns)[:2],
                    "K-S on chroma (baseline)": keytempo.key_scores(f.chroma)[0][1:],
                    "DSP listener (before)": (dsp["key"], dsp["mode"]),
                }.items():
                    res[name].append(mirex(arr["key"], arr["mode"], k, md))
    for name, xs in res.items():
        xs = np.array(xs)
        print(f"  {name:26s} exact {pct(xs == 1.0)}  MIREX {xs.mean():.3f}")


def tempo(test: list[dict], loops: list[tuple]) -> None:
    import librosa

    print("\n== Tempo within 4 % (renders with drums: the arrangement's tempo; kit loops: the grid's)")
    ours, lib = [], []
    for e in test:
        arr = e.get("arrangement") or {}
        if e["source"] != "render" or e["kind"] != "clean" or "rhythm" not in e["layers"] or not arr.get("tempo_bpm"):
            continue
        a, _ = data.render(e["mood"], e["layers"], int(e["rec"].split("/")[-1]), 6.0 if len(e["layers"]) > 1 else 3.0)
        ours.append(abs(float(e["h"]["tempo_bpm"]) / arr["tempo_bpm"] - 1) <= 0.04)
        lib.append(_librosa_ok(librosa, a, arr["tempo_bpm"]))
    for (_, a, bpm), (_, h, _) in zip(data.drum_loops("test"), loops):
        ours.append(abs(float(h["tempo_bpm"]) / bpm - 1) <= 0.04)
        lib.append(_librosa_ok(librosa, a, bpm))
    print(f"  ears (DSP tempo) {pct(ours)}   librosa beat_track {pct(lib)}")


def _librosa_ok(librosa, a, bpm: float) -> bool:
    t, _ = librosa.beat.beat_track(y=a.mono(), sr=a.sr)
    return abs(float(np.atleast_1d(t)[0]) / bpm - 1) <= 0.04


def moods(test: list[dict]) -> None:
    from sonicgrid.tools.analysts.mood import MOOD_POINTS
    from sonicgrid.tools.analysts.moodmap import mood

    print("\n== Mood (renders: the mood they were made for; recordings: title-derived words, see music_labels.yaml)")
    titles = data.title_moods("test")
    groups = {
        "render mixes": [e for e in test if e["kind"] == "clean" and e["source"] == "render" and len(e["layers"]) > 1],
        "more mixes": data.all_drum_mixes(
            "test"
        ),  # the drum mixes: lo-fi, plain, masters; every mood at its own tempo (test seeds)
        "recordings": [e for e in test if e["kind"] == "clean" and e["source"] == "recording" and e["rec"] in titles],
    }
    for group, items in groups.items():
        word, energy, dword, denergy, seen = [], [], [], [], set()
        for e in items:
            truth = titles[e["rec"]] if group == "recordings" else e["mood"]
            seen.add(truth)
            m = mood(data.head_x(e["h"]))
            word.append(m["label"] == truth)
            energy.append((m["arousal"] > 0) == (MOOD_POINTS[truth][1] > 0))
            dword.append(str(e["h"]["dsp_mood"]) == truth)
            denergy.append((float(e["h"]["dsp_arousal"]) > 0) == (MOOD_POINTS[truth][1] > 0))
        print(f"  {group:13s} ({len(seen)} moods) word: ears {pct(word)}  dsp {pct(dword)}")
        print(f"  {group:13s} high/low energy: ears {pct(energy)}  dsp {pct(denergy)}")


def speed() -> None:
    print("\n== Speed (this machine, shared CPU: see `uptime`)")
    code = (
        "import time; t=time.perf_counter(); from sonicgrid.tools.analysts.ears import PretrainedEars; "
        "from sonicgrid.tools.analysts import musicnn_net, notes; e=PretrainedEars(); "
        "musicnn_net.load_model('MTT_musicnn'); musicnn_net.load_model('MSD_musicnn'); notes.session(); "
        "print(round(time.perf_counter()-t, 2))"
    )
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    print(f"  cold load (import + both checkpoints + onnx session): {cold} s")
    from sonicgrid.tools.analysts.base import AnalysisRequest
    from sonicgrid.tools.analysts.ears import PretrainedEars
    from sonicgrid.tools.analysts.listen import EmbeddedListener

    a, _ = data.render("happy", ("rhythm", "harmony"), 7, 30.0)
    for tool in (PretrainedEars(), EmbeddedListener()):
        tool.run(AnalysisRequest(audio=a, brief={"mood": "happy"}))
        t = time.process_time()
        w = time.perf_counter()
        tool.run(AnalysisRequest(audio=a, brief={"mood": "happy"}))
        print(
            f"  {tool.name:18s} {(time.process_time() - t) / a.duration:.3f} s CPU per audio second "
            f"({(time.perf_counter() - w) / a.duration:.3f} s wall), 30 s mix"
        )
    print(f"  load: {Path('/proc/loadavg').read_text().split()[:3]}")


def main() -> None:
    quick = "--quick" in sys.argv
    test = data.examples("test", quick=quick, log=lambda m: None)
    loops = [(n, data.cached(f"v1/{n}/clean", lambda a=a: data.hear(a)), bpm) for n, a, bpm in data.drum_loops("test")]
    recs = {e["rec"] for e in test if e["source"] == "recording"}
    print(f"test split: {len(test)} examples from {len(recs)} recordings + renders (seed 100), {len(loops)} kit loops")
    gate(test)
    if "--quick" not in sys.argv:
        gate(critic_data.examples("test", log=lambda m: None), "random settings (critic_data.py; more clips)")
    drums(test, loops)
    keys()
    tempo(test, loops)
    moods(test)
    if "--no-speed" not in sys.argv:
        speed()


if __name__ == "__main__":
    main()
