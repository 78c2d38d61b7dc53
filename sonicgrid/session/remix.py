"""Stem edits without regenerating: "drums louder", "mute the pad", "solo the bass", "remove the
drums" change the recipe of a made clip (clip.json result.mix.stems), and the stored stems are
mixed and mastered again (mixer.render + master): a fraction of a second.

Each remix is written as remixes/remix-N.wav + .json next to the clip; the next edit starts from
the latest recipe, so "drums louder" twice is +8 dB. An amount said is the amount: "chords up 3 dB",
"pads -6 dB" (at most 24 dB a step).

The whole mix, no layer named: "make it louder" / "quieter" move the master's loudness target (the mastering
would otherwise bring every stem's gain back to it), "more reverb" / "drier" scale the reverb and delay sends,
"punchier" puts the drums hotter, "fade it out" / "a 2 second fade in" / "no fade" fade the master. They ride on
the recipe as its `finish`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from sonicgrid import audio as aio
from sonicgrid.brief import MAX_SECONDS
from sonicgrid.errors import UserError
from sonicgrid.session.edit_words import EXAMPLES as EXAMPLES  # re-exported: callers read remix.EXAMPLES ...
from sonicgrid.session.edit_words import FINISH, E, Edit, parse
from sonicgrid.session.edit_words import NO_STEM_OPS as NO_STEM_OPS
from sonicgrid.session.edit_words import TARGET_WORDS as TARGET_WORDS
from sonicgrid.session.edit_words import absent as absent
from sonicgrid.session.edit_words import asks_cleanup as asks_cleanup
from sonicgrid.session.edit_words import is_edit as is_edit

MAX_REPEAT = 16  # "loop it 100 times" plays it this often (and never past the longest clip, MAX_SECONDS)


def finish(prev: dict | None, edits: list[Edit], target_lufs: float) -> dict:
    """The recipe's whole-mix settings after `edits`: the master's loudness over the target (its LUFS kept
    inside loudness_range) and the sends' scale."""
    f = dict(FINISH) | dict(prev or {})
    lo, hi = (float(v) for v in E["loudness_range"])
    for e in edits:
        if e.op == "reset":
            f = dict(FINISH)
        elif e.op == "loudness":
            f["loudness_db"] = round(min(hi, max(lo, target_lufs + f["loudness_db"] + e.db)) - target_lufs, 2)
        elif e.op == "space":  # "more reverb" after "no reverb" starts from a step under the plain sends
            base = f["space"] if f["space"] > 0 or e.factor <= 1 else 1.0 / float(E["space_step"])
            f["space"] = round(min(float(E["space_range"][1]), max(float(E["space_range"][0]), base * e.factor)), 3)
        elif e.op == "repeat":  # "loop it 4 times": times the clip is played (1: once)
            f["repeat"] = int(min(MAX_REPEAT, max(1.0, e.factor)))
        elif e.op == "fade" and e.end == "none":
            f.pop("fade_in_s", None)
            f.pop("fade_out_s", None)
        elif e.op == "fade":
            f[f"fade_{e.end}_s"] = round(min(60.0, max(0.0, e.factor)), 2)
    return f


def apply(recipe: list[dict], edits: list[Edit], original: list[dict]) -> list[dict]:
    stems = [dict(s) for s in recipe]
    for e in edits:
        if e.op == "reset":
            stems = [dict(s) for s in original]
            continue
        hit = [s for s in stems if s["layer"] in e.layers]
        if not hit and e.op != "solo":
            continue
        if e.op == "unmute" and any(s.get("solo") for s in stems):  # "bring back the pad" after a solo: the solo
            for s in stems:  # becomes mutes of the rest, so the pad and the soloed stems play
                s["mute"] = bool(s.get("mute")) or not s.get("solo")
                s["solo"] = False
        for s in stems:
            mine = s["layer"] in e.layers
            if e.op == "mute" and mine:
                s["mute"] = True
            elif e.op == "unmute" and mine:
                s["mute"] = False
            elif e.op == "solo":
                s["solo"] = mine
                if mine:
                    s["mute"] = False
            elif e.op in ("louder", "quieter") and mine:
                s["gain_db"] = round(float(s.get("gain_db", 0.0)) + e.db, 2)
                s["mute"] = False
    return stems


def clip_dir(ref: str, out_dir: Path, traces_dir: Path) -> Path:
    """A run id (looked up in the output dir or the traces), or a clip directory / clip.wav path."""
    p = Path(ref)
    if p.is_file():
        p = p.parent
    if (p / "clip.json").is_file():
        return p
    if (out_dir / ref / "clip.json").is_file():
        return out_dir / ref
    trace = traces_dir / f"{ref}.json"
    if trace.is_file():
        run_dir = Path(json.loads(trace.read_text()).get("run_dir", ""))
        if (run_dir / "clip.json").is_file():
            return run_dir
    raise UserError(f"no clip {ref!r}: give a run id (sonicgrid library ls) or a clip folder with clip.json")


