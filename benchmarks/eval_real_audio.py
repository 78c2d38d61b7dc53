"""The embedded analysts on recorded material we did not generate, with ground truth from Debian packages.

Nothing is fetched at run time; every source is skipped (and said so) when its package is absent.
  - Hydrogen demo songs (`hydrogen`): real sampled kits, tempo from the song's <bpm>, rendered
    headless with `h2cli` (~25 s wall per song, cached under $SONICGRID_REAL_AUDIO_CACHE or
    /tmp/sonicgrid-real-audio).
  - Drum loops from recorded one-shots (`hydrogen-drumkits` + `hydrogen`): kick/snare/hat samples
    of each kit placed on a rock grid at known tempi (the samples are recordings, the grid is ours).
  - Speech: `festival` + `festvox-kallpc16k` (concatenated recorded diphones) and `espeak-ng`
    (formant synthesis: synthetic, reported separately).
  - Sustained material with a known key: held chords on sampled GM strings/organ/choir/pad
    (pretty_midi's TimGM6mb, the notes are ours) - the only key ground truth we have offline.
Prints tempo accuracy (within 4 %, octave errors x2/x0.5 separately), tag accuracy
(drums vs speech vs pad), pulse/key confidence by class, key accuracy on the sustained set.
Run: .venv/bin/python benchmarks/eval_real_audio.py [--quick]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

H2 = Path("/usr/share/hydrogen/data")
CACHE = Path(os.environ.get("SONICGRID_REAL_AUDIO_CACHE", Path(tempfile.gettempdir()) / "sonicgrid-real-audio"))
ROLES = {"kick": r"kick|(^|[_ ])bd", "snare": r"snare|(^|[_ ])sd", "hat": r"hat.*cl|closed|^hh|hihat"}
SENTENCES = [
    "The quick brown fox jumps over the lazy dog, and then it runs away into the forest.",
    "Please remember to bring the red folder to the meeting on Thursday morning.",
    "We measured the tempo of every recording twice, and the results were close.",
]
SR = 44100


def _read(path: Path):
    from sonicgrid.audio import read

    return read(path)


def drum_kits() -> dict[str, dict[str, Path]]:
    """Kit name -> {kick, snare, hat} sample paths, for kits that have all three."""
    out = {}
    root = H2 / "drumkits"
    for kit in sorted(root.glob("*")) if root.is_dir() else []:
        files = sorted(p for p in kit.iterdir() if p.suffix.lower() in (".wav", ".flac"))
        got = {}
        for role, rx in ROLES.items():
            hits = [
                p for p in files if re.search(rx, p.name.lower()) and not (role == "snare" and "bass" in p.name.lower())
            ]
            if hits:
                got[role] = hits[len(hits) // 2]
        if len(got) == 3:
            out[kit.name] = got
    return out


def drum_loop(kit: dict[str, Path], bpm: float, seconds: float = 10.0, seed: int = 0):
    """A rock groove of real one-shots: kick 1 and 3 (+ the 'and' of 3), snare 2 and 4, closed hat eighths."""
    from sonicgrid.audio import Audio

    rng = np.random.default_rng(seed)
    hits = {r: _read(p).stereo() for r, p in kit.items()}
    out = np.zeros((int(seconds * SR) + SR, 2), np.float32)
    beat = 60.0 / bpm
    n_beats = int(seconds / beat)
    for b in range(n_beats):
        plan = [("hat", 0.0, 0.5), ("hat", 0.5, 0.35)]
        plan += [("kick", 0.0, 1.0)] if b % 4 in (0, 2) else [("snare", 0.0, 0.9)]
        plan += [("kick", 0.5, 0.7)] if b % 4 == 2 else []
        for role, off, vel in plan:
            x = hits[role]
            s = x.samples if x.sr == SR else _resample(x.samples, x.sr)
            t = int(((b + off) * beat + rng.normal(0, 0.004)) * SR)
            t = max(0, t)
            n = min(len(s), len(out) - t)
            out[t : t + n] += s[:n] * vel * rng.uniform(0.85, 1.0)
    out = out[: int(seconds * SR)]
    return Audio(out / (np.abs(out).max() + 1e-9) * 0.8, SR)


def _resample(x: np.ndarray, sr: int) -> np.ndarray:
    from sonicgrid.tools.analysts.dsp import to_rate

    return np.stack([to_rate(x[:, c], sr, SR) for c in range(x.shape[1])], axis=1)


def hydrogen_songs() -> list[tuple[Path, float]]:
    songs = sorted((H2 / "demo_songs").glob("*.h2song")) if (H2 / "demo_songs").is_dir() else []
    out = []
    for s in songs:
        m = re.search(r"<bpm>([\d.]+)</bpm>", s.read_text(errors="ignore"))
        if m:
            out.append((s, float(m.group(1))))
    return out


def render_song(song: Path, timeout: float = 180) -> Path | None:
    """h2cli export to WAV (cached): ALSA errors on a headless box are harmless, the export still runs."""
    wav = CACHE / f"{song.stem}.wav"
    if wav.exists() and wav.stat().st_size > 44:
        return wav
    if shutil.which("h2cli") is None:
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = wav.with_suffix(".part.wav")
    try:
        subprocess.run(
            ["h2cli", "-s", str(song), "-o", str(tmp), "-r", str(SR), "-b", "16"],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if tmp.exists() and tmp.stat().st_size > 44:
        tmp.replace(wav)
        return wav
    return None


def speech(engine: str, text: str, out_dir: Path):
    wav = out_dir / f"{engine}_{abs(hash(text)) % 10**8}.wav"
    if (
        engine == "festival"
        and shutil.which("text2wave")
        and Path("/usr/share/festival/voices/english/kal_diphone").exists()
    ):
        subprocess.run(["text2wave", "-o", str(wav)], input=text.encode(), capture_output=True, check=False, timeout=60)
    elif engine == "espeak-ng" and shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-w", str(wav), text], capture_output=True, check=False, timeout=60)
    return _read(wav) if wav.exists() and wav.stat().st_size > 44 else None


def sustained(program: int, key: str, mode: str, seconds: float = 10.0):
    """Held triads i/I - iv/IV - V - i/I on one sampled GM program, 2.5 s each: real samples, our notes."""
    from sonicgrid.audio import Audio
    from sonicgrid.brief import KEYS
    from sonicgrid.tools.generators.composer import SCALES, Arrangement, Note, _chord
    from sonicgrid.tools.generators.soundfont import render

    root = 48 + KEYS.index(key)
    notes, step = [], seconds / 4
    for i, deg in enumerate([0, 3, 4, 0]):
        chord = _chord(root, SCALES[mode], deg)
        if deg == 4 and mode == "minor":
            chord[1] += 1  # harmonic-minor leading tone: the V chord of a minor key
        for p in chord + [chord[0] - 12]:
            notes.append(Note("pad", program, p, i * step, (i + 1) * step, 80))
    arr = Arrangement(key, mode, 60.0, [0, 3, 4, 0], {"pad": program}, 4, step, notes=notes)
    return Audio(render(arr, SR, seconds), SR)


def cases(quick: bool = False) -> tuple[list[dict], list[str]]:
    """Every available case: {name, cls, audio, bpm (or None), key, mode}. Also the skip notes."""
    skipped, out = [], []
    kits = drum_kits()
    if not kits:
        skipped.append("drum loops: hydrogen drumkits not installed (apt-get install hydrogen hydrogen-drumkits)")
    tempi = [84.0, 126.0] if quick else [72.0, 90.0, 110.0, 128.0, 150.0]
    for i, (name, kit) in enumerate(list(kits.items())[: 3 if quick else None]):
        for bpm in tempi:
            out.append(
                {
                    "name": f"loop {name} {bpm:.0f}",
                    "cls": "drums",
                    "source": "drum loop",
                    "audio": drum_loop(kit, bpm, seed=i),
                    "bpm": bpm,
                }
            )
    songs = hydrogen_songs()
    if not songs or shutil.which("h2cli") is None:
        skipped.append("hydrogen demo songs: hydrogen (h2cli) not installed")
    for song, bpm in songs[: 0 if quick else None]:
        wav = render_song(song)
        if wav is None:
            skipped.append(f"{song.stem}: h2cli export failed")
            continue
        a = _read(wav)
        a = type(a)(a.samples[: int(30 * a.sr)], a.sr)  # the first 30 s
        out.append({"name": f"song {song.stem}", "cls": "drums", "source": "hydrogen song", "audio": a, "bpm": bpm})
    with tempfile.TemporaryDirectory() as d:
        for engine in ("festival", "espeak-ng"):
            got = 0
            for text in SENTENCES[: 1 if quick else None]:
                a = speech(engine, text, Path(d))
                if a is not None:
                    got += 1
                    out.append({"name": f"speech {engine} {got}", "cls": "speech", "source": engine, "audio": a})
            if not got:
                skipped.append(f"speech {engine}: not installed")
    progs = {"strings": 48, "organ": 19, "choir": 52, "warm pad": 89}
    keys = (
        [("D", "minor"), ("A", "major")] if quick else [("D", "minor"), ("A", "major"), ("F", "major"), ("E", "minor")]
    )
    for pname, prog in list(progs.items())[: 2 if quick else None]:
        for key, mode in keys:
            out.append(
                {
                    "name": f"held {pname} {key} {mode}",
                    "cls": "pad",
                    "source": "sampled GM, held chords",
                    "audio": sustained(prog, key, mode),
                    "key": key,
                    "mode": mode,
                }
            )
    return out, skipped


def evaluate(items: list[dict]) -> list[dict]:
    from sonicgrid.tools.analysts.listen import EmbeddedListener

    listener = EmbeddedListener()
    rows = []
    for c in items:
        r = listener.hear(c["audio"], {})
        t = {k: r["tags"][k] for k in ("drums", "speech", "pad")}
        row = {
            "name": c["name"],
            "cls": c["cls"],
            "source": c["source"],
            "tag": max(t, key=t.get),
            "tags": t,
            "tempo": r["tempo_bpm"],
            "tempo_conf": r["measures"]["tempo"]["confidence"],
            "pulse": r["measures"]["pulse"]["value"],
            "key": f"{r['key']} {r['mode']}",
            "key_conf": r["measures"]["key"]["confidence"],
        }
        if c.get("bpm"):
            ratio = r["tempo_bpm"] / c["bpm"] if r["tempo_bpm"] else 0.0
            row["bpm"] = c["bpm"]
            row["tempo_ok"] = abs(ratio - 1) <= 0.04
            row["octave"] = any(abs(ratio / m - 1) <= 0.04 for m in (2.0, 0.5))
        if c.get("key"):
            row["true_key"] = f"{c['key']} {c['mode']}"
        rows.append(row)
    return rows


def summary(rows: list[dict]) -> dict:
    tempo = [r for r in rows if "bpm" in r]
    keyed = [r for r in rows if "true_key" in r]
    out = {
        "tempo_n": len(tempo),
        "tempo_ok": sum(r["tempo_ok"] for r in tempo),
        "tempo_octave": sum(r["octave"] for r in tempo),
        "tag_n": len(rows),
        "tag_ok": sum(r["tag"] == r["cls"] for r in rows),
        "key_n": len(keyed),
        "key_ok": sum(r["key"] == r["true_key"] for r in keyed),
    }
    for cls in ("drums", "speech", "pad"):
        sel = [r for r in rows if r["cls"] == cls]
        if sel:
            out[f"{cls}_n"] = len(sel)
            out[f"{cls}_tag_ok"] = sum(r["tag"] == cls for r in sel)
            out[f"{cls}_pulse"] = float(np.median([r["pulse"] for r in sel]))
            out[f"{cls}_tempo_conf"] = float(np.median([r["tempo_conf"] for r in sel]))
            out[f"{cls}_key_conf"] = float(np.median([r["key_conf"] for r in sel]))
            out[f"{cls}_key_conf_max"] = float(np.max([r["key_conf"] for r in sel]))
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    items, skipped = cases(quick)
    rows = evaluate(items)
    for r in rows:
        extra = (
            f" bpm {r['bpm']:.0f} -> {r['tempo']:.1f} ({'ok' if r['tempo_ok'] else 'octave' if r['octave'] else 'MISS'})"
            if "bpm" in r
            else f" tempo {r['tempo']:.1f}"
        )
        k = f" key {r['key']} (true {r['true_key']})" if "true_key" in r else f" key {r['key']}"
        print(
            f"{r['name']:40s} {r['cls']:6s} tag {r['tag']:6s} pulse {r['pulse']:.2f} tconf {r['tempo_conf']:.2f}"
            f"{extra}{k} kconf {r['key_conf']:.2f}"
        )
    s = summary(rows)
    print()
    if s["tempo_n"]:
        print(
            f"tempo within 4 %: {s['tempo_ok']}/{s['tempo_n']}; octave errors (x2 or x0.5): {s['tempo_octave']}; "
            f"other misses: {s['tempo_n'] - s['tempo_ok'] - s['tempo_octave']}"
        )
    print(f"tag (argmax of drums/speech/pad): {s['tag_ok']}/{s['tag_n']}")
    for cls in ("drums", "speech", "pad"):
        if f"{cls}_n" in s:
            print(
                f"  {cls}: tag {s[cls + '_tag_ok']}/{s[cls + '_n']}, median pulse {s[cls + '_pulse']:.2f}, "
                f"tempo confidence {s[cls + '_tempo_conf']:.2f}, key confidence {s[cls + '_key_conf']:.2f} "
                f"(max {s[cls + '_key_conf_max']:.2f})"
            )
    if s["key_n"]:
        print(f"key + mode (held chords, sampled GM instruments): {s['key_ok']}/{s['key_n']}")
    for note in skipped:
        print("skipped:", note)


if __name__ == "__main__":
    main()
