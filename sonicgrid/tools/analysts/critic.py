"""The learned quality critic: is this good audio? Gradient-boosted trees (scikit-learn, exported to JSON)
on DSP flaw detectors plus, where cross-validation chose them, the musicnn tags and embeddings; trained by
benchmarks/train_critic.py on real recorded music and our renders (good) against their degradations and
failed generations (bad). The weights ship as critic.json next to this module; inference is plain numpy.

`flaws()` are the DSP numbers (flaws.py: each a plain measurement, named for what a person would check);
`vector()` joins them with the musicnn outputs in the order the weights expect; `judge()` gives
P(good) and the 1-10 score the gatekeeper reads (1 + 8.5 * P: a critic's estimate never reaches 10).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from sonicgrid.audio import Audio
from sonicgrid.tools.analysts import flaws as flaw_measures
from sonicgrid.tools.analysts.features import Features

WEIGHTS = Path(__file__).with_name("critic.json")
TOP = 8.5  # score = 1 + TOP * P(good)

FLAW_NAMES = flaw_measures.NAMES


def flaws(audio: Audio, f: Features) -> dict[str, float]:
    """The DSP flaw measurements (flaws.py), by name."""
    return flaw_measures.measure(audio, f)


PARTS: dict[str, tuple[str, ...] | None] = {
    "flaws": None,
    "tags": ("mtt_tags", "msd_tags"),
    "embedding": ("mtt_embedding", "msd_embedding"),
}


# Quantisation is the hard limit's to judge (MIN_BITS, below); the trees read the effective bits only up to
# BITS_HEARD. Above it, more bits are not cleaner audio: a quiet 16-bit file (peak at -24 dBFS: 11 bits) is
# as clean as a loud one (12), and a split the trees once drew at 10.9 bits, between the quietest clean dev
# clip (10.93) and the rest, failed a clean test excerpt at 10.88.
BITS_HEARD = 10.0
_BITS = FLAW_NAMES.index("eff_bits")


def vector(fl: dict[str, float], heard: dict[str, np.ndarray], parts: tuple[str, ...] | None = None) -> np.ndarray:
    """The critic's inputs: DSP flaws, then (as the weights say) musicnn tag probabilities and embeddings."""
    parts = tuple(parts or weights()["features"])
    flaw_values = np.array([fl[n] for n in FLAW_NAMES], float)
    flaw_values[_BITS] = min(flaw_values[_BITS], BITS_HEARD)
    out = [flaw_values]
    for part in parts[1:]:
        out += [np.asarray(heard[k], float) for k in PARTS[part] or ()]
    return np.concatenate(out)


def weights() -> dict:
    """critic.json, parsed once per version of the file (it is read twice for every clip heard): a stat per
    call, so a long-running studio or a benchmark that points WEIGHTS elsewhere hears the file that is there."""
    st = WEIGHTS.stat()
    return _parsed(str(WEIGHTS), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=2)
def _parsed(path: str, size: int, mtime_ns: int) -> dict:
    return json.loads(Path(path).read_text())


def available() -> bool:
    return WEIGHTS.exists()


def raw_score(w: dict, v: np.ndarray) -> float:
    """Gradient-boosted trees (exported from scikit-learn): init + rate * sum of the leaves reached. Inputs
    are rounded to float32, as scikit-learn's trees read them, and compared with the thresholds in float64, as
    they compare them (a float32 scalar against a Python float compares in float32 under NumPy 2, and a
    threshold halfway between two float32 values then rounds onto one of them and sends it the other way)."""
    x = [float(u) for u in np.asarray(v, np.float32)]
    total = 0.0
    for t in w["trees"]:
        node = 0
        while t["l"][node] != -1:
            node = t["l"][node] if x[t["f"][node]] <= t["t"][node] else t["r"][node]
        total += t["v"][node]
    return float(w["init"] + w["rate"] * total)


def trees_of(model, X: np.ndarray, digits: int | None = None) -> dict:
    """The format `raw_score` reads, from a fitted scikit-learn GradientBoostingClassifier (binary): its
    trees' nodes (feature, threshold, children, value; values rounded to `digits` when given), its initial
    raw prediction (the same for every row of X) and its learning rate."""
    trees = []
    for est in model.estimators_[:, 0]:
        t = est.tree_
        values = [float(v) for v in t.value[:, 0, 0]]
        trees.append(
            {
                "f": [int(v) for v in t.feature],
                "t": [float(v) for v in t.threshold],
                "l": [int(v) for v in t.children_left],
                "r": [int(v) for v in t.children_right],
                "v": values if digits is None else [round(v, digits) for v in values],
            }
        )
    return {"init": float(model._raw_predict_init(X[:1])[0, 0]), "rate": float(model.learning_rate), "trees": trees}


