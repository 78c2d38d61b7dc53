"""Lexicon parser: free text -> Brief fields, with a record of what was explicitly said.

It is the rules brain's intake and the validator of the LLM's intake: fields found here are
facts from the text; the LLM may only fill fields the text leaves open. The vocabulary (moods,
styles, sections, layers, numbers and units in several languages) is data: prompts/lexicon.yaml, read by
vocab.py; numbers said in words become digits first (numbers.py).
"""

from __future__ import annotations

import re
from typing import Any

from sonicgrid.agents import key_said, meter_said, tempo_said
from sonicgrid.agents.numbers import JOINERS, MIN_U, SEC_U, normalize_numbers
from sonicgrid.agents.vocab import LENGTH_U, UNITS
from sonicgrid.agents.vocab import V as V
from sonicgrid.agents.vocab import alt as _alt
from sonicgrid.agents.vocab import vocabulary as vocabulary
from sonicgrid.agents.vocab import words_re as words_re
from sonicgrid.brief import MAX_SECONDS, MIN_SECONDS, SECTION_SECONDS

MOOD_WORDS: dict[str, list[str]] = V["moods"]
_OCCASIONS: list[str] = sorted(V["mood_occasions"])  # "wedding", "fight": the mood only when no mood word is said
_SAID_MOODS = {m: [w for w in ws if w not in _OCCASIONS] for m, ws in MOOD_WORDS.items()}
_OCCASION_MOODS = {m: [w for w in ws if w in _OCCASIONS] for m, ws in MOOD_WORDS.items()}
SECTION_WORDS: dict[str, list[str]] = {s: v["strong"] + v["weak"] for s, v in V["sections"].items()}
LAYER_WORDS: dict[str, list[str]] = V["layers"]
PART_WORDS: dict[str, list[str]] = V["parts"]
_DRUM_NEXT = re.compile(r"\s*drum", re.I)
STYLES: dict[str, dict[str, Any]] = V["styles"]
INSTRUMENTS: dict[str, dict[str, Any]] = V["instruments"]
_INSTRUMENT_OF = {str(w).lower(): name for name, v in INSTRUMENTS.items() for w in v["words"]}


def _plural(word: str) -> str:
    return word + ("es" if word.endswith(("x", "ch", "sh")) else "s")


_INSTRUMENT_OF = {  # English plurals: "two trumpets", "acoustic guitars" (a word said as a plural already stays)
    _plural(w): name for w, name in _INSTRUMENT_OF.items() if w.isascii() and not w.endswith("s")
} | _INSTRUMENT_OF
_ALONE = re.compile(  # an instrument with nothing else: "just piano", "piano only", "solo piano" (not "violin solo")
    r"(?<!\w)(?:just|only|alone|on its own|by itself|nothing but|solamente|seulement|nur)(?!\w)"
    r"|(?<!\w)solo\s+(?=" + _alt(_INSTRUMENT_OF) + r")",
    re.I,
)
_VALUED = {name: words_re(V[name]) for name in ("busy_words", "swing_words")}  # longest first: "less busy" first
_CHURCH = words_re(V["church_modes"])
_INSTRUMENT_RE = words_re(_INSTRUMENT_OF)  # longest first: "electric guitar" before "guitar"
MAX_VARIATIONS = 8


def _matched(pattern: re.Pattern[str], text: str) -> str:
    """The text of a pattern already known to match."""
    m = pattern.search(text)
    return m.group(0) if m else ""


