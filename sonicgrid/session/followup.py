"""Follow-ups in a conversation: merge a turn's parse over the previous brief, then render the
merged fields as a canonical request the lexicon parses back to exactly those fields.

"darker", "make it 30 seconds", "add drums", "use the one from before but brighter", "extend it",
"happier", "less dark", "shorter", "try again" carry the earlier brief's mood, section, layers, length, key and tempo,
and refer to the last clip. "Longer" alone extends the clip; longer with another change ("longer and
darker") is a new take, half as long again, since the clip's first part cannot change. "Try again", "another one"
and a changed tone are variations: a new take, never the clip turned down.
"""

from __future__ import annotations

import re
from typing import Any

from sonicgrid.agents import lexicon, meter_said
from sonicgrid.brief import MAX_SECONDS, METER_NAMES, MIN_SECONDS, SECTION_SECONDS

TONE_STEP = 0.6
LONGER_BY, SHORTER_BY = 1.5, 2 / 3  # "longer" with another change, "shorter": the last clip's length times this
_TONE = re.compile(r"\b(darker|brighter|dark|bright)\b", re.I)
_TONE_TURNED = re.compile(r"(?:\b(?:less|not|nothing|never)|n't)(?:\s+(?:so|as|too|that|quite|be|very))*\s+$", re.I)
_FOLLOW = re.compile(
    r"^\s*(?:(?:a bit|a little|slightly|much|even|way)\s+)?"
    r"(make it|now|add|and|also|again|darker|brighter|longer|shorter|extend|continue|use|same|the same|"
    r"but|with|without|no|remove|drop|lose|slower|faster|keep|change|try|more|less|not|"
    r"happier|calmer|sadder|moodier|dreamier|tenser|softer|gentler|warmer|livelier|in the style|\w+ier\b)\b",
    re.I,
)
_FOLLOW_OTHER = lexicon.words_re(lexicon.V["follow_starts"])  # at the turn's start (match on the stripped text)
_ONLY = re.compile(r"\b(only|just|solo|(?:everything|all|nothing) (?:but|except))\b", re.I)
_TOO = lexicon.words_re(lexicon.V["too_words"])
_RETRY = lexicon.words_re(lexicon.V["retry_words"])  # "try again", "another one": a new take, not the same clip
_LEAD = re.compile(  # "great, now an outro", "hmm, too slow": the turn is what follows the interjection
    r"^\s*(?:(?:ok|okay|great|nice|perfect|cool|good|thanks|thank you|hmm+|no|yes|yeah|wow|love it|that's great)"
    r"(?:\s*[,.!]+\s*|\s+but\s+))+",  # an interjection needs its comma ("no drums" is not "no, drums") or a "but"
    re.I,
)
_ADD = re.compile(r"\b(?:add|adding|plus|also|as well|too|layer in|bring in|together with|alongside)\b", re.I)
_FEWER = re.compile(r"\b(?:less|fewer)\s+(?:of\s+)?(?:the\s+)?[\w-]+", re.I)  # "less drums" adds none
_VERSION = re.compile(
    r"\b(?:a|an|another)\s+(?:[\w-]+\s+)?(?:version|take)\b|^\s*(?:similar|one more)\b|\b(?:to match|matching)\b",
    re.I,
)
SECTION_TEXT = {"intro": "intro", "loop": "loop", "build": "build", "outro": "outro", "full": "full track"}
LAYER_TEXT = {"harmony": "chords", "rhythm": "drums", "atmosphere": "pads", "texture": "texture", "voice": "voice"}
CARRIED = (
    "mood",
    "section",
    "duration_s",
    "tempo_bpm",
    "key",
    "mode",
    "layers",
    "brightness",
    "style",
    "sections",
    "exclude_parts",
    "instruments",
    "meter",
    "busy",
    "alone",
    "swing",
)


_THE_SECTION = re.compile(r"\b(?:the|that|this|my|our)\s+(?:intro|outro|loop|build|build-up|buildup)\b", re.I)


def tone_delta(text: str) -> float:
    """-TONE_STEP for darker, +TONE_STEP for brighter; "less dark" and "not so bright" turn the other way."""
    m = _TONE.search(text)
    if not m:
        return 0.0
    sign = -1.0 if m.group(1).lower().startswith("dark") else 1.0
    return -sign * TONE_STEP if _TONE_TURNED.search(text[: m.start()]) else sign * TONE_STEP


def is_followup(text: str, found: dict, last_brief: dict | None) -> bool:
    """A turn builds on the last one unless it names a new subject (a mood or section) on its own. "the intro"
    when the last clip was an intro names that clip ("make the intro longer")."""
    if not last_brief:
        return False
    if (
        _FOLLOW.search(text)
        or _FOLLOW_OTHER.match(text.lstrip())
        or _VERSION.search(text)
        or {"reference", "action"} & set(found)
        or (found.get("section") == last_brief.get("section") and _THE_SECTION.search(text))
    ):
        return True
    return "mood" not in found and "section" not in found


