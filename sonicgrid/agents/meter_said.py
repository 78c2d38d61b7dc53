"""A meter said in a request: "a waltz", "in 3/4", "three four time" -> 3; "in 6/8", "a jig" -> 6; "4/4" -> 4.
The words are data (music_words.yaml `meter`). "3/4 of a minute" is a length, not a meter. Part of the lexicon
(lexicon.parse calls `read`)."""

from __future__ import annotations

import re
from typing import Any

from sonicgrid.agents.vocab import V
from sonicgrid.brief import METER_NAMES

_WORDS: dict[int, list[str]] = {int(k): [str(w) for w in v] for k, v in V["meter"].items()}


_NOT_A_LENGTH = r"(?!\s*(?:of|min\w*|sec\w*|s|bar\w*|beat\w*|hour\w*|h)\b)"  # "3/4 of a minute", "3/4 minute"


def _pattern(word: str) -> str:
    """A word of a meter, whole; a fraction ("3/4") not followed by "of" or a unit ("3/4 of a minute" is a length)."""
    tail = _NOT_A_LENGTH if any(c.isdigit() for c in word) else ""
    return r"(?<![\w/.-])" + re.escape(word) + r"(?![\w/-])" + tail


_RE = {
    beats: re.compile("|".join(_pattern(w) for w in sorted(ws, key=len, reverse=True)), re.I)
    for beats, ws in _WORDS.items()
}


PLAYED_AS = ("2/4", "12/8")  # 2/4 plays as 4/4; 12/8 as a 4/4 shuffle (music_words.yaml swing_words)
_OTHER = re.compile(r"(?<![\w/.-])(\d{1,2})/(4|8|16)(?![\w/-])" + _NOT_A_LENGTH, re.I)


def read(text: str, fields: dict[str, Any], found: dict[str, Any]) -> None:
    """Set fields["meter"] (and found["meter"], the words) from the first meter the text says; a meter the
    composer does not play ("in 7/8", "5/4") goes to fields["unplayed"], for the plan to say."""
    hits = [(m.start(), beats, m.group(0)) for beats, pat in _RE.items() for m in [pat.search(text)] if m]
    if hits:
        _, fields["meter"], found["meter"] = min(hits)
        return
    other = _OTHER.search(text)
    if other and other.group(0) not in (*METER_NAMES.values(), *PLAYED_AS):
        fields.setdefault("unplayed", []).append(
            f"{other.group(0)} is not a meter SonicGrid plays (3/4, 4/4, 6/8): 4/4"
        )


def words(meter: int) -> str:
    """How a canonical request says a meter (followup.render): "in 3/4", "in 6/8"."""
    return f"in {METER_NAMES[meter]}"