def current(folder: Path, base: Path | None = None) -> tuple[dict, list[dict], list[dict], Path | None]:
    """(clip.json, the recipe to start from, the original recipe, its remix json or None). `base` picks the start:
    a remix json, or clip.json for the original mix (a chat whose re-mix was undone); None: the latest remix."""
    side = json.loads((folder / "clip.json").read_text())
    mix = (side.get("result") or {}).get("mix") or {}
    original = mix.get("stems") or []
    if not original:
        raise UserError(f"{folder} has no stems to re-mix (made before stems were kept, or reused as is)")
    if base is None:  # the latest remix, if any
        remixes = sorted((folder / "remixes").glob("remix-*.json"), key=lambda p: int(p.stem.split("-")[1]))
        start = remixes[-1] if remixes else None
    else:  # the one named; clip.json is the original mix
        start = None if base.name == "clip.json" else base
    if start is not None and start.is_file():
        return side, json.loads(start.read_text())["stems"], original, start
    return side, original, original, None


def remix(folder: Path, text: str, settings, base: Path | None = None) -> dict:
    """Apply the edits in `text` to the clip in `folder` (from the latest remix, or `base`: see current); write
    and return the remix."""
    from sonicgrid.tools import mixer
    from sonicgrid.tools.enhancers.master import master

    t0 = time.perf_counter()
    side, recipe, original, latest = current(folder, base)
    edits = parse(text)
    if not edits:
        raise UserError(f"no stem edit in {text!r}: try {EXAMPLES}")
    have = {s["layer"] for s in recipe}
    missing = sorted({la for e in edits for la in e.layers} - have)
    if all(e.op not in NO_STEM_OPS and not set(e.layers) & have for e in edits):
        raise UserError(f"this clip has no {', '.join(missing)} stem (stems: {', '.join(sorted(have))})")
    stems_now = apply(recipe, edits, original)
    done = finish(json.loads(latest.read_text()).get("finish") if latest else None, edits, settings.target_lufs)
    stems = []
    for r in stems_now:
        a = _read_stem(folder / "stems" / f"{r['name']}.wav")
        stems.append(
            mixer.Stem(
                name=r["name"],
                layer=r["layer"],
                section=r.get("section", "loop"),
                audio=a,
                start_s=float(r["start_s"]),
                gain_db=float(r.get("gain_db", 0.0)),
                pan=r.get("pan"),
                width=r.get("width"),
                mute=bool(r.get("mute")),
                solo=bool(r.get("solo")),
                level_db=float(r.get("level_db", 0.0)),
            )
        )
    res = side.get("result") or {}
    mixed, report = mixer.render(
        stems, settings.sample_rate, res.get("mix", {}).get("tempo_bpm"), side["brief"]["mood"], space=done["space"]
    )
    loud = settings.target_lufs + done["loudness_db"]
    final, mastering = master(mixed, loud, settings.true_peak_dbfs, loop=mixer.is_loop(stems))
    final = aio.Audio(
        aio.fit_length(final.samples, int(round(float(res.get("duration_s") or final.duration) * final.sr))), final.sr
    )
    if int(done.get("repeat") or 1) > 1:  # "loop it 4 times": a loop plays on end to start, seamless
        times = min(int(done["repeat"]), max(1, int(MAX_SECONDS // max(final.duration, 1e-3))))
        final = aio.Audio(np.tile(final.samples, (times, 1)), final.sr)
    if done.get("fade_in_s") or done.get("fade_out_s"):  # at most half the clip each
        half = final.duration / 2
        fin, fout = (min(half, float(done.get(k) or 0.0)) for k in ("fade_in_s", "fade_out_s"))
        final = aio.Audio(aio.fade(final.samples, final.sr, fin, fout), final.sr)
    n = len(list((folder / "remixes").glob("remix-*.json"))) + 1 if (folder / "remixes").is_dir() else 1
    path = aio.write(folder / "remixes" / f"remix-{n}.wav", final)
    seconds = time.perf_counter() - t0
    out = {
        "clip_dir": str(folder),
        "path": str(path),
        "edits": [e.describe() for e in edits],
        "stems": report["stems"],
        "finish": done,
        "mix": {k: v for k, v in report.items() if k != "stems"},
        "mastering": mastering,
        "seconds": round(seconds, 4),
        "duration_s": round(final.duration, 3),
        "request": text,
    }
    aio.write_json(path.with_suffix(".json"), out)
    return out


_CACHE: dict[tuple[str, float], aio.Audio] = {}


def _read_stem(path: Path) -> aio.Audio:
    """Stems do not change once written: a conversation's repeated edits read each one once."""
    key = (str(path), path.stat().st_mtime)
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = aio.read(path)
    return _CACHE[key]


def describe_finish(res: dict) -> str:
    """A remix's whole-mix settings where they differ from a plain master ("" when none do)."""
    f = dict(FINISH) | dict(res.get("finish") or {})
    bits = [f"master at {res['mastering'].get('target_lufs', 0):g} LUFS"] if f["loudness_db"] else []
    bits += [f"sends x{f['space']:g}"] if f["space"] != 1.0 else []
    bits += [f"fade {end} {f[f'fade_{end}_s']:g} s" for end in ("in", "out") if f.get(f"fade_{end}_s")]
    bits += [f"played {f['repeat']} times, {res.get('duration_s', 0):g} s"] if int(f.get("repeat") or 1) > 1 else []
    return ", ".join(bits)


def describe_stems(stems: list[dict]) -> str:
    bits = []
    for s in stems:
        state = "muted" if s.get("mute") else ("solo" if s.get("solo") else f"{float(s.get('gain_db', 0)):+.1f} dB")
        bits.append(f"{s['name']} {state}")
    return "; ".join(bits)
