"""The critic's examples beyond ears_data.examples(): more excerpts and renders, degraded at random strengths.

- Clean: recordings of the split at six more positions (some re-levelled by -24..0 dB and stored as 16-bit,
  as a user's file would be), renders of every mood with more seeds and layer sets, kit loops, mono twins of
  a third of the recordings and mixes, masters made through the product's enhance -> mix -> master chain, and
  loud masters (a limiter's flat tops at -10..-6 LUFS) of another third.
- Bad: each clean clip gets degradations of rotating kinds at a setting drawn by degrade.varied (SNR and
  noise colour, hole length and depth, cut-off and slope, bit depth and dither, ...).
Dev and test never share a recording (ears_data.split_of), a render seed (dev < 100 <= test) or a kit.

The cache is in two parts so that a change to the flaw measurements recomputes only them (about 0.1 s per
clip): `m1/...` the musicnn outputs (the expensive part), `flaws-<version>/...` the DSP flaw vector.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import ears_data as data

from sonicgrid.tools.analysts import flaws as flaws_mod

FLAWS_KEY = "flaws-" + hashlib.sha1(("2|" + ",".join(flaws_mod.NAMES)).encode()).hexdigest()[:8]
POSITIONS = {"dev": (0.1, 0.3, 0.5, 0.6, 0.8, 0.9), "test": (0.3, 0.55)}
SEEDS = {"dev": (1, 2, 3), "test": (101,)}
EXTRA = {"dev": 2, "test": 0}  # more degraded copies of each recording and mix
# bumped when a kind's random settings change (its cached copies are then recomputed)
KIND_VERSION = {
    "noise_0db": 2,
    "noise_10db": 2,
    "noise_20db": 2,
    "quantise_8bit": 2,
    "time_stretch": 2,
    "griffin_lim": 3,
    "lowpass_1k": 2,
}
LAYER_SETS = (
    (("rhythm", "harmony"), 6.0),
    (("harmony", "atmosphere"), 6.0),
    (("rhythm", "harmony", "atmosphere"), 6.0),
    (("rhythm",), 3.0),
    (("rhythm",), 6.0),
    (("harmony",), 3.0),
    (("atmosphere",), 3.0),
    (("texture",), 3.0),
    (("painted",), 3.0),
)
# masters made the way the grid makes them (ears_data.render(produced=True): each layer enhanced, the mixer's
# levels, reverb and ping-pong delay sends, then mastering): what the gate is asked about in the product.
# (layers, seconds, brightness): dark 3 s intros with the painter's texture, and plain 6 s mixes.
PRODUCED_SETS = (
    (("harmony", "atmosphere", "painted-texture"), 3.0, -0.5),
    (("rhythm", "harmony", "atmosphere", "painted-texture"), 3.0, -0.5),
    (("rhythm", "harmony", "atmosphere"), 6.0, 0.0),
    (("harmony", "painted"), 6.0, 0.0),
)
PRODUCED_SEEDS = {"dev": (1, 2), "test": (101,)}
# intros and outros as the grid makes them (they rise from silence, or fade to it): the painter's texture stem
# (a candidate the gate judges) and a master of three layers, 3 s; (layers, produced)
SECTION_SETS = ((("painted-texture",), False), (("harmony", "atmosphere", "painted-texture"), True))


def flaw_vector(audio) -> dict:
    from sonicgrid.tools.analysts import features

    fl = flaws_mod.measure(audio, features.extract(audio))
    return {"flaws": np.array([fl[n] for n in flaws_mod.NAMES], np.float64)}


def musicnn_of(audio) -> dict:
    from sonicgrid.tools.analysts.ears import hear_musicnn

    return {k: np.asarray(v, np.float32) for k, v in hear_musicnn(audio.mono().astype(np.float32), audio.sr).items()}


def with_flaws(h: dict, key: str, audio_fn, only_cached: bool = False) -> dict | None:
    """h (musicnn outputs) with the current flaw vector of the clip `audio_fn` makes."""
    fl = data.cached(f"{FLAWS_KEY}/{key}", lambda: flaw_vector(audio_fn()), only_cached)
    return None if fl is None else {**h, "flaws": fl["flaws"]}


def critic_h(key: str, audio_fn, only_cached: bool = False) -> dict | None:
    memo: dict = {}

    def audio():
        if "a" not in memo:
            memo["a"] = audio_fn()
        return memo["a"]

    m = data.cached(f"m1/{key}", lambda: musicnn_of(audio()), only_cached)
    return None if m is None else with_flaws(m, key, audio, only_cached)


def _relevel(a, rng):
    """A clean clip as a user's file might hold it: -24..0 dB, half of them as 16-bit samples."""
    from sonicgrid.audio import Audio

    x = a.stereo().samples
    x = x / (np.abs(x).max() + 1e-9) * 10 ** (rng.uniform(-24.0, -0.5) / 20)
    if rng.random() < 0.5:
        x = np.round(x * 32767) / 32767
    return Audio(x.astype(np.float32), a.sr)