def _note(k: str, v: Any) -> str:
    """What a turn changed, as the reply says it: "meter -> 3/4", "swing", "mood -> calm"."""
    if k == "meter":
        return f"meter -> {METER_NAMES[v]}"
    if k == "swing":
        return "swing" if float(v) > 0.5 else "straight"
    return f"{k} -> {v}"


def without_interjection(text: str) -> str:
    """ "perfect, save it" -> "save it"; "great, now an outro" -> "now an outro"."""
    return _LEAD.sub("", text)


def said_plainly(text: str) -> str:
    """ "too slow" -> "faster", "the drums are too loud" -> "the drums are quieter": what to do, not what is wrong."""
    return _TOO.sub(lambda m: lexicon.V["too_words"][m.group(0).lower()], text)


_BOOKENDS = {"intro", "outro"}


def _section_length(section: str, last_brief: dict) -> float:
    """The length of a new section in a conversation: an outro after an intro (or the reverse) is as long as the
    other bookend when that length suits the section; any other section starts at its default length."""
    default, lo, hi = SECTION_SECONDS[section]
    last_s = last_brief.get("duration_s")
    if {section, last_brief.get("section")} == _BOOKENDS and last_s and lo <= float(last_s) <= hi:
        return float(last_s)
    return default


def merge(text: str, last_brief: dict | None) -> tuple[dict | None, list[str]]:
    """Fields for this turn (None: a fresh request, used as typed) and notes on what carried over."""
    if last_brief:
        text = said_plainly(_LEAD.sub("", text))
    stripped = _TONE.sub(" ", text) if last_brief else text
    fields, found = lexicon.parse(stripped)
    if last_brief is None or not is_followup(text, found, last_brief):
        return None, []
    merged = {k: last_brief.get(k) for k in CARRIED if last_brief.get(k) is not None}
    notes = []
    for k in ("mood", "section", "tempo_bpm", "key", "mode", "meter", "swing"):
        if k in found and k in fields and not (k == "mood" and found[k] == found.get("style")):
            merged[k] = fields[k]  # a mood the style only implies ("make it lofi") leaves the clip's own
            notes.append(_note(k, fields[k]))
    if "style" in found:  # "make it lofi": the style, its layers and its tone over the last clip's
        style = lexicon.STYLES[fields["style"]]
        merged["style"] = fields["style"]
        have = list(merged.get("layers") or ["harmony"])
        merged["layers"] = have + [la for la in style.get("layers", []) if la not in have]
        if style.get("brightness") is not None:
            merged["brightness"] = float(style["brightness"])
        merged.setdefault("mood", style["mood"])
        notes.append(f"style -> {fields['style']}")
    if "duration_s" in found:
        merged["duration_s"] = fields["duration_s"]
        notes.append(f"length -> {fields['duration_s']:g}s")
    elif "bars" in found:  # "make it 16 bars", "another 8 bars": the intake sets the length at the tempo
        merged.pop("duration_s", None)
        merged["bars"] = fields["bars"]
        notes.append(f"length -> {fields['bars']} bars")
    elif merged.get("section") != last_brief.get("section"):
        merged["duration_s"] = _section_length(str(merged["section"]), last_brief)
    said = lexicon._find(lexicon.LAYER_WORDS, lexicon._NEG.sub(" ", " " + _FEWER.sub(" ", stripped.lower()) + " "))
    layers = list(merged.get("layers") or ["harmony"])
    if said:
        layers = said if _ONLY.search(stripped) else layers + [la for la in said if la not in layers]
        notes.append(f"layers -> {', '.join(layers)}")
    layers = [la for la in layers if la not in fields.get("exclude", [])] or ["harmony"]
    merged["layers"] = layers
    excluded = set(last_brief.get("exclude") or []) - set(said) | set(fields.get("exclude") or [])
    if excluded:
        merged["exclude"] = sorted(excluded)
    if fields.get("instruments") or fields.get("exclude_parts"):  # "use strings instead of piano"
        gone = {m.group(1).lower() for m in lexicon._NEG.finditer(stripped)}  # the piano is not carried on
        kept = [i for i in merged.get("instruments") or [] if not gone & set(lexicon.INSTRUMENTS[i]["words"])]
        new = list(fields.get("instruments") or [])
        if _ADD.search(stripped):  # "add a guitar": the piano keeps its part, the guitar plays the next free one
            playing = list(dict.fromkeys(kept + new))
        else:  # "use a guitar": it plays the piano's part (said first: each role plays what was said last)
            taken = {lexicon.INSTRUMENTS[i]["role"] for i in new}
            playing = list(dict.fromkeys(new + [i for i in kept if lexicon.INSTRUMENTS[i]["role"] not in taken]))
        merged["instruments"] = playing
        if new:
            notes.append(f"instruments -> {', '.join(playing)}")
    if fields.get("exclude_parts"):  # "no bass" on a clip: its other parts stay
        merged["exclude_parts"] = sorted(set(merged.get("exclude_parts") or []) | set(fields["exclude_parts"]))
        notes.append(f"without {', '.join(fields['exclude_parts'])}")
    if fields.get("tempo_change"):
        merged["tempo_change"] = fields["tempo_change"]
        merged.pop("tempo_bpm", None)
        notes.append(f"tempo x{fields['tempo_change']:g}")
    if fields.get("tempo_delta"):  # "10 bpm faster": on the clip's own tempo
        merged["tempo_delta"] = fields["tempo_delta"]
        merged.pop("tempo_bpm", None)
        notes.append(f"tempo {fields['tempo_delta']:+g} bpm")
    if "transpose" in fields:  # the key comes from the last clip's, that many semitones away (arrange)
        merged["transpose"] = fields["transpose"]
        if fields["transpose"]:
            merged.pop("key", None)
            notes.append(f"key {fields['transpose']:+d} semitones")
    if fields.get("unplayed"):  # "in 7/8": the plan says it is not played
        merged["unplayed"] = fields["unplayed"]
    if int(fields.get("variations") or 1) > 1:  # "give me three variations of it": takes of it to choose from
        merged["variations"] = int(fields["variations"])
        notes.append(f"{merged['variations']} variations")
    if "sections" in found:
        merged["sections"] = fields["sections"]
    elif "section" in found:
        merged.pop("sections", None)
    if "busy" in found:  # "simpler" on a clip made simpler: simpler still
        merged["busy"] = max(-1.0, min(1.0, float(merged.get("busy") or 0.0) + float(fields["busy"])))
        notes.append("simpler" if fields["busy"] < 0 else "busier")
    delta = tone_delta(text)
    if delta:
        merged["brightness"] = max(-TONE_STEP, min(TONE_STEP, float(merged.get("brightness") or 0.0) + delta))
        notes.append("darker" if delta < 0 else "brighter")
    merged["reference"] = fields.get("reference") if fields.get("reference") not in (None, "last") else "last"
    if fields.get("reference_section"):  # "an outro that matches the intro": built on the intro, not the last clip
        merged["reference_section"] = fields["reference_section"]
    # a tone turned or a part turned down is a new take of the clip: never the clip itself again
    vary = bool(delta) or fields.get("action") == "vary" or bool(_RETRY.search(text)) or "exclude_parts" in fields
    vary = vary or bool(
        {"transpose", "instruments", "meter", "variations", "tempo_change", "tempo_delta", "busy", "swing"}
        & set(fields)
    )  # another instrument, meter or tempo: a new take
    merged["action"] = _length_change(text, found, fields, last_brief, merged, notes, vary)
    return merged, notes


