"""Lexicon parser: free text -> Brief fields, with a record of what was explicitly said.

It is the rules brain's intake and the validator of the LLM's intake: fields found here are
facts from the text; the LLM may only fill fields the text leaves open.
"""

from __future__ import annotations

import re

from sonicgrid.brief import KEYS, MAX_SECONDS, MIN_SECONDS, SECTION_SECONDS

MOOD_WORDS = {
    "moody": [
        "moody",
        "dark",
        "darker",
        "sad",
        "melanchol",
        "gloomy",
        "somber",
        "sombre",
        "noir",
        "brooding",
        "haunting",
        "mournful",
        "triste",
        "sombre",
        "oscuro",
        "dunkel",
        "traurig",
    ],
    "calm": [
        "calm",
        "chill",
        "relax",
        "peaceful",
        "ambient",
        "serene",
        "soft",
        "gentle",
        "lofi",
        "lo-fi",
        "mellow",
        "tranquil",
        "ruhig",
        "tranquilo",
        "calme",
    ],
    "happy": [
        "happy",
        "joy",
        "cheer",
        "upbeat",
        "sunny",
        "bright",
        "playful",
        "fun",
        "feliz",
        "fröhlich",
        "heureux",
        "alegre",
    ],
    "energetic": [
        "energetic",
        "energy",
        "driving",
        "intense",
        "hype",
        "pumping",
        "powerful",
        "aggressive",
        "fast",
        "danc",
        "party",
        "gym",
        "workout",
        "sport",
        "énergique",
        "energico",
    ],
    "tender": [
        "tender",
        "romantic",
        "love",
        "warm",
        "intimate",
        "sweet",
        "nostalg",
        "wedding",
        "first dance",
        "lullaby",
    ],
    "tense": ["tense", "suspense", "thriller", "scary", "horror", "ominous", "anxious", "eerie", "creepy", "tension"],
    "epic": ["epic", "cinematic", "heroic", "trailer", "grand", "majestic", "orchestral", "triumph"],
    "dreamy": ["dreamy", "dream", "ethereal", "floating", "spacey", "space", "hazy", "shimmer"],
}
SECTION_WORDS = {
    "intro": ["intro", "opening", "opener", "start", "introduction"],
    "outro": ["outro", "ending", "closing", "finale", "end credits", "credits roll", "credits"],
    "build": ["build", "buildup", "build-up", "riser", "rise", "crescendo"],
    "loop": ["loop", "bed", "background", "beat", "groove"],
    "full": ["song", "track", "full", "piece"],
}
LAYER_WORDS = {
    "rhythm": ["drum", "drums", "beat", "percussion", "rhythm", "kick", "hi-hat", "hats", "groove"],
    "harmony": ["chord", "chords", "bass", "piano", "harmony", "keys", "guitar", "melody"],
    "atmosphere": ["pad", "pads", "drone", "atmosphere", "ambience", "texture pad", "strings"],
    "texture": ["texture", "grit", "vinyl", "noise", "crackle", "foley", "granular"],
    "voice": ["voice", "spoken", "narrat", "vocal", "speech", "say ", "says"],
}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "a": 1,
    "an": 1,
    "half a": 0.5,
    "a half": 0.5,
}
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True)) + r")"
_DUR = re.compile(r"\b" + _NUM + r"[\s-]*(seconds?|secs?|s|minutes?|mins?|m)\b", re.I)
_BPM = re.compile(r"(\d{2,3})\s*(?:bpm|beats per minute)", re.I)
_KEY = re.compile(r"\bin\s+([A-G])\s*(#|b|sharp|flat)?\s*(major|minor|maj|min|m)?\b", re.I)
_NEG = re.compile(r"\b(?:no|without|minus|sans|sin|ohne|drop the|remove the|lose the)\s+(?:the\s+)?([a-z-]+)", re.I)
_REF = re.compile(
    r"\b(the last one|last one|the one from before|from before|previous|that one|the same one|"
    r"earlier one|it)\b",
    re.I,
)
_EXTEND = re.compile(r"\b(extend|continue|longer version|keep going|carry on)\b", re.I)
_VARY = re.compile(r"\b(darker|brighter|variation|again but|same but|but brighter|but darker|more|less)\b", re.I)
_CLIP_ID = re.compile(r"\bclip[_ -]?([0-9a-f]{6,})\b", re.I)

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


def _num(token: str) -> float:
    token = token.lower()
    return float(NUMBER_WORDS[token]) if token in NUMBER_WORDS else float(token)


