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
import re
import time
from dataclasses import dataclass
from pathlib import Path

from sonicgrid import audio as aio
from sonicgrid.agents import lexicon
from sonicgrid.errors import UserError

E = lexicon.V["edits"]
_SPLIT = re.compile(r"[,;]|\.(?!\d)|\b(?:and|then|also|y|et|und|puis|luego)\b", re.I)
_DB = re.compile(r"(?<![\w.])([+-]?\d+(?:[.,]\d+)?)\s*db\b", re.I)  # "3 dB", "+2.5dB", "-6 db"
MAX_EDIT_DB = 24.0
_ALL_BUT = re.compile(r"\b(?:everything|all|the rest)\b.*?\b(?:but|except|apart from|other than|save)\b(.*)", re.I)
TARGET_WORDS = lexicon.LAYER_WORDS
_PART_WORDS = lexicon.words_re([w for words in lexicon.PART_WORDS.values() for w in words])
# the whole mix's words that the request lexicon reads as moods ("quieter" is calm, "more space" dreamy)
_MIX_WORDS = lexicon.words_re(E["whole"]["louder"] + E["whole"]["quieter"] + E["space_words"])
_FADE = re.compile(r"\bfade[\s-]*(?:it\s+|this\s+|that\s+|the\s+(?:music|track|clip|loop|song)\s+)?(in|out)\b", re.I)
_SECONDS = re.compile(r"(\d+(?:[.,]\d+)?)[\s-]*(?:s|secs?|seconds?)\b", re.I)
EXAMPLES = (
    '"drums louder", "mute the pad", "solo the bass", "remove the drums", "texture a bit quieter", '
    '"make it louder", "more reverb", "punchier", "reset"'
)


@dataclass
class Edit:
    op: str  # mute | unmute | solo | louder | quieter | reset; the whole mix: loudness (db) | space | fade
    layers: list[str]  # empty with reset and the whole-mix edits
    db: float = 0.0
    factor: float = 1.0  # the sends' scale; a fade's seconds
    end: str = ""  # a fade's end: in | out | none

    def describe(self) -> str:
        if self.op == "fade":
            return "no fades" if self.end == "none" else f"fade {self.end} {self.factor:g} s"
        if self.op == "loudness":
            return f"master loudness {self.db:+.1f} dB"
        if self.op == "space":
            return f"reverb and delay sends x{self.factor:.2f}"
        who = ", ".join(self.layers) or "all stems"
        return f"{self.op} {who}" + (f" {self.db:+.1f} dB" if self.db else "")


FINISH = {"loudness_db": 0.0, "space": 1.0}  # the recipe's whole-mix settings before any edit
NO_STEM_OPS = ("reset", "loudness", "space", "fade")  # edits that need no stem of a named layer


def _has(words: list[str], text: str) -> int | None:
    pos = [m.start() for w in words for m in [re.search(r"(?<!\w)" + re.escape(str(w)) + r"(?!\w)", text)] if m]
    return min(pos) if pos else None


def parse(text: str) -> list[Edit]:
    """Stem edits in a sentence (possibly several: "drums louder and mute the pad")."""
    out: list[Edit] = []
    for clause in _SPLIT.split(" " + text.lower() + " "):
        if not clause or not clause.strip():
            continue
        if _has(E["ops"]["reset"], clause) is not None:
            out.append(Edit("reset", []))
            continue
        fades = _fades(clause)
        if fades:
            out += fades
            continue
        found = sorted(
            (p, op) for op, words in E["ops"].items() if op != "reset" for p in [_has(words, clause)] if p is not None
        )
        said = _DB.search(clause)
        amount = min(MAX_EDIT_DB, abs(float(said.group(1).replace(",", ".")))) if said else None
        if not found and said and said.group(1)[0] in "+-":  # "chords +3 dB"
            found = [(0, "louder" if said.group(1)[0] == "+" else "quieter")]
        layers = lexicon._find(TARGET_WORDS, clause)
        but = _ALL_BUT.search(clause)
        kept = lexicon._find(TARGET_WORDS, but.group(1)) if but else []
        whole = _whole_mix(clause, found, amount, bool(layers))
        if whole is not None:
            out.append(whole)
            continue
        if _has(E["everything"], clause) is not None:
            layers = list(lexicon.LAYER_WORDS)
        if not layers or not found:
            continue
        op = found[0][1]
        if kept and op == "mute":  # "remove everything but the drums": the drums alone
            out.append(Edit("solo", kept))
            continue
        if kept:  # "everything louder except the pads"
            layers = [la for la in layers if la not in kept]
        if amount is not None and op in ("louder", "quieter"):  # "pads down 6 dB": the amount said
            out.append(Edit(op, layers, amount if op == "louder" else -amount))
            continue
        out.append(Edit(op, layers, float(E["db"].get(op, 0.0)) * _scale(clause)))
    return out


