"""Numbers as people say them -> digits, before the lexicon reads lengths and tempi: number words in several
languages ("ninety", "veinte y cinco", "quatre-vingt-dix"), phrases ("half a minute"), halves ("2 and a half
minutes"), ranges (their middle) and "field: value" forms; spans that only look like numbers ("808s") blanked."""

from __future__ import annotations

import re

from sonicgrid.agents.vocab import LENGTH_U, UNITS, V, alt

_NUMWORD = re.compile(r"(?<!\w)(" + alt(V["numbers"]["words"]) + r")(?!\w)", re.I)
JOINERS = alt(V["numbers"]["joiners"])  # "y", "and", "und": the words that join a run of number words
_JOIN = re.compile(r"^(?:\s+|\s*-\s*|\s+(?:" + JOINERS + r")\s+)$", re.I)
_PHRASES = sorted(V["numbers"]["phrases"].items(), key=lambda kv: -len(kv[0]))
_HALF = alt(V["numbers"]["halves"])
MIN_U, SEC_U = UNITS["minutes"], UNITS["seconds"]
_HALF_BEFORE = re.compile(rf"(\d+)\s+(?:{_HALF})\s+(?=(?:{MIN_U}|{SEC_U})(?!\w))", re.I)
_HALF_AFTER = re.compile(rf"(\d+)\s*({MIN_U}|{SEC_U})\s+(?:{_HALF})(?!\w)", re.I)
_RANGE = re.compile(  # "10-15 seconds", "20 to 30 s", "between 20 and 30 seconds", "120-130 bpm": the middle
    rf"(?:\bbetween\s+(\d+(?:\.\d+)?)\s+and\s+|(?<![\d.:])(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*)(\d+(?:\.\d+)?)\s*"
    rf"(?=(?:{LENGTH_U}|{UNITS['bpm']})(?!\w))",
    re.I,
)
_FIELD = re.compile(  # "bars: 8", "bpm=100", "length: 20", "duration=1.5 min", "tempo: 90"
    rf"\b(bars|measures|bpm|tempo|length|duration)\s*[:=]\s*(\d+(?:\.\d+)?)\s*((?:{LENGTH_U})(?!\w))?", re.I
)
_FIELD_UNIT = {"bars": "bars", "measures": "bars", "bpm": "bpm", "tempo": "bpm"}
_NOT_NUMBERS = [re.compile(p, re.I) for p in V["not_numbers"]]


def normalize_numbers(text: str) -> str:
    """Number words and phrases -> digits ("half a minute" -> "30 seconds", "ninety" -> "90",
    "veinte y cinco" -> "25", "quatre-vingt-dix" -> "90"); spans that only look like numbers
    ("808s") are blanked."""
    for pat in _NOT_NUMBERS:
        text = pat.sub(lambda m: " " * len(m.group(0)), text)
    for phrase, repl in _PHRASES:
        text = re.sub(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", str(repl), text, flags=re.I)
    matches = list(_NUMWORD.finditer(text))
    if not matches:
        return _forms(_halves(text))
    words = {k.lower(): v for k, v in V["numbers"]["words"].items()}
    runs: list[list[re.Match[str]]] = []
    for m in matches:
        if runs and _JOIN.match(text[runs[-1][-1].end() : m.start()]):
            runs[-1].append(m)
        else:
            runs.append([m])
    out, pos = [], 0
    for run in runs:
        total = 0
        for m in run:
            v = words[m.group(1).lower()]
            total = max(total, 1) * 100 if v == 100 else total + v
        out += [text[pos : run[0].start()], str(total)]
        pos = run[-1].end()
    return _forms(_halves("".join(out + [text[pos:]])))


def _forms(text: str) -> str:
    """Lengths and tempi written as a range (the middle of it) or as "field: value" -> "N unit"."""
    text = _RANGE.sub(lambda m: f"{(float(m.group(1) or m.group(2)) + float(m.group(3))) / 2:g} ", text)
    return _FIELD.sub(lambda m: f"{m.group(2)} {m.group(3) or _FIELD_UNIT.get(m.group(1).lower(), 'seconds')}", text)


def _halves(text: str) -> str:
    """A half said in words joins its number: "2 and a half minutes", "2 minutes and a half" -> 2.5."""
    text = _HALF_BEFORE.sub(lambda m: m.group(1) + ".5 ", text)
    return _HALF_AFTER.sub(lambda m: f"{m.group(1)}.5 {m.group(2)}", text)