def _find(words: dict[str, list[str]], text: str) -> list[str]:
    hits: list[tuple[int, str]] = []
    for label, stems in words.items():
        for stem in stems:
            m = re.search(r"(?<![a-z])" + re.escape(stem), text)
            if m:
                hits.append((m.start(), label))
                break
    return [label for _, label in sorted(hits)]


def parse(prompt: str) -> tuple[dict, dict]:
    """Return (fields, found): fields for a Brief, found maps field -> the text that set it."""
    text = " " + prompt.lower().strip() + " "
    fields: dict = {"prompt": prompt.strip()}
    found: dict[str, str] = {}

    negated: list[str] = []
    for m in _NEG.finditer(text):
        for layer, stems in LAYER_WORDS.items():
            if any(m.group(1).startswith(s.strip()) for s in stems):
                negated.append(layer)
                found.setdefault("exclude", m.group(0))
    text_wo_neg = _NEG.sub(" ", text)

    moods = _find(MOOD_WORDS, text_wo_neg)
    if moods:
        fields["mood"] = moods[0]
        found["mood"] = moods[0]
    sections = _find(SECTION_WORDS, text_wo_neg)
    if sections:
        fields["section"] = sections[0]
        found["section"] = sections[0]
    layers = [la for la in _find(LAYER_WORDS, text_wo_neg) if la not in negated]
    if layers:
        tonal = {"harmony", "atmosphere"}
        if not tonal & set(layers) and not re.search(r"\b(only|just|solo)\b", text_wo_neg) and "harmony" not in negated:
            layers = ["harmony"] + layers  # "with drums" means drums added to music, not drums alone
        fields["layers"] = layers
        found["layers"] = ",".join(layers)
    if negated:
        fields["exclude"] = sorted(set(negated))

    durations = []
    for m in _DUR.finditer(text):
        if m.group(1).isalpha() and m.group(0)[len(m.group(1)) :][:1] not in (" ", "-"):
            continue  # "as" is not "a s": a number word needs a space before its unit
        value = _num(m.group(1)) * (60 if m.group(2).lower().startswith("m") else 1)
        durations.append((value, m.group(0).strip()))
    if durations:
        # Several lengths ("spend 9999 seconds ... 3 seconds"): the last sane one is the request.
        sane = [d for d in durations if MIN_SECONDS <= d[0] <= MAX_SECONDS]
        fields["duration_s"], found["duration_s"] = (sane or durations)[-1 if sane else 0]
    m = _BPM.search(text)
    if m:
        fields["tempo_bpm"] = float(m.group(1))
        found["tempo_bpm"] = m.group(0)
    elif re.search(r"\b(slow|slower)\b", text):
        fields["tempo_bpm"], found["tempo_bpm"] = 70.0, "slow"
    elif re.search(r"\b(fast|faster|uptempo|up-tempo)\b", text):
        fields["tempo_bpm"], found["tempo_bpm"] = 140.0, "fast"
    m = _KEY.search(prompt)
    if m:
        root = m.group(1).upper()
        acc = (m.group(2) or "").lower()
        if acc in ("#", "sharp"):
            root += "#"
        elif acc in ("b", "flat"):
            root += "b"
        root = _FLAT_TO_SHARP.get(root, root)
        if root in KEYS:
            fields["key"] = root
            found["key"] = m.group(0)
        q = (m.group(3) or "").lower()
        if q:
            fields["mode"] = "minor" if q in ("minor", "min", "m") else "major"
            found["mode"] = q
    if "mode" not in fields:
        if re.search(r"\bminor\b", text):
            fields["mode"], found["mode"] = "minor", "minor"
        elif re.search(r"\bmajor\b", text):
            fields["mode"], found["mode"] = "major", "major"

    m = _CLIP_ID.search(text)
    if m:
        fields["reference"], found["reference"] = m.group(1), m.group(0)
    elif _REF.search(text):
        fields["reference"], found["reference"] = "last", _REF.search(text).group(0)
    if _EXTEND.search(text):
        fields["action"], found["action"] = "extend", "extend"
        fields.setdefault("reference", "last")
    elif "reference" in fields and _VARY.search(text):
        fields["action"], found["action"] = "vary", _VARY.search(text).group(0)
    if re.search(r"\b(darker|dark)\b", text):
        fields["brightness"] = -0.6
    elif re.search(r"\b(brighter|bright)\b", text):
        fields["brightness"] = 0.6
    return fields, found


def default_duration(section: str) -> float:
    return SECTION_SECONDS.get(section, SECTION_SECONDS["loop"])[0]
