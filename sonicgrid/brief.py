"""The typed Brief a request becomes, and the vocabularies it is written in."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class Mood(StrEnum):
    """The moods a brief is written in. Every table keyed by mood (palettes, colours, mood points, lexicon
    words, the judge's training phrases) has exactly these keys: tests/unit/test_vocabulary.py."""

    MOODY = "moody"
    CALM = "calm"
    HAPPY = "happy"
    ENERGETIC = "energetic"
    TENDER = "tender"
    TENSE = "tense"
    EPIC = "epic"
    DREAMY = "dreamy"


class Section(StrEnum):
    INTRO = "intro"
    LOOP = "loop"
    BUILD = "build"
    OUTRO = "outro"
    FULL = "full"


class Layer(StrEnum):
    RHYTHM = "rhythm"
    HARMONY = "harmony"
    ATMOSPHERE = "atmosphere"
    TEXTURE = "texture"
    VOICE = "voice"


MOODS = tuple(m.value for m in Mood)
SECTIONS = tuple(s.value for s in Section)
LAYERS = tuple(la.value for la in Layer)
PARTS = ("bass", "piano", "keys", "guitar", "lead", "strings")  # instruments a brief can turn down
KEYS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MODES = ("major", "minor")
METERS = (3, 4, 6)  # "a waltz", "in 3/4" -> 3; "in 6/8", "a jig" -> 6 (two dotted-quarter beats); 4/4 when none said
METER_NAMES = {3: "3/4", 4: "4/4", 6: "6/8"}
ACTIONS = ("new", "extend", "vary")

# Default and allowed durations per section (seconds): "intro" is a short clip, not a song.
SECTION_SECONDS = {
    "intro": (12.0, 8.0, 20.0),
    "loop": (8.0, 2.0, 30.0),
    "build": (16.0, 8.0, 32.0),
    "outro": (12.0, 6.0, 24.0),
    "full": (30.0, 10.0, 180.0),
}
MIN_SECONDS, MAX_SECONDS = 1.0, 600.0
TEMPO_RANGE = (40.0, 220.0)  # bpm the composer plays


def beats_per_bar(meter: int | None = None) -> int:
    """The felt beats in a bar: 4 (4/4, when none), 3 (3/4), 2 (6/8: its tempo is the dotted quarter)."""
    return 2 if meter == 6 else int(meter or 4)


def bar_seconds(tempo_bpm: float, meter: int | None = None) -> float:
    """One bar at a tempo (the felt beat's), in a meter (4/4 when none)."""
    return beats_per_bar(meter) * 60.0 / float(tempo_bpm)


class Brief(BaseModel):
    """What the user asked for, typed. Every field has a default, so any request yields a Brief."""

    prompt: str
    mood: Literal[MOODS] = "calm"  # type: ignore[valid-type]
    section: Literal[SECTIONS] = "loop"  # type: ignore[valid-type]
    duration_s: float = Field(default=8.0, ge=MIN_SECONDS, le=MAX_SECONDS)
    tempo_bpm: float | None = Field(default=None, ge=TEMPO_RANGE[0], le=TEMPO_RANGE[1])
    key: Literal[KEYS] | None = None  # type: ignore[valid-type]
    mode: Literal[MODES] | None = None  # type: ignore[valid-type]
    layers: list[Literal[LAYERS]] = Field(default_factory=lambda: ["harmony"])  # type: ignore[valid-type]
    exclude: list[Literal[LAYERS]] = Field(default_factory=list)  # type: ignore[valid-type]
    exclude_parts: list[Literal[PARTS]] = Field(  # type: ignore[valid-type]
        default_factory=list, description="instruments turned down while their layer stays ('no bass')"
    )
    reference: str | None = Field(default=None, description="'last' or a clip id the request refers to")
    action: Literal[ACTIONS] = "new"  # type: ignore[valid-type]
    brightness: float = Field(default=0.0, ge=-1, le=1, description="-1 darker .. +1 brighter")
    busy: float = Field(default=0.0, ge=-1, le=1, description="-1 sparser .. +1 busier ('simpler', 'busier')")
    swing: float | None = Field(
        default=None,
        ge=0.5,
        le=0.75,
        description="where the off-beat eighths fall ('with swing' 0.6, 'a shuffle' 0.66)",
    )
    project: str | None = None
    # Rules-side fields (the lexicon fills them; the LLM's intake schema stays mood + section):
    sections: list[Literal[SECTIONS]] = Field(  # type: ignore[valid-type]
        default_factory=list, description="several sections in order ('intro and outro'); empty: [section]"
    )
    variations: int = Field(default=1, ge=1, le=8, description="candidates to render and rank ('3 variations')")
    style: str | None = Field(default=None, description="genre/production style (lexicon.yaml styles)")
    layers_only: bool = Field(default=False, description="'just drums': exactly the named layers")
    alone: bool = Field(
        default=False, description="'just piano', 'piano only': the instruments said play alone, nothing else"
    )
    tempo_change: float | None = Field(default=None, ge=0.25, le=4, description="'slower' -> 0.85 x the reference")
    tempo_delta: float | None = Field(
        default=None, ge=-120, le=120, description="'10 bpm faster' -> +10 on the reference's tempo"
    )
    instruments: list[str] = Field(
        default_factory=list, description="instruments said ('a sad violin solo'): lexicon.yaml `instruments` names"
    )
    transpose: int | None = Field(
        default=None,
        ge=-11,
        le=11,
        description="'up a semitone' -> +1: the reference's music replayed that many semitones away; 0 with a key"
        " said ('transpose it to D'): moved to that key",
    )
    meter: Literal[METERS] | None = Field(  # type: ignore[valid-type]
        default=None,
        description="the meter said: 3 ('a waltz', 'in 3/4'), 6 ('in 6/8', 'a jig'), 4 ('4/4'); None: 4/4, or the"
        " reference's",
    )
    unplayed: list[str] = Field(
        default_factory=list, description="what was said that SonicGrid does not play ('in 7/8'): the plan says so"
    )
    same: list[str] = Field(default_factory=list, description="'same key' -> copy key/tempo/mood from the reference")
    reference_section: str | None = Field(default=None, description="'the intro we made' -> intro")
    explicit: list[str] = Field(
        default_factory=list, description="fields the user said: hard constraints no agent may revise away"
    )

    def section_list(self) -> list[str]:
        return list(self.sections) or [self.section]

    @field_validator("layers")
    @classmethod
    def _unique_layers(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for layer in v:
            if layer not in out:
                out.append(layer)
        return out or ["harmony"]
