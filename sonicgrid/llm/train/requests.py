"""Synthetic music requests with their true brief fields, in many phrasings.

Every request is built from parts whose meaning is known (a mood said outright or only implied,
a section named or implied, a duration in digits or words, a negated layer, a reference to an
earlier clip, a few non-English requests), so the labels are the generator's, not a parser's.
Phrasing templates and implied cues are split: held-out requests use templates and cues that
the training split never contains.
"""

from __future__ import annotations

import random
from typing import Any

# mood -> (explicit adjectives the lexicon knows, implied cues it does not know)
MOODS = {
    "moody": (
        ["moody", "dark", "sad", "melancholic", "gloomy", "brooding", "haunting"],
        [
            "for a rainy night drive",
            "that sounds like heartbreak",
            "for a lonely walk home",
            "like missing someone",
            "for a grey winter afternoon",
            "about loss",
            "for a graveside farewell",
            "that feels bittersweet and blue",
        ],
    ),
    "calm": (
        ["calm", "chill", "relaxing", "peaceful", "serene", "mellow", "gentle"],
        [
            "for studying",
            "to fall asleep to",
            "for a yoga class",
            "for a spa",
            "for meditation",
            "for a slow sunday morning",
            "to unwind after work",
            "for a quiet reading session",
        ],
    ),
    "happy": (
        ["happy", "cheerful", "upbeat", "sunny", "playful", "joyful"],
        [
            "for a cooking video",
            "for a summer picnic",
            "for a kids cartoon",
            "for a birthday card",
            "that makes people smile",
            "for a toy commercial",
            "for a holiday slideshow",
            "for a pet video",
        ],
    ),
    "energetic": (
        ["energetic", "driving", "intense", "hype", "pumping", "powerful"],
        [
            "for a workout",
            "for a gym session",
            "for a racing game",
            "for a sprint",
            "with an adrenaline rush",
            "for a skateboard clip",
            "for a boxing match",
            "for a sports highlight reel",
        ],
    ),
    "tender": (
        ["tender", "romantic", "warm", "intimate", "sweet", "nostalgic"],
        [
            "for a wedding video",
            "like a lullaby",
            "for an anniversary slideshow",
            "for a first kiss scene",
            "for a letter to an old friend",
            "for a newborn photo album",
            "for a love letter",
            "for a proposal",
        ],
    ),
    "tense": (
        ["tense", "suspenseful", "ominous", "eerie", "creepy", "anxious"],
        [
            "for a chase scene",
            "for a heist",
            "with a ticking clock feeling",
            "for a stakeout",
            "for a zombie game",
            "for a bomb defusal scene",
            "for someone being followed",
            "for an interrogation",
        ],
    ),
    "epic": (
        ["epic", "cinematic", "heroic", "grand", "majestic", "triumphant"],
        [
            "for a battle scene",
            "for a victory montage",
            "for a mountain summit reveal",
            "for a fantasy kingdom",
            "for a dragon flying over",
            "for a final boss",
            "for the king's coronation",
            "for a rocket launch",
        ],
    ),
    "dreamy": (
        ["dreamy", "ethereal", "floating", "hazy", "shimmering"],
        [
            "for stargazing",
            "that sounds underwater",
            "for a fairy tale",
            "for a surreal art film",
            "like drifting through clouds",
            "for a dream sequence",
            "for a galaxy timelapse",
            "for a memory montage",
        ],
    ),
}
# section -> (explicit words the lexicon knows, implied cues it does not know)
SECTIONS = {
    "intro": (
        ["intro", "opening", "opener", "introduction"],
        [
            "to open my podcast",
            "for the title card",
            "at the very beginning of the video",
            "to kick off the episode",
            "for the first seconds of my stream",
            "before the host speaks",
        ],
    ),
    "outro": (
        ["outro", "ending", "closing", "finale"],
        [
            "to close the podcast",
            "for when the video wraps up",
            "to sign off the episode",
            "for the last seconds of my stream",
            "after the final scene",
            "to say goodbye to viewers",
        ],
    ),
    "build": (
        ["build", "buildup", "riser", "crescendo"],
        [
            "leading up to the drop",
            "that climbs toward the chorus",
            "that grows before the reveal",
            "that ramps up bit by bit",
            "that swells into the hook",
            "before the big moment hits",
        ],
    ),
    "loop": (
        ["loop", "background bed", "groove"],
        [
            "that repeats seamlessly",
            "to play under the dialogue",
            "for a game menu screen",
            "that can cycle forever",
            "to sit under a voiceover",
            "for a waiting screen",
        ],
    ),
    "full": (
        ["song", "track", "full piece"],
        [
            "a complete composition",
            "a whole tune from top to bottom",
            "a finished tune",
            "with a beginning, middle and end",
            "a standalone number",
            "a complete tune",
        ],
    ),
}
DEFAULT_MOOD, DEFAULT_SECTION = "calm", "loop"

