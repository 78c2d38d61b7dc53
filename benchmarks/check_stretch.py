"""The gate on time-stretched copies made by another stretcher than the training set's (degrade.stretch):
librosa.effects.time_stretch (its phase vocoder on each channel, not returned to the clip's length) at rates
0.5-0.85 and 1.2-1.6, on DEV recordings (never the test split: this is a check of the features while they
are developed). Prints the critic's fail rate (score < 5) on the stretched copies and the pass rate on the
same clean excerpts. Run: python benchmarks/check_stretch.py
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import ears_data as data

POSITIONS = (0.35, 0.7)  # not the positions ears_data/critic_data train on (0.1-0.9 grid minus these)


def stretched(a, rate: float):
    import librosa

    from sonicgrid.audio import Audio

    y = librosa.effects.time_stretch(np.ascontiguousarray(a.samples.T), rate=rate)
    return Audio(np.ascontiguousarray(y.T).astype(np.float32), a.sr)


def judge(a) -> tuple[float, list[str], dict]:
    """The critic on a clip: (score, hard limits broken, the measurements that drove it)."""
    from sonicgrid.tools.analysts import critic, features

    fl = critic.flaws(a, features.extract(a))
    p, drivers, broken = critic.judge(critic.vector(fl, {}, ("flaws",)), fl)
    return critic.score(p), broken, drivers


def score(a) -> float:
    return judge(a)[0]


def main() -> None:
    rows: dict[str, list[bool]] = {"clean (pass)": [], "rate 0.5-0.85 (fail)": [], "rate 1.2-1.6 (fail)": []}
    for name, path in data.recordings("dev"):
        if name in data.NOT_MUSIC:
            continue
        for at in POSITIONS:
            a = data.excerpt(path, at, data.EXCERPT_S)
            rng = np.random.default_rng(int(hashlib.sha1(f"{name}@{at}/stretch".encode()).hexdigest()[:8], 16))
            rows["clean (pass)"].append(score(a) >= 5.0)
            rows["rate 0.5-0.85 (fail)"].append(score(stretched(a, rng.uniform(0.5, 0.85))) < 5.0)
            rows["rate 1.2-1.6 (fail)"].append(score(stretched(a, rng.uniform(1.2, 1.6))) < 5.0)
    for k, v in rows.items():
        print(f"  {k:22s} {100 * np.mean(v):5.1f} % (n={len(v)})")


if __name__ == "__main__":
    main()
