"""Re-hear the key of every cached clean example after a change to the key code (notes.key_from_notes), without
hearing the rest again: the clip is made again, transcribed, and its key, mode, key confidence and the heads'
DSP inputs (which read the mode and its confidence) are rewritten in the feature cache (ears_data.CACHE).
Degraded copies are not touched (they are heard without notes). Run before train_critic.py --heads-only --cached.

Run: python benchmarks/refresh_keys.py [examples] [loops] [drum] [tempo] [comping] [recorded]  (default: all)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import ears_data as data
import recorded_drums


def light_hear(audio, with_notes: bool = True) -> dict:
    """The fields of ears_data.hear that the key decides (ears_data.key_fields), without musicnn or the flaws."""
    from sonicgrid.tools.analysts import features, notes

    if not with_notes:
        return {}
    f = features.extract(audio)
    return data.key_fields(f, notes.transcribe(audio.mono().astype(np.float32), audio.sr))


GROUPS = ("examples", "loops", "drum", "tempo", "comping", "recorded")


def main(groups: tuple[str, ...] = GROUPS) -> None:
    done: set[str] = set()
    counts = {"refreshed": 0, "changed": 0}
    t0 = time.time()

    def cached(key: str, compute, only_cached: bool = False):
        p = data.cache_path(key)
        if not p.exists():
            return None
        with np.load(p, allow_pickle=False) as z:
            h = {k: z[k] for k in z.files}
        if not key.endswith("/clean") or key in done or "key_confidence" not in h:
            return h
        done.add(key)
        new = compute()
        if new:
            counts["refreshed"] += 1
            counts["changed"] += str(h.get("mode")) != str(new["mode"]) or str(h.get("key")) != str(new["key"])
            h.update(new)
            np.savez(p, **h)
            if counts["refreshed"] % 50 == 0:
                print(
                    f"  {counts['refreshed']} refreshed ({counts['changed']} keys changed), {time.time() - t0:.0f} s",
                    flush=True,
                )
        return h

    data.cached = cached
    data.hear = light_hear
    for split in ("dev", "test"):
        if "examples" in groups:
            data.examples(split, only_cached=True, log=lambda *_: None)
        if "loops" in groups:
            for n, a, _ in data.drum_loops(split):
                cached(f"v1/{n}/clean", lambda a=a: light_hear(a))
        if "drum" in groups:
            data.all_drum_mixes(split, only_cached=True)
        if "tempo" in groups:
            data.tempo_mixes(split, only_cached=True)
        if "comping" in groups:
            data.comping_mixes(split, only_cached=True)
        if "recorded" in groups:
            recorded_drums.examples(split, shifted=split == "dev", only_cached=True)
    print(
        f"{counts['refreshed']} clean examples re-heard, {counts['changed']} with another key; {time.time() - t0:.0f} s"
    )


if __name__ == "__main__":
    main(tuple(sys.argv[1:]) or GROUPS)
