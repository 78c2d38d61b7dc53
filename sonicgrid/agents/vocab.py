"""The request vocabulary (prompts/lexicon.yaml: moods, styles, sections, layers, numbers and units in several
languages) and the one way its word lists become patterns. Read once; lexicon.py and numbers.py share it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """lexicon.yaml with its neighbours: the musical words (music_words.yaml: transposition, meter, church modes,
    busy, swing), a re-mix's (edits.yaml) and a chat's small talk (chat_words.yaml) beside its own keys, the instruments a request may name (instruments.yaml) as
    its `instruments`."""
    prompts = resources.files("sonicgrid.prompts")

    def read(name: str) -> dict[str, Any]:
        return dict(yaml.safe_load(prompts.joinpath(name).read_text(encoding="utf-8")))

    data = read("lexicon.yaml")
    for extra in ("music_words.yaml", "edits.yaml", "chat_words.yaml"):
        doubled = set(data) & set(got := read(extra))
        if doubled:  # one word list, one place
            raise ValueError(f"{extra} repeats lexicon.yaml's {sorted(doubled)}")
        data |= got
    data["instruments"] = read("instruments.yaml")
    return data


V = vocabulary()


def alt(words: Iterable[str]) -> str:
    """An alternation of the words, longest first (so "build-up" wins over "build")."""
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))


def words_re(words: Iterable[str], tail: str = r"(?!\w)") -> re.Pattern[str]:
    """Any of the words or phrases, starting a word and ending one (or followed by `tail`), any case."""
    return re.compile(r"(?<!\w)(?:" + alt(words) + r")" + tail, re.I)


UNITS = {k: alt(v) for k, v in V["units"].items()}  # unit -> the alternation of its words
LENGTH_U = "|".join(UNITS[u] for u in ("seconds", "minutes", "bars", "hours"))