_NEG = re.compile(  # "drop the tempo" is a tempo change, not a tempo turned down
    r"(?<!\w)(?:" + _alt(V["negations"]) + r")\s+(?:the\s+|any\s+|anything\s+|too\s+)?(?!(?:tempo|pace|speed)\b)"
    r"([\wáéíóúüöäßç-]+)",
    re.I,
)
_NEG_SUFFIX = re.compile(r"\b(\w+?)(?:" + _alt(V["negation_suffixes"]) + r")\b", re.I)
_NUM = r"(\d+(?:[.,]\d+)?)"
_MIN_SEC = re.compile(  # "2 min 30 s", "1m30s", "1 minute and 20 seconds", "1 min 30" (said last), "1:30"
    rf"(?<![\d.,:])(\d{{1,2}})\s*(?:(?:{MIN_U})\s*(?:(?:{JOINERS})\s+)?(\d{{1,2}})\s*(?:{SEC_U}|(?=\s*(?:[,.;)!]|$)))"
    rf"|:([0-5]\d)(?!\s*[ap]\.?m\b))(?![\w:])",
    re.I,
)
_HOURS = re.compile(r"^(?:" + UNITS["hours"] + r")$")
_EACH = words_re(V["each_words"])
_DUR = re.compile(_NUM + rf"[\s-]*({LENGTH_U})(?!\w)")
_SECONDS = re.compile(r"^(?:" + UNITS["seconds"] + r")$")
_BARS = re.compile(r"^(?:" + UNITS["bars"] + r")$")
_BPM = re.compile(
    r"(\d{2,3}(?:\.\d+)?)[\s-]*(?:" + UNITS["bpm"] + r")(?!\w)|\btempo\s*(?:of\s+|de\s+|:\s*)?(\d{2,3})\b"
)
_BPM_AT = re.compile(rf"(?:\bat|@)\s*(\d{{2,3}})(?![.,:]?\d)(?!\s*(?:%|{LENGTH_U})(?!\w))(?!\w)", re.I)
BPM_AT_RANGE = (40.0, 240.0)
_VARIATIONS = re.compile(
    r"(\d{1,2})\s+(?:\w+\s+)?(?:" + UNITS["variations"] + r")(?!\w)"
    r"|(\d{1,2})\s+(?:(?!(?:of|de|des|" + LENGTH_U + r")\b)[\w-]+\s+){0,2}(?:" + UNITS["clips_counted"] + r")(?!\w)"
)
_VARIATIONS_BARE = re.compile(r"\b(?:some|several|a few|varias|plusieurs|mehrere)\s+(?:" + UNITS["variations"] + r")\b")
_CLIP_ID = re.compile(r"\bclip[_ -]?([0-9a-f]{6,})\b", re.I)
_REFS = [re.compile(p, re.I) for p in V["references"]]
EXTEND = words_re(V["length_changes"]["extend"], tail=r"\w*")
LONGER, SHORTER, TWICE, HALF = (words_re(V["length_changes"][k]) for k in ("longer", "shorter", "twice", "half"))
ADDED = re.compile(V["length_changes"]["added"], re.I)  # "add 5 seconds": longer by that much
TAKEN = re.compile(V["length_changes"]["taken"], re.I)  # "2 seconds shorter": shorter by that much
_PERCENT = re.compile(r"(\d{1,2})\s*%\s*(faster|quicker|slower)\b", re.I)
_VARY = re.compile(
    r"\b(darker|brighter|variation|again but|same but|but brighter|but darker|more|less|slower|faster)\b", re.I
)
_ONLY = words_re(V["only_words"])
_NOT_STYLE = words_re(V["not_style_words"])
_UNIT_WORDS = words_re(V["units_not_words"])


def _stem_re(stem: str) -> str:
    return r"(?<![\w])" + re.escape(stem.rstrip()) + (r"(?!\w)" if stem.endswith(" ") else "")


def _find(words: dict[str, list[str]], text: str, whole: bool = False) -> list[str]:
    """Labels whose words occur in text (as word starts, or whole words), in order of first occurrence."""
    hits: list[tuple[int, str]] = []
    for label, stems in words.items():
        pos = [m.start() for s in stems for m in [re.search(_stem_re(s + (" " if whole else "")), text)] if m]
        if pos:
            hits.append((min(pos), label))
    return [label for _, label in sorted(hits)]


