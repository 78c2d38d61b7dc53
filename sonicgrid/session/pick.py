"""'I like the second one', 'use variation 3', 'take 2 but darker': one of the last clip's variations picked as the
clip the conversation goes on with. Nothing is regenerated: the variation was made, stored and scored with the rest
(its folder is variations/vN, its library id its own), and the turn's record now points at it."""

from __future__ import annotations

import json
import re
from pathlib import Path

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
}  # fmt: skip
_PICK = re.compile(
    r"\b(?:the\s+)?(" + "|".join(_ORDINALS) + r")\s+(?:one|variation|version|take|option)\b"
    r"|\b(?:variation|version|take|option|number|no\.|#)\s*([1-8])\b",
    re.I,
)
_VERB = re.compile(  # what may stand around a pick said on its own
    r"^\s*(?:(?:i\s+(?:like|love|prefer|want|choose|pick|'?ll\s+take)|let'?s\s+(?:go\s+with|use|keep|take)|go\s+with|"
    r"use|take|keep|pick|choose|give\s+me|ok|okay|yes)\s*,?\s*)*$",
    re.I,
)
_TAIL = re.compile(r"^\s*(?:is\s+(?:best|better|the\s+best|great|good)|please|then|it\s+is)?\s*[.!]*\s*$", re.I)
_JOIN = re.compile(r"^\s*(?:,|but|and|,\s*but|,\s*and|now|then)\b\s*", re.I)


def said(text: str) -> tuple[int, str] | None:
    """(the variation's number, what else the turn asks for: "" when nothing) for a turn that names one."""
    m = _PICK.search(text)
    if not m:
        return None
    n = _ORDINALS[m.group(1).lower()] if m.group(1) else int(m.group(2))
    before, after = text[: m.start()], text[m.end() :]
    if not _VERB.match(before):  # "make a second one", "a version 2 of the theme": no pick
        return None
    rest = "" if _TAIL.match(after) else _JOIN.sub("", after).strip(" ,.")
    return n, rest


def variations(turn: dict) -> list[dict]:
    """The variations of the run a turn's clip came from, best first (its sidecar's result.variations)."""
    folder = Path(turn.get("variations_from") or turn.get("clip_dir") or "")
    side = folder / "clip.json"
    if not side.is_file():
        return []
    return list((json.loads(side.read_text()).get("result") or {}).get("variations") or [])


def picked(turn: dict, n: int, text: str, number: int, vs: list[dict]) -> dict | None:
    """The record of variation `n` (its rank: the reply's order, 1 the best) of `vs`, the variations of `turn`'s
    run (variations()), as the conversation's clip."""
    if not 1 <= n <= len(vs) or len(vs) < 2:
        return None
    v = vs[n - 1]
    return {
        **turn,
        "n": number,
        "text": text,
        "request": text,
        "clip_id": v["clip_id"],
        "path": v["path"],
        "clip_dir": str(Path(v["path"]).parent),
        "score": v["score"],
        "picked": n,
        "picked_of": len(vs),
        "key": v.get("key"),  # what the variation was composed in (its own sidecar has no plan)
        "mode": v.get("mode"),
        "tempo_bpm": v.get("tempo_bpm"),
        "variations_from": turn.get("variations_from") or turn.get("clip_dir"),
        "choices": [],
        "notes_out": [],
        "remix": None,
        "mastering": None,
    }


_NOT_THE_MUSIC = ("prompt", "explicit", "action", "reference", "variations")


def _what(turn: dict) -> dict:
    """A take's brief less what says how it was asked for: two takes of one request have the same."""
    return {k: v for k, v in (turn.get("brief") or {}).items() if k not in _NOT_THE_MUSIC}


def takes(turns: list[dict]) -> tuple[list[str], list[dict]]:
    """(the clip ids, the records) of the current request's takes: the clips made since the last request typed
    as a new subject ("a calm loop") with the same brief as the last clip ("try again", "another one" are takes;
    "darker" is another version). Re-mixes and picks are no new take."""
    ok = [t for t in turns if t.get("status") == "ok" and t.get("clip_id")]
    fresh = [
        i for i, t in enumerate(ok) if t.get("request") == t.get("text") and not t.get("remix") and not t.get("picked")
    ]
    mine = ok[fresh[-1] :] if fresh else ok
    made = [t for t in mine if not t.get("remix") and not t.get("picked")]
    if made:
        last = _what(made[-1])
        keep = {t["clip_id"] for t in made if _what(t) == last}
        mine = [t for t in mine if t["clip_id"] in keep]
    return list(dict.fromkeys(t["clip_id"] for t in mine)), mine


def earlier(turns: list[dict], n: int, text: str, number: int) -> dict | None:
    """ "I prefer the first one" after takes made one by one ("try again"): the request's `n`th take (takes), as
    its latest record has it (a re-mix of it included), is the clip to go on with. None when there is none."""
    clips, mine = takes(turns)
    if len(clips) < 2 or not 1 <= n <= len(clips):
        return None
    turn = next(t for t in reversed(mine) if t["clip_id"] == clips[n - 1])
    return {
        **turn,
        "n": number,
        "text": text,
        "request": text,
        "picked": n,
        "picked_of": len(clips),
        "picked_from": "conversation",
        "choices": [],
        "notes_out": [],
    }


_TAKE = re.compile(r"^\s*take\s+\d", re.I)


def next_take(text: str, n: int, clips: int, made: int) -> bool:
    """ "take 2" right after the first take (`made`: the last run's variations, fewer than 2: none to pick from):
    a slate, the next take, not a pick."""
    return bool(_TAKE.match(text)) and n == clips + 1 and made < 2


def none_such(turn: dict, n: int, clips: int, made: int) -> str:
    """The reply when a pick names nothing there is (`made`: the last run's variations): no new clip is made."""
    if n == 1 and clips == 1 and made < 2:
        return f"that is the clip we are on: {turn['clip_id']} -> {turn.get('path')}"
    if made >= 2:
        return f"there is no variation {n}: the last request made {made}. Say 'I like the second one' to pick one"
    return (
        f"there is no take {n} to pick: this request has {clips} take{'s' if clips != 1 else ''} so far and the last "
        "was one. Ask for 'three variations' to get takes to choose from"
    )


def reply(record: dict) -> str:
    """What the chat says back for a picked() record (all it needs is on the record)."""
    what = ", ".join(
        bit
        for bit in (
            f"{record.get('key') or ''} {record.get('mode') or ''}".strip(),
            f"{float(record['tempo_bpm']):.0f} bpm" if record.get("tempo_bpm") else "",
            f"{float(record['score']):.1f}/10",
        )
        if bit
    )
    n, of = record["picked"], record["picked_of"]
    if record.get("picked_from") == "conversation":
        return f"going on with take {n} of {of} of this request: {record['clip_id']} ({what}) -> {record['path']}"
    return f"going on with variation {n} of {of}: {record['clip_id']} ({what}) -> {record['path']}"