def _length_change(text: str, found: dict, fields: dict, last: dict, merged: dict, notes: list[str], vary: bool) -> str:
    """The turn's action, and the length that goes with it: "extend it" and a plain "longer" continue the clip
    (the new part as long as said, else as long as the clip); "longer and darker" is a new take half as long
    again (or as much longer as said); "shorter" a new take two thirds as long."""
    base = float(last.get("duration_s") or SECTION_SECONDS["loop"][0])
    longer, shorter = lexicon.LONGER.search(text) or lexicon.ADDED.search(text), lexicon.SHORTER.search(text)
    taken = lexicon.TAKEN.search(text) if "duration_s" in found else None
    twice, half = lexicon.TWICE.search(text), lexicon.HALF.search(text)
    if lexicon.EXTEND.search(text) or ((longer or twice) and not vary):
        if twice:  # an extension by as much again
            merged["duration_s"] = base
            notes.append(f"length -> {2 * base:g}s")
        return "extend"
    if twice or half:
        merged["duration_s"] = base * (2.0 if twice else 0.5)
    elif longer:
        merged["duration_s"] = base + float(fields["duration_s"]) if "duration_s" in found else base * LONGER_BY
    elif taken and float(fields["duration_s"]) < base:  # "2 seconds shorter": that much off, not 2 s long
        merged["duration_s"] = base - float(fields["duration_s"])
    elif shorter and "duration_s" not in found:
        merged["duration_s"] = round(base * SHORTER_BY * 2) / 2
    else:
        return "vary" if vary else "new"
    merged["duration_s"] = max(MIN_SECONDS, min(MAX_SECONDS, float(merged["duration_s"])))
    merged.pop("bars", None)  # a length in seconds now
    notes[:] = [n for n in notes if not n.startswith("length")]  # "10 seconds longer": 10 s more, not 10 s
    notes.append(f"length -> {merged['duration_s']:g}s")
    return "vary" if vary else "new"


