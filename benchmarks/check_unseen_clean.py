"""The gate's clean pass on music no part of the ears was trained or calibrated on: two more openly licensed
soundtracks from Debian (`apt-get install fb-music-high drascula-music`), four 6 s excerpts of every track
longer than 8 s. Prints the pass rate (score >= 5) and every excerpt that fails, with the measurements that
drove it and any hard limit broken. Run: python benchmarks/check_unseen_clean.py
"""

from __future__ import annotations

import glob
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import ears_data as data

SOURCES = ("/usr/share/games/frozen-bubble/snd/*zik*.ogg", "/usr/share/scummvm/drascula/audio/*.ogg")
POSITIONS = (0.15, 0.35, 0.55, 0.75)


def main() -> None:
    import soundfile as sf

    from sonicgrid.tools.analysts import critic, features

    files = [f for pat in SOURCES for f in sorted(glob.glob(pat)) if sf.info(f).duration >= 8.0]
    if not files:
        sys.exit("no music found: apt-get install fb-music-high drascula-music")
    passed = []
    for f in files:
        for at in POSITIONS:
            a = data.excerpt(Path(f), at, 6.0)
            if float(np.abs(a.samples).max()) < 1e-3:  # a silent gap between cues is not music
                continue
            v = critic.vector(critic.flaws(a, features.extract(a)), {}, ("flaws",))
            p, drivers = critic.judge(v)
            passed.append(critic.score(p) >= 5.0)
            if not passed[-1]:
                print(f"  fails: {Path(f).stem}@{at} score {critic.score(p)} {critic.limits_broken(v)} {drivers}")
    print(f"clean pass {100 * np.mean(passed):.1f} % (n={len(passed)} excerpts of {len(files)} tracks)")


if __name__ == "__main__":
    main()
