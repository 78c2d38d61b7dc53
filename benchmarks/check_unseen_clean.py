"""The gate on music no part of the ears was trained or calibrated on: more openly licensed soundtracks from
Debian, in other styles than the training recordings (the second set: blues, techno, rock, chiptune-like
game tracks). Every track longer than 8 s gives 6 s excerpts at four positions. Prints the clean pass rate
(score >= 5) and every excerpt that fails, with the measurements that drove it and any hard limit broken;
with --faults, also the fail rate (score < 5) on each fault of check_other_tools.py (librosa's Griffin-Lim,
mel inversion and pitch shift, pedalboard's codecs and effects) at one position per track.

  apt-get install fb-music-high drascula-music                                  # the first set
  apt-get install extremetuxracer-data lincity-ng-data neverball-common xmoto-data   # the second set

Run: python benchmarks/check_unseen_clean.py [--faults]
"""

from __future__ import annotations

import argparse
import glob
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import ears_data as data
from check_stretch import judge, score

SETS = {
    "first": ("/usr/share/games/frozen-bubble/snd/*zik*.ogg", "/usr/share/scummvm/drascula/audio/*.ogg"),
    "second": (
        "/usr/share/games/etr/music/*.ogg",
        "/usr/share/games/lincity-ng/music/default/*.ogg",
        "/usr/share/games/neverball/bgm/*.ogg",
        "/usr/share/games/xmoto/Textures/Musics/*.ogg",
    ),
}
POSITIONS = (0.15, 0.35, 0.55, 0.75)
FAULT_AT = 0.45


def _silent(a) -> bool:
    """A silent gap between cues, not music."""
    return float(np.abs(a.samples).max()) < 1e-3


def tracks(patterns: tuple[str, ...]) -> list[str]:
    """The set's tracks of 8 s or more, in order."""
    import soundfile as sf

    return [f for pat in patterns for f in sorted(glob.glob(pat)) if sf.info(f).duration >= 8.0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--faults", action="store_true", help="also the faults of check_other_tools.py")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    for name, patterns in SETS.items():
        files = tracks(patterns)
        if not files:
            print(f"{name} set: no music found (see the apt-get lines in this script's docstring)")
            continue
        passed = []
        for f in files:
            for at in POSITIONS:
                a = data.excerpt(Path(f), at, 6.0)
                if _silent(a):
                    continue
                s, broken, drivers = judge(a)
                passed.append(s >= 5.0)
                if not passed[-1]:
                    print(f"  fails: {Path(f).stem}@{at} score {s} {broken} {drivers}")
        print(f"{name} set: clean pass {100 * np.mean(passed):.1f} % (n={len(passed)} excerpts of {len(files)} tracks)")
        if args.faults:
            _faults(files)


def _faults(files: list[str]) -> None:
    from check_other_tools import kinds

    makers = {k: v for k, v in kinds().items() if k != "clean"}
    failed: dict[str, list[bool]] = {k: [] for k in makers}
    for f in files:
        a = data.excerpt(Path(f), FAULT_AT, data.EXCERPT_S)
        if _silent(a):
            continue
        for kind, make in makers.items():
            failed[kind].append(score(make(a)) < 5.0)
    for kind, v in failed.items():
        print(f"  fail {kind:26s} {100 * np.mean(v):5.1f} % (n={len(v)})")
    print(f"  fail ALL faults {100 * np.mean([x for v in failed.values() for x in v]):5.1f} %")


if __name__ == "__main__":
    main()
