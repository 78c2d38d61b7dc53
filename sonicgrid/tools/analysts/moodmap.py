"""From what musicnn heard (+ tempo, mode, loudness) to our tags and the brief's mood words.

Small heads trained by benchmarks/train_critic.py (weights in heads.json next to this module):
- drums: logistic regression, P(a drum part in the mix), trained on renders with and without a rhythm
  layer and on recorded drum loops;
- valence and arousal: ridge regressions onto the mood prototypes of the brief's words (MOOD_POINTS),
  trained on renders made for each mood; the mood word is the nearest prototype.
- energy from listeners' tags: the arousal is the mean of the ridge head and a documented tag mapping,
  `tag_energy` = log(sum of the energetic tags / sum of the quiet ones) (ENERGY_UP / ENERGY_DOWN: MTT's
  fast/loud/beat/drums/dance..., MSD's party/dance/metal/rock... against slow/quiet/soft/ambient, chill/
  mellow/easy listening). musicnn learned those tags from what listeners wrote about real music, so the
  mapping carries to recordings where a head fitted on our renders alone does not (docs/ears.md). Its offset
  and scale are set on the renders by train_critic.py (heads.json "energy_tags").
Inputs of every head: the logits of the 50 MTT and 50 MSD tag probabilities, then `DSP_NAMES`.
Voice presence is read from musicnn's vocal tags against its no-vocal tags (no training).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from sonicgrid.tools.analysts.features import Features
from sonicgrid.tools.analysts.mood import nearest
from sonicgrid.tools.analysts.musicnn_net import MSD_LABELS, MTT_LABELS

HEADS = Path(__file__).with_name("heads.json")
DSP_NAMES = (
    "tempo_100",
    "tempo_confidence",
    "pulse",
    "percussive_ratio",
    "onsets_8",
    "major_minor",
    "lufs_20",
    "centroid_4k",
)
VOCAL = ("vocal", "vocals", "singing", "voice", "male vocal", "female vocal", "male voice", "female voice", "choir")
NO_VOCAL = ("no vocals", "no vocal", "no voice")
INSTRUMENTS = ("piano", "guitar", "strings", "synth", "ambient", "electronic", "classical")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, float), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


ENERGY_UP = {
    "mtt": ("fast", "loud", "beat", "beats", "drums", "techno", "dance", "rock", "metal"),
    "msd": ("party", "dance", "House", "electro", "metal", "heavy metal", "hard rock", "punk", "rock"),
}
ENERGY_DOWN = {
    "mtt": ("slow", "quiet", "soft", "ambient", "new age"),
    "msd": ("chill", "chillout", "Mellow", "ambient", "easy listening", "beautiful"),
}


@lru_cache(maxsize=1)
def _energy_columns() -> tuple[np.ndarray, np.ndarray]:
    """Positions of ENERGY_UP's and ENERGY_DOWN's tags among the inputs' MTT + MSD tag logits."""
    at = {("mtt", t): i for i, t in enumerate(MTT_LABELS)} | {
        ("msd", t): len(MTT_LABELS) + i for i, t in enumerate(MSD_LABELS)
    }
    up = [at[(src, t)] for src, names in ENERGY_UP.items() for t in names]
    down = [at[(src, t)] for src, names in ENERGY_DOWN.items() for t in names]
    return np.array(up), np.array(down)


def tag_energy(x: np.ndarray) -> float:
    """log(energetic tags' probability mass / quiet tags'), read back from the inputs' tag logits."""
    p = 1.0 / (1.0 + np.exp(-np.asarray(x[: len(MTT_LABELS) + len(MSD_LABELS)], float)))
    up, down = _energy_columns()
    return float(np.log((p[up].sum() + 1e-3) / (p[down].sum() + 1e-3)))


def dsp_inputs(f: Features, mode: str, key_conf: float) -> np.ndarray:
    sign = 1.0 if mode == "major" else -1.0
    return np.array(
        [
            (f.tempo_bpm or 100.0) / 100.0,
            f.tempo_confidence,
            f.pulse,
            f.percussive_ratio,
            f.onset_rate / 8.0,
            sign * key_conf,
            max(-70.0, f.lufs) / 20.0,
            f.centroid_hz / 4000.0,
        ]
    )


def inputs(heard: dict, dsp: np.ndarray) -> np.ndarray:
    return np.concatenate([_logit(heard["mtt_tags"]), _logit(heard["msd_tags"]), dsp])


@lru_cache(maxsize=1)
def heads() -> dict:
    return json.loads(HEADS.read_text())


def _linear(name: str, x: np.ndarray) -> float:
    h = heads()[name]
    z = (x - np.asarray(h["mean"])) / np.asarray(h["std"])
    return float(z @ np.asarray(h["coef"]) + h["intercept"])


def drum_probability(x: np.ndarray) -> float:
    return float(1.0 / (1.0 + np.exp(-np.clip(_linear("drums", x), -30, 30))))


def tags(heard: dict, dsp_tags: dict[str, float], x: np.ndarray | None = None) -> dict[str, float]:
    mtt = dict(zip(MTT_LABELS, (float(v) for v in heard["mtt_tags"])))
    vocal = max(mtt[t] for t in VOCAL)
    none = max(mtt[t] for t in NO_VOCAL)
    out: dict[str, float] = {k: dsp_tags[k] for k in ("pad", "noise", "bass", "speech") if k in dsp_tags}
    if x is not None:
        out["drums"] = round(drum_probability(x), 3)
    out["voice"] = round(vocal / (vocal + none + 1e-9), 3)
    out.update({t: round(mtt[t], 3) for t in INSTRUMENTS})
    return out


def mood(x: np.ndarray) -> dict:
    valence = float(np.clip(_linear("valence", x), -1, 1))
    arousal = _linear("arousal", x)
    e = heads().get("energy_tags")
    if e:  # the mean of the head and the listeners' tags, in the head's units
        arousal = (arousal + e["head_scale"] * (tag_energy(x) - e["offset"]) / e["scale"]) / 2
    arousal = float(np.clip(arousal, -1, 1))
    return nearest(valence, arousal) | {
        "source": "musicnn tags + tempo/mode/loudness (heads.json)",
    }


def msd_top(heard: dict, n: int = 5) -> list[list]:
    """[[tag, probability], ...] best first (lists, not tuples: an analysis reads the same from JSON)."""
    t = np.asarray(heard["msd_tags"])
    return [[MSD_LABELS[i], round(float(t[i]), 3)] for i in np.argsort(-t)[:n]]