def _word_for(table: str, value: float) -> str | None:
    """The first word of a lexicon word list (word -> value) that says `value`: how render says it back."""
    return next((w for w, v in lexicon.V[table].items() if abs(float(v) - value) < 1e-6), None)


def render(fields: dict) -> str:
    """Merged fields -> a canonical request that lexicon.parse() reads back to the same fields."""
    layers = fields.get("layers") or ["harmony"]
    tonal = {"harmony", "atmosphere"} & set(layers)
    bits = [fields.get("mood", "calm"), SECTION_TEXT[fields.get("section", "loop")], "with"]
    bits += (["only"] if not tonal else []) + [" and ".join(LAYER_TEXT[la] for la in layers)]
    if fields.get("sections") and len(fields["sections"]) > 1:
        bits[1] = " and ".join(SECTION_TEXT[s] for s in fields["sections"])
    if fields.get("style"):
        from sonicgrid.agents.lexicon import STYLES

        bits.insert(1, STYLES[fields["style"]]["words"][0])
    length = (
        f"{int(fields['bars'])} bars" if fields.get("bars") else f"{float(fields.get('duration_s', 8.0)):g} seconds"
    )
    text = " ".join(bits) + f", {length}"
    if int(fields.get("variations") or 1) > 1:
        text = f"{int(fields['variations'])} variations of a " + text
    unplayed = list(fields.get("unplayed") or [])
    if fields.get("tempo_bpm"):  # a tempo said out of range is said as it was ("500 bpm": read again as 125)
        said = next((u.split()[0] for u in unplayed if " bpm is played as " in u), None)
        text += f", {said or int(round(fields['tempo_bpm']))} bpm"
    if fields.get("key"):
        to = "transpose it to" if fields.get("transpose") == 0 else "in"
        text += f", {to} {fields['key']} {fields.get('mode') or ''}".rstrip()
    elif fields.get("mode"):
        text += f", {fields['mode']}"
    if fields.get("meter"):
        text += ", " + meter_said.words(int(fields["meter"]))
    for said in (u.split()[0] for u in unplayed if "/" in u.split()[0]):  # "7/8 is not a meter ...": said back
        text += f", in {said}"
    if fields.get("exclude"):
        text += ", without " + " and ".join(LAYER_TEXT[la] for la in fields["exclude"])
    said = [lexicon.INSTRUMENTS[name]["words"][0] for name in fields.get("instruments") or []]
    if said and fields.get("alone"):  # "just piano": the said and nothing else
        text += ", just " + " and ".join(said)
    else:
        text += "".join(f", with {w}" for w in said)
    for part in fields.get("exclude_parts") or []:  # each its own "no": "no bass and piano" negates one
        text += f", no {lexicon.PART_WORDS[part][0]}"
    if fields.get("transpose"):
        n = int(fields["transpose"])
        text += f", {abs(n)} semitone{'s' if abs(n) > 1 else ''} {'up' if n > 0 else 'down'}"
    if fields.get("tempo_change"):
        change = float(fields["tempo_change"])
        word = _word_for("tempo_words", change)
        pct = round(abs(change - 1) * 100)
        text += f", {word}" if word else f", {pct}% {'faster' if change > 1 else 'slower'}"
    if fields.get("tempo_delta"):
        step = float(fields["tempo_delta"])
        text += f", {abs(step):g} bpm {'faster' if step > 0 else 'slower'}"
    for k in ("swing", "busy"):  # every value a turn can reach has its word (music_words.yaml)
        if fields.get(k):
            text += f", {_word_for(f'{k}_words', float(fields[k]))}"
    b = float(fields.get("brightness") or 0.0)
    if b:
        text += ", darker" if b < 0 else ", brighter"
    ref = fields.get("reference")
    if ref:
        target = "the last one" if ref == "last" else f"clip_{ref.removeprefix('clip_')}"
        if ref == "last" and fields.get("reference_section"):
            target = f"the {fields['reference_section']} we made"
        action = fields.get("action", "new")
        text += {"extend": f", extend {target}", "vary": f", a variation of {target}"}.get(action, f", like {target}")
    return text


def request_for(text: str, last_brief: dict | None) -> tuple[str, list[str]]:
    """The request make() receives for this turn, and what carried over (empty: used as typed)."""
    merged, notes = merge(text, last_brief)
    if merged is None:
        return text, []
    return render(merged), notes