# Hard limits in code next to the learned trees: a fault that one measurement settles fails the gate whatever
# the trees weigh (they add evidence, so one decisive measurement can be outvoted). Each limit sits far
# from every clean clip of the training cache (dev + test, 900+ clips: recordings, renders, kit loops) and
# inside every degraded copy of its kind:
# - quantised: sample values on a lattice of 2**9.5 steps of the peak or fewer (clean >= 10.9 bits, every
#   4-10-bit copy <= 9.0; a 16-bit file would need its peak under -33 dBFS). The trees alone passed 1
#   canonical 8-bit copy in 10;
# - a DC offset: an offset that every eighth of the clip keeps at 10 % of the clip's peak or more (clean
#   <= 0.052: real recordings carry mild or decaying offsets; an offset of 0.15 of full scale or of the peak
#   measures >= 0.13);
# - a dead channel: one channel 24 dB or more under the other (clean >= -8.2 dB; the degrader's silent or
#   30-60 dB-down channel <= -30);
# - opposite polarity: the channels' correlation -0.9 or less (clean >= -0.51; an inverted copy -1);
# - a late start: silence (40 dB under the clip's loud level) for the first 30 % of the clip or more, the mirror
#   of the truncated render the trees learnt. Measured outside the trees (flaws.LIMIT_ONLY): the product's clips
#   and candidates <= 0.03 (3000 of the eval runs' and tests'), 387 whole recordings <= 0.02, their first 10 s
#   <= 0.26; their first 6 s reach 0.43 (3 of 387 over 0.3: a track's own silent start, 1.8-2.6 s).
MIN_BITS = 9.5
LIMITS: tuple[tuple[str, str, float, str], ...] = (
    ("eff_bits", "<=", MIN_BITS, "quantised"),
    ("dc_steady", ">=", 0.1, "DC offset"),
    ("channel_balance_db", "<=", -24.0, "dead channel"),
    ("channel_corr", "<=", -0.9, "channels in opposite polarity"),
    ("lead_share", ">=", 0.3, "starts late (silent first third)"),
)
LIMIT_P = 0.3  # P(good) at most: score 3.55, under the gate's 5


def limits_broken(v: np.ndarray, fl: dict[str, float] | None = None) -> list[str]:
    """The hard limits the flaw vector `v` breaks (LIMITS' names); those on measurements outside the vector
    (flaws.LIMIT_ONLY) are read from the flaws `fl` when given."""
    out = []
    for name, op, bound, what in LIMITS:
        x = float(v[FLAW_NAMES.index(name)]) if name in FLAW_NAMES else (fl or {}).get(name)
        if x is not None and ((x <= bound) if op == "<=" else (x >= bound)):
            out.append(what)
    return out


def judge(v: np.ndarray, fl: dict[str, float] | None = None) -> tuple[float, dict[str, float], list[str]]:
    """(P(good), the DSP flaws furthest from good music in robust z-units (median/IQR of the good class),
    the hard limits broken). A broken hard limit caps P(good) at LIMIT_P, and its measurement leads the
    drivers. `fl`: the flaws() the vector came from, for the limits on measurements the trees do not read."""
    w = weights()
    logit = raw_score(w, v) + w.get("offset", 0.0)
    p = float(1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30))))
    broken = limits_broken(v, fl)
    if broken:
        p = min(p, LIMIT_P)
    z = (v[: len(FLAW_NAMES)] - np.asarray(w["good_median"])) / np.asarray(w["good_scale"])
    first = [FLAW_NAMES.index(n) for n, _, _, what in LIMITS if what in broken and n in FLAW_NAMES]
    far = first + [i for i in sorted(range(len(FLAW_NAMES)), key=lambda i: -abs(z[i])) if i not in first]
    drivers = {n: round(float((fl or {})[n]), 2) for n, _, _, what in LIMITS if what in broken and n not in FLAW_NAMES}
    return p, drivers | {FLAW_NAMES[i]: round(float(z[i]), 1) for i in far[:5]}, broken


def score(p_good: float) -> float:
    return round(1.0 + TOP * float(p_good), 2)


def vector_from(h: dict, parts: tuple[str, ...] | None = None) -> np.ndarray:
    """`vector()` from stored features: {"flaws": array in FLAW_NAMES order, musicnn arrays}."""
    return vector(dict(zip(FLAW_NAMES, (float(v) for v in h["flaws"]))), h, parts)
