"""A key said in a request: "in D minor", "key of F", "key Dm", "g minor", "f sharp major", "..., Am" (a key
alone between commas, but not "A, B or C": options), "en la menor" (solfège). A lowercase "a" with no accidental or mode is the article
("in a dreamy style"), and a mode followed by "key" is a mode only ("in a minor key"). Part of the lexicon
(lexicon.parse calls `read`).
"""

from __future__ import annotations

import re
from typing import Any

from sonicgrid.agents.vocab import V, alt, words_re
from sonicgrid.brief import KEYS

_KEY = re.compile(  # "transpose it to D" names a key too
    r"\b(?:(?:in|en|key(?:\s+(?:of|to))?)\s+|key:\s*|(?:transpose|modulate)\w*\s+(?:it\s+|this\s+|that\s+)?(?:in)?to\s+)([A-G])\s*(#|b|sharp|flat|♯|♭)?\s*"
    r"(major|minor|maj|min|m|mayor|menor|majeur|mineur|dur|moll)?\b(?!\s+(?:key|tonality|scale|mode)\b)",
    re.I,
)
_KEY_BARE = re.compile(  # "G minor", "g minor", "f sharp major"; a lowercase "a" is the article ("a minor key")
    r"\b([A-G]|[b-g])\s*(#|b|♯|♭|sharp|flat)?\s*(major|minor|maj|min|mayor|menor|majeur|mineur|dur|moll)\b"
    r"(?!\s+(?:key|tonality|scale|mode)\b)"
)
_KEY_TOKEN = re.compile(r"(?:^|[,;/(|])\s*([A-G])(#|b|♯|♭)?(m|maj|min)?\s*(?=[,;/)|.!]|$)")  # "10s, 90 bpm, Am"
_LETTERS = re.compile(r"\b[A-G]\s*(?:,|/|\bor\b|\band\b)\s*[A-G]\b")  # "A, B or C": a list of options, no key
_SOLFEGE = {"do": "C", "re": "D", "ré": "D", "mi": "E", "fa": "F", "sol": "G", "la": "A", "si": "B"}
_KEY_SOLFEGE = re.compile(
    r"\b(?:en|in)\s+(do|re|ré|mi|fa|sol|la|si)\s*(sostenido|bemol|dièse|bémol|#|b)?\s*(mayor|menor|majeur|mineur)\b",
    re.I,
)
_MINOR = ("minor", "min", "m", "menor", "mineur", "moll")
_FLAT_TO_SHARP = {
    "Db": "C#",
    "D#": "Eb",
    "Gb": "F#",
    "G#": "Ab",
    "A#": "Bb",
    "Cb": "B",
    "E#": "F",
    "Fb": "E",
    "B#": "C",
}


def _said_key(m: re.Match[str]) -> bool:
    """A key, not the article: "in A", "in a minor", "in a flat" are keys; "in a dreamy style" and "in a minor
    key" (some minor key) are not (the regex leaves out a mode word followed by "key")."""
    return not (m.group(1) == "a" and not m.group(2) and not m.group(3))


def read(prompt: str, fields: dict[str, Any], found: dict[str, Any]) -> None:
    """Key and mode said: "in D minor", "key Dm", "g minor", "..., Am" (a key alone between commas), "en la menor"."""
    m = (
        next((k for k in _KEY.finditer(prompt) if _said_key(k)), None)
        or _KEY_BARE.search(prompt)
        or next(
            (k for k in _KEY_TOKEN.finditer(prompt) if k.group(2) or k.group(3) or not _LETTERS.search(prompt)), None
        )
    )
    root = None
    if m:
        root = m.group(1).upper()
    else:
        m = _KEY_SOLFEGE.search(prompt)
        if m:
            root = _SOLFEGE[m.group(1).lower()]
    if m is None or root is None:
        return
    acc, mode = (m.group(2) or "").lower(), m.group(3)
    if acc in ("#", "sharp", "♯", "sostenido", "dièse"):
        root += "#"
    elif acc in ("b", "flat", "♭", "bemol", "bémol"):
        root += "b"
    root = _FLAT_TO_SHARP.get(root, root)
    if root in KEYS:
        fields["key"], found["key"] = root, m.group(0)
    q = (mode or "").lower()
    if q:
        fields["mode"], found["mode"] = ("minor" if q in _MINOR else "major"), q


_T = V["transpose"]
_COUNT = r"(\d{1,2}|a|an|one)"
_IV = r"(" + alt(_T["intervals"]) + r")s?"
_UP_DOWN = r"(" + alt(_T["up"] + _T["down"]) + r")"
_MOVED = [
    re.compile(rf"\b{_UP_DOWN}\s+(?:it\s+|by\s+|it\s+by\s+)?{_COUNT}\s+{_IV}\b", re.I),  # "up a semitone"
    re.compile(rf"\b{_COUNT}\s+{_IV}\s+{_UP_DOWN}\b", re.I),  # "two semitones lower"
]
_KEY_UP, _KEY_DOWN = words_re(_T["key_up"]), words_re(_T["key_down"])
_KEY_OTHER = words_re(_T["key_other"])


def transposition(text: str) -> tuple[int, str] | None:
    """(semitones, the words) a turn moves the key by: "up a semitone" +1, "2 whole steps lower" -4, "a fifth
    down" -7; "in a higher key" or "transpose it down" with no interval a whole step, "a different key" a fourth up
    (music_words.yaml `transpose`).
    `text` has its numbers as digits (numbers.normalize_numbers)."""
    for pat in _MOVED:
        m = pat.search(text)
        if m:
            groups = [g.lower() for g in m.groups()]
            way = next(g for g in groups if g in _T["up"] + _T["down"])
            count = next(g for g in groups if g in ("a", "an", "one") or g.isdigit())
            iv = next(g for g in groups if g in _T["intervals"])
            n = (1 if not count.isdigit() else int(count)) * int(_T["intervals"][iv])
            if 0 < n < 12:
                return (n if way in _T["up"] else -n), m.group(0).strip()
    for pat, sign in ((_KEY_UP, 1), (_KEY_DOWN, -1)):
        m = pat.search(text)
        if m:
            return sign * int(_T["key_step"]), m.group(0).strip()
    m = _KEY_OTHER.search(text)  # "try a different key": a fourth up
    return (int(_T["key_other_step"]), m.group(0).strip()) if m else None


def moved_to(said: str) -> tuple[int, str] | None:
    """(0, the words) when a key was said as a transposition ("transpose it to D", "change the key to E"): the
    reference's music moved to that key; None for a key said any other way."""
    return (0, said.strip()) if re.match(r"\s*(?:transpose|modulate|key\s+to\b)", said, re.I) else None


def shifted(key: str, semitones: int) -> tuple[str, int]:
    """The key `semitones` away, and the octaves the move crosses (C down a semitone is the B below: -1)."""
    i = KEYS.index(key) + semitones
    return KEYS[i % 12], i // 12


def nearest_move(key: str, to: str) -> int:
    """The semitones from `key` to `to` the shorter way round (-5..+6): "transpose it to D" from A is +5."""
    n = (KEYS.index(to) - KEYS.index(key)) % 12
    return n - 12 if n > 6 else n