def cleans(split: str) -> list[tuple[str, object, dict]]:
    """(key, audio maker, labels) of the split's extra clean clips."""
    out: list[tuple[str, object, dict]] = []
    for name, path in data.recordings(split):
        for at in POSITIONS[split]:
            key = f"{name}@{at}"
            seed = _hash(key)

            def make(p=path, a=at, sd=seed):
                # a generator of its own at every call: the clip (and its mono twin, which calls this again)
                # gets the same level whatever was made or cached before it
                rng = np.random.default_rng(sd)
                x = data.excerpt(p, a, data.EXCERPT_S)
                return _relevel(x, rng) if rng.random() < 0.4 else x

            out.append((key, make, {"source": "recording", "rec": name, "layers": ()}))
    for mood in data.MOODS:
        for s in SEEDS[split]:
            for layers, secs in LAYER_SETS:
                key = f"render/{mood}/{'+'.join(layers)}/{secs}/{s}"

                def make(m=mood, ly=layers, sd=s, sc=secs):
                    return data.render(m, ly, sd, sc)[0]

                out.append((key, make, {"source": "render", "rec": key, "mood": mood, "layers": layers}))
    for name, loop, _ in data.drum_loops(split):
        out.append((name, lambda a=loop: a, {"source": "kit", "rec": name, "layers": ("rhythm",)}))
    # the painter's texture layer, as the grid renders it (dark, band-limited by design for the low moods);
    # last, so that the degradation rotation of everything above keeps its cached picks
    for mood in data.MOODS:
        for s in SEEDS[split]:
            for secs in (3.0, 6.0):
                key = f"render/{mood}/painted-texture/{secs}/{s}"

                def make(m=mood, sd=s, sc=secs):
                    return data.render(m, ("painted-texture",), sd, sc)[0]

                out.append((key, make, {"source": "render", "rec": key, "mood": mood, "layers": ("texture",)}))
    # a third of the recordings and mixes again as a mono file would hold them (both channels the same): mono
    # is not a flaw, and without these the trees took matching channels for one (a clean mono file passed
    # 26 % of the time). Last, so that the degradation rotation of everything above keeps its cached picks.
    for key, make, lab in list(out):
        if _whole_piece(lab) and _third(f"{key}/mono") == 0:
            out.append((f"{key}/mono", lambda m=make: _mono(m()), {**lab, "mono": True}))
    # the product's own masters: without them the clean mixes were all plain sums, and a master's reverb and
    # delay sends move the channels' phase as no sum does. Last, for the cached picks above.
    for mood in data.MOODS:
        for s in PRODUCED_SEEDS[split]:
            for layers, secs, bright in PRODUCED_SETS:
                key = f"master/{mood}/{'+'.join(layers)}/{secs}/{bright}/{s}"

                def make(m=mood, ly=layers, sd=s, sc=secs, b=bright):
                    return data.render(m, ly, sd, sc, produced=True, brightness=b)[0]

                lab = {"source": "render", "rec": key, "mood": mood, "layers": layers, "produced": True}
                out.append((key, make, lab))
    for mood in data.MOODS:
        for s in PRODUCED_SEEDS[split]:
            for section in ("intro", "outro"):
                for layers, produced in SECTION_SETS:
                    key = f"{section}/{mood}/{'+'.join(layers)}/{int(produced)}/{s}"

                    def make(m=mood, ly=layers, sd=s, pr=produced, sc=section):
                        return data.render(m, ly, sd, 3.0, produced=pr, section=sc)[0]

                    lab = {"source": "render", "rec": key, "mood": mood, "layers": layers, "produced": produced}
                    out.append((key, make, {**lab, "section": section}))
    # a third of the recordings and mixes (drawn apart from the mono third) as a loud master holds them (-10
    # to -6 LUFS, peaks limited and clipped at the ceiling): a producer's limiter is not a fault, and without
    # these the trees read its flat tops as clipping (clean excerpts never trained on through pedalboard's
    # limiter at +6 / +9 / +12 dB passed 87 / 76 / 62 %). Last, for the cached picks above.
    for key, make, lab in list(out):
        if _whole_piece(lab) and not lab.get("mono") and _third(f"{key}/loud") == 1:
            out.append((f"{key}/loud", lambda m=make, k=key: _loud(m(), k), {**lab, "loud": True}))
    # a third of the recordings and mixes (drawn apart from the other thirds) as files at other sample rates,
    # half of them at librosa's default 22.05 kHz and half of those mono as librosa.load gives them, degraded
    # at that rate: without them the trees leant on the band above 11 kHz, which a 22.05 kHz file does not
    # have, and 10 and 20 dB noise, a 1 kHz low-pass and Griffin-Lim made at 22.05 kHz passed 83-91 % of the
    # time (clean files at that rate passed as they should). Last, for the cached picks above.
    for key, make, lab in list(out):
        if _whole_piece(lab) and not (lab.get("mono") or lab.get("loud")) and _third(f"{key}/rate") == 2:
            sr = RATES[_hash(f"{key}/sr") % len(RATES)]
            mono = sr == 22050 and _hash(f"{key}/sr-mono") % 2 == 0
            twin = {**lab, "rate": sr, "mono": mono}
            out.append((f"{key}/sr{sr}{'m' if mono else ''}", lambda m=make, r=sr, mo=mono: _at_rate(m(), r, mo), twin))
    return out


