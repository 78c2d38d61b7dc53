"""Drum presence on recordings: excerpts of the installed soundtracks, labelled by eye (music_labels.yaml).

The drums head learnt from our own renders and masters only; a drum part on a recording (a kick under a synth
pad, brushes, a tracker's hat ticks, orchestral snares) is another sound. Nobody here can listen, so the labels
were set by looking at spectrogram sheets (benchmarks/drum_sheets.py draws them, indices only, before the head's
answers were known): "drums" where a percussion part repeats across the 8 s (broadband strokes on a grid, or
kicks as low bursts), "none" where no stroke or one shows, "unsure" otherwise (left out: 61 of 218 excerpts,
many of them plucked or struck chords that a spectrogram does not tell from a drum).

Excerpts: 8 s at 30 % and 65 % of every recording of 20 s or more (`make bench-music-data` installs the
packages); split into dev/test by recording (ears_data.split_of). Training copies of the dev excerpts are also
heard 2.5 s earlier and later (same label).
"""

from __future__ import annotations

import glob
from functools import cache
from pathlib import Path

import ears_data as data
from check_unseen_clean import SETS

SECONDS = 8.0
AT = (0.3, 0.65)
SHIFTS_S = (-2.5, 2.5)  # more training copies of a dev excerpt: the same part, a bar or so apart


@cache
def _duration(path: str) -> float:
    import soundfile as sf

    return float(sf.info(path).duration)


def _package(pattern: str) -> str:
    """The soundtrack's name in an excerpt id: the folder under /usr/share (under games/ or scummvm/ there)."""
    parts = Path(pattern).parts
    return parts[4] if parts[3] in ("games", "scummvm") else parts[3]


def excerpts() -> list[tuple[str, str, float]]:
    """(excerpt id 'source/stem@at', path, at) for every installed recording of 20 s or more, two each: the ears'
    recordings (ears_data.recordings) and the unseen soundtracks (check_unseen_clean.SETS)."""
    files = [(name, str(path)) for name, path in data.recordings()]
    files += [
        (f"{_package(pat)}/{Path(f).stem}", f) for pats in SETS.values() for pat in pats for f in sorted(glob.glob(pat))
    ]
    return [(f"{name}@{at}", f, at) for name, f in files if _duration(f) >= 20.0 for at in AT]


def labels() -> dict[str, str]:
    return data.labels("drums")


def examples(split: str, shifted: bool = False, only_cached: bool = False) -> list[dict]:
    """Heard excerpts labelled "drums" or "none" of one split, as dicts like ears_data's mixes ("layers" holds
    "rhythm" for drums). `shifted`: also the copies SHIFTS_S away (for training)."""
    lab = labels()
    out = []
    for eid, path, at in excerpts():
        name = eid.rsplit("@", 1)[0]
        if lab.get(eid) not in ("drums", "none") or data.split_of(name) != split:
            continue
        for shift in (0.0, *SHIFTS_S) if shifted else (0.0,):
            start = at + shift / _duration(path)
            key = f"drums-rec/v1/{eid}" + (f"/{shift:+.1f}" if shift else "") + "/clean"
            h = data.cached(key, lambda p=path, s=start: data.hear(data.excerpt(Path(p), s, SECONDS)), only_cached)
            if h is not None:
                layers = ("rhythm",) if lab[eid] == "drums" else ()
                rec = {"name": key, "rec": name, "kind": "clean", "h": h, "source": "recording", "layers": layers}
                out.append(rec)
    return out
