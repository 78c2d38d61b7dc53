"""The words of a re-mix: which stem edits a turn asks for ("drums louder", "mute the pad", "a 2 second fade in",
"more reverb"), read from prompts/edits.yaml, and whether a turn is such an edit or a request for a new clip.
session/remix.py applies them to a made clip's stems."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sonicgrid.agents import lexicon

E = lexicon.V["edits"]
_SPLIT = re.compile(r"[,;]|\.(?!\d)|\b(?:and|then|also|y|et|und|puis|luego)\b", re.I)
_DB = re.compile(r"(?<![\w.])([+-]?\d+(?:[.,]\d+)?)\s*db\b", re.I)  # "3 dB", "+2.5dB", "-6 db"
MAX_EDIT_DB = 24.0
_ALL_BUT = re.compile(r"\b(?:everything|all|the rest)\b.*?\b(?:but|except|apart from|other than|save)\b(.*)", re.I)
TARGET_WORDS = lexicon.LAYER_WORDS
_PART_WORDS = lexicon.words_re([w for words in lexicon.PART_WORDS.values() for w in words])
# the whole mix's words that the request lexicon reads as moods ("quieter" is calm, "more space" dreamy)
_MIX_WORDS = lexicon.words_re(E["whole"]["louder"] + E["whole"]["quieter"] + E["space_words"])
_FADE_AT = re.compile(r"\b(?:the|its|at the)\s+(?:ending|end|beginning|start|outro|intro)\b", re.I)  # where
_FADE = re.compile(r"\bfade[\s-]*(?:it\s+|this\s+|that\s+|the\s+(?:music|track|clip|loop|song)\s+)?(in|out)\b", re.I)
_SECONDS = re.compile(r"(\d+(?:[.,]\d+)?)[\s-]*(?:s|secs?|seconds?)\b", re.I)
EXAMPLES = (
    '"drums louder", "mute the pad", "solo the bass", "remove the drums", "texture a bit quieter", '
    '"make it louder", "more reverb", "punchier", "reset"'
)


_TIMES = {"twice": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8}
_REPEAT = re.compile(  # "loop it 4 times", "repeat it twice", "play it 3x"
    r"\b(?:repeat|loop|play)\s+(?:it\s+|this\s+|that\s+|the\s+(?:loop|clip)\s+)?"
    r"(\d{1,2}\s*(?:times|x)|twice|(?:two|three|four|five|six|eight)\s+times)(?!\w)",
    re.I,
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
        if self.op == "repeat":
            return f"played {self.factor:g} times"
        who = ", ".join(self.layers) or "all stems"
        return f"{self.op} {who}" + (f" {self.db:+.1f} dB" if self.db else "")


FINISH = {"loudness_db": 0.0, "space": 1.0}  # the recipe's whole-mix settings before any edit
NO_STEM_OPS = ("reset", "loudness", "space", "fade", "repeat")  # edits that need no stem of a named layer


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
        times = _REPEAT.search(clause)
        if times:  # "loop it 4 times", "repeat it twice": the master played on, end to start
            said = times.group(1).lower().split()[0].rstrip("x")
            out.append(Edit("repeat", [], factor=float(_TIMES.get(said) or said)))
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
    if any(e.op == "fade" for e in edits):  # "a 4 second fade out" asks for no 4 s clip, "the ending" no outro
        text = _FADE_AT.sub(" ", _SECONDS.sub(" ", _FADE.sub(" ", text)))
    text = _REPEAT.sub(" ", text)  # "loop it 4 times" asks for no new loop
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