RATES = (22050, 22050, 32000, 48000)


def _at_rate(a, sr: int, mono: bool):
    """The clip resampled to `sr` (polyphase, its own anti-alias filter), as a mono file if `mono`."""
    from math import gcd

    from scipy.signal import resample_poly

    from sonicgrid.audio import Audio

    g = gcd(int(a.sr), sr)
    y = resample_poly(a.stereo().samples.astype(np.float64), sr // g, int(a.sr) // g, axis=0)
    if mono:
        y = np.repeat(y.mean(axis=1, keepdims=True), 2, axis=1)
    return Audio(np.ascontiguousarray(y, np.float32), sr)


def _hash(key: str) -> int:
    """A stable 32-bit number from a text (seeds and the thirds of the twins)."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16)


def _third(key: str) -> int:
    return _hash(key) % 3


def _loud(a, key: str):
    """A loud master of the clip: peak to -1 dBFS, 4-12 dB of gain into pedalboard's limiter (two compressors
    and a clipper at 0 dBFS, the threshold -1 to -0.1 dB setting the drive); a third of them also driven 1-4 dB
    into a tanh soft clipper, as a mastering saturator does."""
    import pedalboard as pb

    from sonicgrid.audio import Audio

    rng = np.random.default_rng(_hash(f"{key}/loud"))
    x = a.stereo().samples.astype(np.float64)
    x = x / (np.abs(x).max() + 1e-9) * 10 ** (-1.0 / 20)
    ceiling = rng.uniform(-1.0, -0.1)
    board = pb.Pedalboard([pb.Gain(gain_db=float(rng.uniform(4.0, 12.0))), pb.Limiter(threshold_db=float(ceiling))])
    y = board(np.ascontiguousarray(x.T, np.float32), a.sr).T.astype(np.float64)
    if rng.random() < 1 / 3:
        drive = 10 ** (rng.uniform(1.0, 4.0) / 20)
        y = np.tanh(y * drive) / np.tanh(drive) * 10 ** (ceiling / 20)
    return Audio(np.ascontiguousarray(y[: len(x)], np.float32), a.sr)


def _whole_piece(lab: dict) -> bool:
    """A recording or a mix of several layers (not a stem or a kit loop)."""
    return lab["source"] == "recording" or len(lab["layers"]) > 1


def _mono(a):
    """The clip as a mono file holds it: the channels' mean in both."""
    from sonicgrid.audio import Audio

    return Audio(a.mono()[:, None], a.sr).stereo()


def examples(split: str, per_clip: int = 3, log=print, only_cached: bool = False) -> list[dict]:
    """The split's extra clean clips and `per_clip` (+ EXTRA) degraded copies of each (kinds rotating,
    settings drawn from degrade.varied; one copy for single-layer renders and mono twins)."""
    from sonicgrid.audio import Audio
    from sonicgrid.tools.analysts.degrade import DEGRADATIONS, degrade

    kinds = list(DEGRADATIONS)
    out: list[dict] = []
    rot = rot2 = 0
    items = cleans(split)
    for n, (key, make, lab) in enumerate(items):
        memo: dict = {}

        def clean(make=make, memo=memo):
            if "a" not in memo:
                memo["a"] = make()
            return memo["a"]

        skip = lab["rec"] in data.NOT_MUSIC  # still takes its turn in the rotation
        h = None if skip else critic_h(f"x1/{key}/clean", clean, only_cached)
        if h is not None:
            out.append({"name": key, "kind": "clean", "good": True, "h": h, **lab})
        # one copy for a single-layer render and for a mono or loud twin (more would teach the trees that a
        # mono file is likelier bad: Griffin-Lim's mono variant already copies one channel to both)
        # (a twin at another rate gets the full set: its point is the faults made at that rate)
        twin = lab.get("mono") and not lab.get("rate")
        k = per_clip if _whole_piece(lab) and not (twin or lab.get("loud")) else 1
        more = EXTRA[split] if k > 1 else 0
        for j in range(k + more):
            if j < k:
                kind = kinds[rot % len(kinds)]
                rot += 1
            else:  # a second rotation, so that the first's cached picks stay as they were
                kind = kinds[(rot2 + 7) % len(kinds)]
                rot2 += 1
            seed = _hash(f"{key}/{j}")

            def bad(kind=kind, seed=seed, clean=clean):
                a = clean().stereo()
                return Audio(degrade(a.samples, a.sr, kind, seed=seed, vary=True), a.sr)

            hb = None if skip else critic_h(f"x{KIND_VERSION.get(kind, 1)}/{key}/{kind}/{seed}", bad, only_cached)
            if hb is not None:
                out.append({"name": key, "kind": kind, "good": False, "h": hb, **lab})
        if n % 25 == 0:
            log(f"  {split} (varied): {n + 1}/{len(items)} clips ({len(out)} examples)")
    return out