def _find_all(words: list[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for s in words for m in re.finditer(_stem_re(s) + r"\w*", text)]


def _num(token: str) -> float:
    return float(token.replace(",", "."))


def _strip(text: str, spans: list[tuple[int, int]]) -> str:
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + " " * (b - a) + text[b:]
    return text


def _durations(ntext: str, fields: dict[str, Any], found: dict[str, Any]) -> tuple[list[tuple[int, int]], list[float]]:
    """Spans of the lengths said, and the lengths (seconds, or ("bars", n)) in the order said; the request's
    length is the last sane one (several sections, each with its own length, add up: parse)."""
    spans: list[tuple[int, int]] = []
    bars: list[tuple[int, int]] = []
    durations: list[tuple[int, float, str]] = []  # (where it was said, seconds, the words)
    for m in _MIN_SEC.finditer(ntext):
        durations.append((m.start(), 60.0 * int(m.group(1)) + int(m.group(2) or m.group(3)), m.group(0).strip()))
        spans.append(m.span())
    for m in _DUR.finditer(_strip(ntext, spans)):
        unit = m.group(2).lower()
        value = _num(m.group(1))
        spans.append(m.span())
        if _BARS.match(unit):
            fields["bars"], found["bars"] = int(value), m.group(0).strip()
            bars.append((m.start(), int(value)))
            continue
        value *= 1 if _SECONDS.match(unit) else 3600 if _HOURS.match(unit) else 60
        durations.append((m.start(), value, m.group(0).strip()))
    durations.sort()  # in the order they were said
    if durations:  # several lengths ("spend 9999 seconds ... 3 seconds"): the last sane one is the request
        sane = [d for d in durations if MIN_SECONDS <= d[1] <= MAX_SECONDS]
        _, fields["duration_s"], found["duration_s"] = (sane or durations)[-1 if sane else 0]
    said = (
        [d[1] for d in durations if MIN_SECONDS <= d[1] <= MAX_SECONDS]
        if not bars
        else [float(b) for _, b in sorted(bars)]
    )
    return spans, said


def _sections_length(fields: dict[str, Any], found: dict[str, Any], lengths: list[float], each: bool) -> None:
    """Several sections: a length said for each adds up ("a 5 s intro, a 10 s outro"), and one length said
    "each" counts for every section ("an intro and an outro, 4 s each"); one length otherwise is the whole."""
    n = len(fields.get("sections", []))
    if n < 2:
        return
    if len(lengths) == n:
        total, how = sum(lengths), "the sections' lengths added"
    elif len(lengths) == 1 and each:
        total, how = lengths[0] * n, f"each of {n} sections"
    else:
        return
    key = "bars" if "bars" in fields else "duration_s"
    fields[key] = int(total) if key == "bars" else min(MAX_SECONDS, float(total))
    found[key] += f" ({how})"


def _tempo(ntext: str, text: str, fields: dict[str, Any], found: dict[str, Any]) -> list[tuple[int, int]]:
    step = tempo_said.read(ntext, fields, found)  # "10 bpm faster": a step, not a tempo of 10
    if step:
        return step
    m = _BPM.search(ntext)
    if m:
        tempo_said.absolute(_num(m.group(1) or m.group(2)), m.group(0).strip(), fields, found)
        return [m.span()]
    m = _BPM_AT.search(ntext)
    if m and BPM_AT_RANGE[0] <= _num(m.group(1)) <= BPM_AT_RANGE[1]:
        fields["tempo_bpm"], found["tempo_bpm"] = _num(m.group(1)), m.group(0).strip()
        return [m.span()]
    m = _PERCENT.search(text)
    if m:  # "20% faster"
        pct = int(m.group(1)) / 100
        fields["tempo_change"] = round(1 - pct if m.group(2).lower() == "slower" else 1 + pct, 3)
        found["tempo_bpm"] = m.group(0)
        return []
    for phrase, factor in sorted(V["tempo_words"].items(), key=lambda kv: -len(kv[0])):
        if re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text):
            fields["tempo_change"], found["tempo_bpm"] = float(factor), phrase
            return []
    for word, bpm in V["tempo_absolute"].items():
        if re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text):
            fields["tempo_bpm"], found["tempo_bpm"] = float(bpm), word
            return []
    return []


def _reference(text: str, fields: dict[str, Any], found: dict[str, Any]) -> list[tuple[int, int]]:
    m = _CLIP_ID.search(text)
    if m:
        fields["reference"], found["reference"] = m.group(1), m.group(0)
        return [m.span()]
    for pat in _REFS:
        m = pat.search(text)
        if m:
            fields["reference"], found["reference"] = "last", m.group(0)
            word = (m.group(1) or "").lower()
            for section, v in V["sections"].items():
                if any(word.startswith(w) for w in v["strong"]):
                    fields["reference_section"] = section
            return [m.span()]
    return []


def _sections(text: str, fields: dict[str, Any], found: dict[str, Any]) -> None:
    strong = sorted(
        (a, s) for s, v in V["sections"].items() for a, _ in _find_all([w for w in v["strong"] if " " not in w], text)
    ) + sorted(
        (a, s) for s, v in V["sections"].items() for a, _ in _find_all([w for w in v["strong"] if " " in w], text)
    )
    order = [s for _, s in sorted(strong)]
    order = list(dict.fromkeys(order))
    if not order:
        weak = _find({s: v["weak"] for s, v in V["sections"].items()}, text)
        order = weak[:1]
    if order:
        fields["section"], found["section"] = order[0], order[0]
        if len(order) > 1:
            fields["sections"], found["sections"] = order, ",".join(order)