DURATIONS = [
    ("8 seconds", 8.0),
    ("10 seconds", 10.0),
    ("12s", 12.0),
    ("fifteen seconds", 15.0),
    ("20 sec", 20.0),
    ("thirty seconds", 30.0),
    ("45 seconds", 45.0),
    ("half a minute", 30.0),
    ("one minute", 60.0),
    ("two minutes", 120.0),
    ("90 seconds", 90.0),
    ("a minute", 60.0),
    ("forty-five seconds", 45.0),
    ("6 seconds", 6.0),
    ("three minutes", 180.0),
]
NEGATIONS: list[tuple[str, str | None]] = [
    ("no drums", "rhythm"),
    ("without drums", "rhythm"),
    ("no percussion", "rhythm"),
    ("without pads", "atmosphere"),
    ("no vocals", "voice"),
    ("no bass", None),  # an instrument of the chords: the part goes, no layer (Brief.exclude_parts)
    ("without the noise", "texture"),
    ("no piano", None),
]
REFERENCES = [
    ("like the last one", "last", "new"),
    ("similar to the one from before", "last", "new"),
    ("extend the last one", "last", "extend"),
    ("continue the previous one", "last", "extend"),
    ("a variation of the last one", "last", "vary"),
    ("the previous one again but different", "last", "vary"),
]

# (template, split). {m}=mood phrase, {s}=section phrase; {x}=extras (duration, negation, reference)
TEMPLATES = [
    ("make a {m} {s}{x}", "train"),
    ("I need a {m} {s}{x}", "train"),
    ("give me a {m} {s}{x}", "train"),
    ("can you make a {m} {s}{x}?", "train"),
    ("{m} {s} please{x}", "train"),
    ("a {m} {s}{x}", "train"),
    ("could I get a {m} {s}{x}", "train"),
    ("please produce a {m} {s}{x}", "train"),
    ("we want a {m} {s}{x}", "train"),
    ("generate a {m} {s}{x}", "train"),
    ("compose a {m} {s}{x}", "heldout"),
    ("looking for a {m} {s}{x}", "heldout"),
    ("hey, something {m} as a {s}{x}", "heldout"),
    ("write me a {m} {s}{x}", "heldout"),
]
IMPLIED_TEMPLATES = [
    ("make music {mi} {si}{x}", "train"),
    ("I need something {mi}, {si}{x}", "train"),
    ("music {mi}{x}", "train"),
    ("something {si} {mi}{x}", "train"),
    ("a {s} {mi}{x}", "train"),
    ("a {m} cue {si}{x}", "train"),
    ("give me music {si}{x}", "train"),
    ("audio {mi}, {si}{x}", "train"),
    ("anything {mi}{x}", "heldout"),
    ("we need a cue {si} {mi}{x}", "heldout"),
    ("put together a {s} {mi}{x}", "heldout"),
    ("sound {mi} {si}{x}", "heldout"),
]
FOREIGN = [  # (request, mood, section) a few non-English requests
    ("une intro calme", "calm", "intro"),
    ("un loop triste pour mon podcast", "moody", "loop"),
    ("eine ruhige Einleitung", "calm", "intro"),
    ("musica epica per il finale", "epic", "outro"),
    ("una intro alegre", "happy", "intro"),
    ("algo tranquilo para cerrar el video", "calm", "outro"),
    ("ein trauriger Loop", "moody", "loop"),
    ("une musique heureuse pour la fin", "happy", "outro"),
    ("música oscura para el comienzo", "moody", "intro"),
    ("ein fröhliches Outro", "happy", "outro"),
    ("une boucle énergique", "energetic", "loop"),
    ("una canción romántica", "tender", "full"),
]