def _fades(clause: str) -> list[Edit]:
    """ "fade it out", "a 4 second fade in", "fade out over 5 s", "no fade": the master's fades in a clause."""
    if _has(E["no_fade"], clause) is not None:
        return [Edit("fade", [], end="none")]
    said = _SECONDS.search(clause)
    return [
        Edit(
            "fade",
            [],
            factor=float(said.group(1).replace(",", ".")) if said else float(E["fade_seconds"][end]),
            end=end,
        )
        for end in dict.fromkeys(m.group(1).lower() for m in _FADE.finditer(clause))
    ]


def _scale(clause: str) -> float:
    return next((float(v) for k, v in E["scale"].items() if _has([k], clause) is not None), 1.0)


def _whole_mix(clause: str, found: list[tuple[int, str]], amount: float | None, named: bool) -> Edit | None:
    """The whole mix's edit in a clause, if it is one: the sends ("more reverb", "drier", "no echo"), the
    drums' punch ("punchier"), or the master's loudness ("make it louder", "everything 3 dB quieter")."""
    op = found[0][1] if found else None
    wet, dry = _has(E["wetter"], clause) is not None, _has(E["drier"], clause) is not None
    if wet or dry or _has(E["space_words"], clause) is not None:
        way = 1 if wet else -1 if dry else {"louder": 1, "quieter": -1, "mute": 0}.get(op or "")
        if way is None:
            return None
        return Edit("space", [], factor=float(E["space_step"]) ** (way * _scale(clause)) if way else 0.0)
    if _has(E["punch"], clause) is not None and not named:
        step = float(E["punch_db"]) * _scale(clause)
        return Edit("louder" if op != "quieter" else "quieter", ["rhythm"], step if op != "quieter" else -step)
    everything = _has(E["everything"], clause) is not None and not _ALL_BUT.search(clause)
    if named and not everything:
        return None
    turn = next((w for w in ("louder", "quieter") if _has(E["whole"][w], clause) is not None), None)
    if turn is None and everything and op in ("louder", "quieter"):
        turn = op
    if turn is None:
        return None
    db = amount if amount is not None else float(E["loudness_step_db"]) * _scale(clause)
    return Edit("loudness", [], db if turn == "louder" else -db)


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
        elif e.op == "fade" and e.end == "none":
            f.pop("fade_in_s", None)
            f.pop("fade_out_s", None)
        elif e.op == "fade":
            f[f"fade_{e.end}_s"] = round(min(60.0, max(0.0, e.factor)), 2)
    return f


def asks_cleanup(text: str) -> bool:
    """ "clean it up", "enhance it", "remaster it": what every clip had on its way out (see thread)."""
    if _has(E["cleanup"], text.lower()) is None:  # every chat turn asks: the word check first, the parse after
        return False
    _, found = lexicon.parse(text)
    return not set(found) & {"mood", "section", "style"}


def absent(text: str, stem_layers: set[str]) -> list[str]:
    """The layers a turn takes out or solos that the clip never had ("remove the drums", "solo the drums" on a
    clip with no drums): [] when the turn is anything else."""
    edits = parse(text)
    named = {la for e in edits for la in e.layers}
    if not edits or any(e.op not in ("mute", "solo") for e in edits) or not named or named & stem_layers:
        return []
    _, found = lexicon.parse(_MIX_WORDS.sub(" ", text))
    return [] if set(found) & {"mood", "section", "duration_s", "tempo_bpm", "key", "style"} else sorted(named)


def is_edit(text: str, stem_layers: set[str]) -> bool:
    """A turn is a stem edit when it names an edit of layers the clip has, and nothing to make anew
    (no mood, section, length, tempo, key or style)."""
    edits = parse(text)
    if not edits:
        return False
    if any(e.op == "fade" for e in edits):  # "a 4 second fade out" asks for no 4 s clip
        text = _SECONDS.sub(" ", _FADE.sub(" ", text))
    _, found = lexicon.parse(_MIX_WORDS.sub(" ", text))  # "quieter" is a calm mood word in a request
    if set(found) & {"mood", "section", "duration_s", "tempo_bpm", "key", "style", "variations", "sections"}:
        return False
    if (
        "exclude_parts" in found
        and not _ALL_BUT.search(text)
        and not lexicon._find(TARGET_WORDS, _PART_WORDS.sub(" ", text))
    ):
        return False  # "no bass": a part inside the harmony stem; muting the stem would take the chords too
    return all(e.op in NO_STEM_OPS or set(e.layers) & stem_layers for e in edits)


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
    return ", ".join(bits)


def describe_stems(stems: list[dict]) -> str:
    bits = []
    for s in stems:
        state = "muted" if s.get("mute") else ("solo" if s.get("solo") else f"{float(s.get('gain_db', 0)):+.1f} dB")
        bits.append(f"{s['name']} {state}")
    return "; ".join(bits)
