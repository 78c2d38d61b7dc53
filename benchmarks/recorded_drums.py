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
from pathlib import Path

import ears_data as data
import yaml

SECONDS = 8.0
AT = (0.3, 0.65)
SHIFTS_S = (-2.5, 2.5)  # more training copies of a dev excerpt: the same part, a bar or so apart
LABELS = Path(__file__).with_name("music_labels.yaml")
SOURCES = {  # every soundtrack package the benchmarks install (`make music-data`, check_unseen_clean's)
    "wesnoth": "/usr/share/games/wesnoth/1.16/data/core/music/*.ogg",
    "hyperrogue": "/usr/share/hyperrogue/music/*.ogg",
    "asc": "/usr/share/games/asc/music/*.mp3",
    "frozen-bubble": "/usr/share/games/frozen-bubble/snd/*zik*.ogg",
    "drascula": "/usr/share/scummvm/drascula/audio/*.ogg",
    "etr": "/usr/share/games/etr/music/*.ogg",
    "lincity-ng": "/usr/share/games/lincity-ng/music/default/*.ogg",
    "neverball": "/usr/share/games/neverball/bgm/*.ogg",
    "xmoto": "/usr/share/games/xmoto/Textures/Musics/*.ogg",
}


def excerpts() -> list[tuple[str, str, float]]:
    """(excerpt id 'source/stem@at', path, at) for every installed recording of 20 s or more, two each."""
    import soundfile as sf

    out = []
    for src, pat in SOURCES.items():
        for f in sorted(glob.glob(pat)):
            if sf.info(f).duration >= 20.0:
                out += [(f"{src}/{Path(f).stem}@{at}", f, at) for at in AT]
    return out


def labels() -> dict[str, str]:
    return yaml.safe_load(LABELS.read_text())["drums"]


def examples(split: str, shifted: bool = False, only_cached: bool = False) -> list[dict]:
    """Heard excerpts labelled "drums" or "none" of one split, as dicts like ears_data's mixes ("layers" holds
    "rhythm" for drums). `shifted`: also the copies SHIFTS_S away (for training)."""
    import soundfile as sf

    lab = labels()
    out = []
    for eid, path, at in excerpts():
        name = eid.rsplit("@", 1)[0]
        if lab.get(eid) not in ("drums", "none") or data.split_of(name) != split:
            continue
        dur = sf.info(path).duration
        for shift in (0.0, *SHIFTS_S) if shifted else (0.0,):
            start = at + shift / dur
            key = f"drums-rec/v1/{eid}" + (f"/{shift:+.1f}" if shift else "")
            h = data.cached(key, lambda p=path, s=start: data.hear(data.excerpt(Path(p), s, SECONDS)), only_cached)
            if h is not None:
                layers = ("rhythm",) if lab[eid] == "drums" else ()
                rec = {"name": key, "rec": name, "kind": "clean", "h": h, "source": "recording", "layers": layers}
                out.append(rec)
    return out