def parse(prompt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (fields, found): fields for a Brief, found maps field -> the text that set it."""
    text = " " + prompt.lower().strip() + " "
    fields: dict[str, Any] = {"prompt": prompt.strip()}
    found: dict[str, str] = {}
    ref_spans = _reference(text, fields, found)
    ntext = normalize_numbers(_strip(text, ref_spans))
    plain = _NEG.sub(" ", text)  # what is asked for: "not too fast" asks for no tempo, "nothing dark" no tone
    num_spans, lengths = _durations(ntext, fields, found)
    num_spans += _tempo(ntext, plain, fields, found)
    m = _VARIATIONS.search(ntext)
    if m:
        count = int(m.group(1) or m.group(2))
        fields["variations"], found["variations"] = max(1, min(MAX_VARIATIONS, count)), m.group(0)
        num_spans.append(m.span() if m.group(1) else m.span(2))  # "two dreamy intros": a dreamy intro, twice
    elif _VARIATIONS_BARE.search(text):
        fields["variations"], found["variations"] = 3, _matched(_VARIATIONS_BARE, text)
    # words are matched without numbers, units ("beats per minute" asks for no drums) and references
    words = _UNIT_WORDS.sub(lambda x: " " * len(x.group(0)), _strip(ntext, num_spans))

    negated: list[str] = []
    parts: list[str] = []
    for m in list(_NEG.finditer(words)) + list(_NEG_SUFFIX.finditer(words)):
        part = next((p for p, stems in PART_WORDS.items() if any(m.group(1).startswith(s) for s in stems)), None)
        if part and _DRUM_NEXT.match(words, m.end()):  # "no bass drum": the kick, the rhythm layer's
            negated.append("rhythm")
            found.setdefault("exclude", m.group(0).strip())
            continue
        if part:  # "no bass": the bass part goes, the harmony layer stays
            parts.append(part)
            found.setdefault("exclude_parts", m.group(0).strip())
            continue
        for layer, stems in LAYER_WORDS.items():
            if any(m.group(1).startswith(s.strip()) for s in stems):
                negated.append(layer)
                found.setdefault("exclude", m.group(0).strip())
    words_wo_neg = _NEG.sub(" ", _NEG_SUFFIX.sub(" ", words))
    unwanted = _find(MOOD_WORDS, " ".join(m.group(1) for m in _NEG.finditer(words)))
    if unwanted:  # "not sad": no reading of the text may choose that mood (intake.merge_llm_fields)
        found["not_mood"] = ",".join(unwanted)

    occasions = _strip(words_wo_neg, _find_all(_OCCASIONS, words_wo_neg))  # "first dance" is no "danc"
    moods = _find(_SAID_MOODS, occasions) or _find(_OCCASION_MOODS, words_wo_neg)  # "a fight scene, tense"
    styles = _find({k: v["words"] for k, v in STYLES.items()}, _NOT_STYLE.sub(" ", plain), whole=True)
    if styles:
        fields["style"], found["style"] = styles[0], styles[0]
    if moods:
        fields["mood"], found["mood"] = moods[0], moods[0]
    elif styles:
        fields["mood"], found["mood"] = STYLES[styles[0]]["mood"], styles[0]
    _sections(words_wo_neg, fields, found)
    _sections_length(fields, found, lengths, bool(_EACH.search(plain)))
    layers = [la for la in _find(LAYER_WORDS, words_wo_neg) if la not in negated]
    if layers:
        tonal = {"harmony", "atmosphere"}
        only = bool(_ONLY.search(words_wo_neg))
        if not tonal & set(layers) and not only and "harmony" not in negated:
            layers = ["harmony"] + layers  # "with drums" means drums added to music, not drums alone
        fields["layers"], found["layers"] = layers, ",".join(layers)
        if only:
            fields["layers_only"] = True
    said_instruments = list(
        dict.fromkeys(_INSTRUMENT_OF[m.group(0).lower()] for m in _INSTRUMENT_RE.finditer(words_wo_neg))
    )
    if said_instruments:  # "a sad violin solo": the part that plays it (instrument_roles)
        fields["instruments"], found["instruments"] = said_instruments, ",".join(said_instruments)
        if _ALONE.search(words_wo_neg):  # "just piano", "only a violin", "solo piano": that and nothing else
            fields["alone"] = True  # (a "violin solo" is featured, not alone)
            keep = [la for la in fields.get("layers") or [] if la in ("rhythm", "voice")]
            fields["layers"], fields["layers_only"] = ["harmony", *keep], True  # the composer plays instruments
            found["layers"] = ",".join(fields["layers"])
    if negated:
        fields["exclude"] = sorted(set(negated))
    if parts:
        fields["exclude_parts"] = sorted(set(parts))
    key_said.read(prompt, fields, found)
    meter_said.read(text, fields, found)
    held = fields.get("layers") and not {"harmony", "rhythm"} & set(fields["layers"]) and not fields.get("layers_only")
    if fields.get("meter") and held and "harmony" not in negated:  # "a waltz with strings": the bar played too
        fields["layers"] = ["harmony", *fields["layers"]]
        found["layers"] = ",".join(fields["layers"])
    moved = key_said.transposition(ntext) if "key" not in fields else key_said.moved_to(found["key"])
    if moved:  # "up a semitone", "transpose it to D": the last clip's music again, in the key that far away
        fields["transpose"], found["transpose"] = moved
        fields.setdefault("reference", "last")
    if "mode" not in fields:
        if re.search(r"\b(minor|menor|mineur|moll)\b", text):
            fields["mode"], found["mode"] = "minor", "minor"
        elif re.search(r"\b(major|mayor|majeur)\b", text):
            fields["mode"], found["mode"] = "major", "major"
        elif church := _CHURCH.search(text):  # "in D dorian": the composer's nearest mode, minor or major
            fields["mode"], found["mode"] = V["church_modes"][church.group(0).lower()], church.group(0)
    same = [k for k, phrases in V["same"].items() if any(p in text for p in phrases)]
    if same:
        fields["same"], found["same"] = same, ",".join(same)
        fields.setdefault("reference", "last")
    longer = "reference" in fields and LONGER.search(text) and not _VARY.search(text)  # "make it longer"
    if EXTEND.search(text) or longer:
        fields["action"], found["action"] = "extend", "extend"
        fields.setdefault("reference", "last")
    elif "reference" in fields and _VARY.search(text):
        fields["action"], found["action"] = "vary", _matched(_VARY, text)
    elif moved:
        fields["action"], found["action"] = "vary", found["transpose"]
    _valued("swing", text, fields, found)  # "with swing", "a shuffle groove", "straight eighths"
    _valued("busy", text, fields, found)  # "simpler", "less busy", "busier": how much the parts play
    if re.search(r"\b(darker|dark)\b", plain):
        fields["brightness"] = -0.6
    elif re.search(r"\b(brighter|bright)\b", plain):
        fields["brightness"] = 0.6
    elif styles and "brightness" in STYLES[styles[0]]:
        fields["brightness"] = float(STYLES[styles[0]]["brightness"])
    return fields, found


def _valued(field: str, text: str, fields: dict[str, Any], found: dict[str, Any]) -> None:
    """fields[field] from the first of its words said (music_words.yaml `<field>_words`: word -> value)."""
    m = _VALUED[f"{field}_words"].search(text)
    if m:
        fields[field], found[field] = float(V[f"{field}_words"][m.group(0).lower()]), m.group(0)


def default_duration(section: str) -> float:
    return SECTION_SECONDS.get(section, SECTION_SECONDS["loop"])[0]


# a second instrument of a role already taken plays the next free part: a keys instrument the melody, a lead
# instrument held chords, a pad the melody ("choir and brass": a choir pad, a brass melody)
SECOND_ROLES = {"keys": ("lead", "pad"), "lead": ("pad", "keys"), "pad": ("lead", "keys")}


def instrument_roles(names: list[str]) -> dict[str, int]:
    """role (keys, pad, lead) -> the GM program of the instrument said for it (instruments.yaml), in the order
    said: the first takes its own role, a later one of the same role the next free one (SECOND_ROLES)."""
    out: dict[str, int] = {}
    for name in names:
        inst = INSTRUMENTS.get(name)
        if inst:
            role = str(inst["role"])
            free = next((r for r in (role, *SECOND_ROLES[role]) if r not in out), None)
            if free:
                out[free] = int(inst["program"])
    return out
