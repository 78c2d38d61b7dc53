"""Key on music nobody here composed or calibrated on: J. S. Bach's four-part chorales from music21's corpus
(pip install music21: a benchmark-only dependency, never imported by SonicGrid), rendered through the GM
SoundFont on a drawn ensemble (organ, strings, piano, choir, brass, woodwinds) at a drawn tempo.

Truth, decided from the score before anything listens: the key signature gives the major key and its
relative minor; the final bass note decides between them (a chorale ends on its tonic). Chorales whose final
bass is neither (modal endings, a half cadence) are left out. Printed: exact and MIREX-weighted accuracy for
the ears (basic-pitch notes + chroma), the notes alone, Krumhansl-Schmuckler on the same chroma, K-S on
librosa's CQT chroma (the issue's 20-line baseline) and the DSP listener.

Split by name (sha1 parity): `--split dev` is what the key code was chosen on, `--split test` (the default)
was not looked at while choosing.

Run: python benchmarks/key_chorales.py [--split test] [--n 60] [--seconds 16] [--seed 0] [--from-s 0]
(--from-s 12: excerpts that start mid-piece, where the opening is not the piece's)
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from eval_ears import mirex, pct

ENSEMBLES = {  # GM programs, soprano -> bass
    "organ": (19, 19, 19, 19),
    "strings": (40, 41, 42, 42),
    "piano": (0, 0, 0, 0),
    "choir": (52, 52, 52, 52),
    "brass": (56, 60, 57, 58),
    "woodwinds": (73, 68, 71, 70),
}
MAJOR_OF_SHARPS = {s: (7 * s) % 12 for s in range(-7, 8)}


def truth(score) -> tuple[int, str] | None:
    """(tonic pitch class, mode) from the key signature and the final bass note, or None (modal ending)."""
    sigs = list(score.recurse().getElementsByClass("KeySignature"))
    if not sigs:
        return None
    major = MAJOR_OF_SHARPS[sigs[0].sharps]
    last = max(n.offset + n.duration.quarterLength for n in score.flatten().notes)
    final = [p for n in score.flatten().notes if n.offset + n.duration.quarterLength >= last - 1e-6 for p in n.pitches]
    if not final:
        return None
    bass = min(final, key=lambda p: p.midi).pitchClass
    if bass == major:
        return major, "major"
    if bass == (major + 9) % 12:
        return (major + 9) % 12, "minor"
    return None


def render(score, programs: tuple[int, ...], qpm: float, seconds: float, sr: int = 22050, from_s: float = 0.0):
    from sonicgrid.audio import Audio
    from sonicgrid.tools.generators import composer, soundfont

    spq = 60.0 / qpm
    parts = {f"v{i}": programs[min(i, len(programs) - 1)] for i in range(len(score.parts))}
    notes = []
    for i, part in enumerate(score.parts):
        for n in part.flatten().notes:
            start = float(n.offset) * spq - from_s
            end = min(seconds, start + float(n.duration.quarterLength) * spq * 0.95)
            if start >= seconds or end <= 0:
                continue
            start = max(0.0, start)
            for p in n.pitches:
                notes.append(composer.Note(f"v{i}", parts[f"v{i}"], int(p.midi), start, end, 80))
    arr = composer.Arrangement("C", "major", qpm, [], parts, 1, seconds, notes)
    return Audio(soundfont.render(arr, sr, seconds), sr)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--seconds", type=float, default=16.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--split", choices=("dev", "test"), default="test")
    ap.add_argument("--from-s", type=float, default=0.0, help="start the excerpt this far into the chorale")
    ap.add_argument("--dump", type=Path, help="pickle each chorale's truth, notes and chroma here (to study the key)")
    args = ap.parse_args()
    try:
        from music21 import corpus
    except ImportError:
        raise SystemExit("needs music21 (benchmark only): pip install music21") from None
    import librosa

    from sonicgrid.brief import KEYS
    from sonicgrid.tools.analysts import features, keytempo, mood, notes

    rng = random.Random(args.seed)
    paths = sorted(str(p) for p in corpus.getComposer("bach") if str(p).endswith(".mxl"))
    rng.shuffle(paths)
    res: dict[str, list[float]] = defaultdict(list)
    dump = []
    used = skipped = 0
    for path in paths:
        if used >= args.n:
            break
        if int(hashlib.sha1(Path(path).stem.encode()).hexdigest(), 16) % 2 != (args.split == "test"):
            continue
        try:
            score = corpus.parse(path)
        except Exception:
            skipped += 1
            continue
        t = truth(score)
        if t is None or len(score.parts) < 3:
            skipped += 1
            continue
        ens = rng.choice(sorted(ENSEMBLES))
        a = render(score, ENSEMBLES[ens], rng.uniform(60, 100), args.seconds, from_s=args.from_s)
        if float(np.abs(a.samples).max()) < 1e-3:
            skipped += 1
            continue
        used += 1
        key, mode = KEYS[t[0]], t[1]
        f = features.extract(a)
        ns = notes.transcribe(a.mono(), a.sr)
        cqt = librosa.feature.chroma_cqt(y=a.mono(), sr=a.sr).mean(axis=1)
        dump.append({"name": Path(path).stem, "truth": (key, mode), "notes": ns, "chroma": np.asarray(f.chroma)})
        dsp = mood.estimate(f)
        for name, (k, md) in {
            "ears: notes + chroma": notes.key_from_notes(ns, f.chroma)[:2],
            "basic-pitch notes only": notes.key_from_notes(ns)[:2],
            "K-S on chroma (baseline)": keytempo.key_scores(f.chroma)[0][1:],
            "K-S on librosa CQT chroma": keytempo.key_scores(cqt)[0][1:],
            "DSP listener": (dsp["key"], dsp["mode"]),
        }.items():
            res[name].append(mirex(key, mode, k, md))
            if name.startswith("ears"):
                heard = f"{k} {md}"
        print(f"  {Path(path).stem:14s} {ens:9s} truth {key} {mode:5s}  ears {heard}", flush=True)
    if args.dump:
        import pickle

        args.dump.write_bytes(pickle.dumps(dump))
    print(
        f"\n== Key on {used} Bach chorales, {args.split} half ({skipped} left out: modal endings, unreadable),"
        f" {args.seconds:.0f} s each from {args.from_s:.0f} s"
    )
    for name, xs in res.items():
        arr = np.array(xs)
        kinds = ", ".join(
            f"{w} {int(np.sum(arr == v))}" for w, v in (("fifth", 0.5), ("relative", 0.3), ("parallel", 0.2))
        )
        print(f"  {name:26s} exact {pct(arr == 1.0)}  MIREX {arr.mean():.3f}  ({kinds}, other {int(np.sum(arr == 0))})")


if __name__ == "__main__":
    main()