def _split_list(items: list, split: str, every: int = 4) -> list:
    """Deterministic cue split: every `every`-th item (from the last) is held out."""
    held = [x for i, x in enumerate(items) if (len(items) - 1 - i) % every == 0]
    return held if split == "heldout" else [x for x in items if x not in held]


def one(rng: random.Random, split: str) -> dict:
    """One request with its true fields: mood, section, duration_s, exclude, reference, action."""
    if rng.random() < 0.06:
        foreign = _split_list(FOREIGN, split, every=3)
        text, mood, section = rng.choice(foreign)
        return {
            "request": text,
            "mood": mood,
            "section": section,
            "duration_s": None,
            "exclude": [],
            "reference": None,
            "action": "new",
        }
    mood = rng.choice(list(MOODS)) if rng.random() < 0.92 else None
    section = rng.choice(list(SECTIONS)) if rng.random() < 0.9 else None
    implied = rng.random() < 0.55
    extras: list[str] = []
    truth: dict[str, Any] = {"duration_s": None, "exclude": [], "reference": None, "action": "new"}
    if rng.random() < 0.35:
        phrase, sec = rng.choice(DURATIONS)
        extras.append(rng.choice([f", {phrase}", f" of {phrase}", f", about {phrase} long", f" ({phrase})"]))
        truth["duration_s"] = sec
    if rng.random() < 0.2:
        phrase, layer = rng.choice(NEGATIONS)
        extras.append(f", {phrase}")
        truth["exclude"] = [layer] if layer else []
    if rng.random() < 0.15:
        phrase, ref, action = rng.choice(REFERENCES)
        extras.append(f", {phrase}")
        truth["reference"], truth["action"] = ref, action
    rng.shuffle(extras)
    m_adj = rng.choice(MOODS[mood][0]) if mood else rng.choice(["new", "short", "nice", "simple"])
    m_cue = rng.choice(_split_list(MOODS[mood][1], split)) if mood else ""
    s_word = rng.choice(SECTIONS[section][0]) if section else "clip"
    s_cue = rng.choice(_split_list(SECTIONS[section][1], split)) if section else ""
    pool = [t for t, sp in (IMPLIED_TEMPLATES if implied else TEMPLATES) if sp == split]
    template = rng.choice(pool)
    text = template.format(m=m_adj, s=s_word, mi=m_cue, si=s_cue, x="".join(extras))
    text = " ".join(text.replace(" ,", ",").split())
    # A template that drops the mood or section phrase leaves that field unsaid: default.
    said_mood = mood if ("{m}" in template or "{mi}" in template) and mood else None
    said_section = section if ("{s}" in template or "{si}" in template) and section else None
    return {"request": text, "mood": said_mood or DEFAULT_MOOD, "section": said_section or DEFAULT_SECTION, **truth}


def requests(n: int, split: str, seed: int) -> list[dict]:
    rng = random.Random(f"{seed}-{split}-requests")
    out, seen = [], set()
    for _ in range(n * 20):
        r = one(rng, split)
        if r["request"] not in seen:
            seen.add(r["request"])
            out.append(r)
        if len(out) == n:
            break
    return out
