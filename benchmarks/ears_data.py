"""Music for training and testing the ears: Debian packages' recordings, our own renders, drum loops.

- Recordings: wesnoth-1.16-music, hyperrogue-music, asc-music (openly licensed game soundtracks,
  installed by `make music-data`); split into dev/test by a hash of the file name, so all excerpts of
  one recording are on one side.
- Renders: the embedded composer (SoundFontComposer, NoiseTexture, SpectralPainter) for each mood, with
  known key, mode, tempo and layers; split by seed (dev seeds < 100, test seeds >= 100).
- Drum loops: recorded one-shots of the hydrogen kits on a rock grid at known tempi (eval_real_audio.py).
Features of every example are cached under $SONICGRID_EARS_CACHE (default /tmp/sonicgrid-ears-cache).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

SOURCES = {
    "wesnoth": Path("/usr/share/games/wesnoth/1.16/data/core/music"),
    "hyperrogue": Path("/usr/share/hyperrogue/music"),
    "asc": Path("/usr/share/games/asc/music"),
}
CACHE = Path(os.environ.get("SONICGRID_EARS_CACHE", Path(tempfile.gettempdir()) / "sonicgrid-ears-cache"))
SR = 44100
EXCERPT_S = 3.5  # one musicnn patch: the CPU is shared, features of every example take ~5 s
# 10 s of digital silence (peak -79 dBFS): neither good music nor a test of it. Left out of the examples
# (after the rotation of degradation kinds, so that every other clip keeps its picks).
NOT_MUSIC = {"wesnoth/silence"}
MOODS = ("moody", "calm", "happy", "energetic", "tender", "tense", "epic", "dreamy")


LABELS = Path(__file__).with_name("music_labels.yaml")  # not in evals/: `sonicgrid eval evals/*.yaml` reads it


def labels(section: str) -> dict[str, str]:
    """One section of music_labels.yaml (its provenance is written there)."""
    import yaml

    return yaml.safe_load(LABELS.read_text())[section]


def title_moods(split: str) -> dict[str, str]:
    """Recording -> mood word derived from its title (music_labels.yaml: `recordings` is the test split's,
    `recordings_dev` the dev split's; not listened to)."""
    return labels("recordings_dev" if split == "dev" else "recordings")


def split_of(name: str) -> str:
    return "dev" if int(hashlib.sha1(name.encode()).hexdigest(), 16) % 10 < 6 else "test"


def recordings(split: str | None = None) -> list[tuple[str, Path]]:
    """(name, path) of every installed recording, optionally only one split."""
    out = []
    for src, root in SOURCES.items():
        if not root.is_dir():
            continue
        for p in sorted(root.iterdir()):
            if p.suffix.lower() in (".ogg", ".mp3", ".flac", ".wav"):
                name = f"{src}/{p.stem}"
                if split is None or split_of(name) == split:
                    out.append((name, p))
    return out


def excerpt(path: Path, at: float, seconds: float):
    """`seconds` of a recording starting at fraction `at` of its length, as stereo Audio at 44.1 kHz."""
    import soundfile as sf

    from sonicgrid.audio import Audio
    from sonicgrid.tools.analysts.dsp import to_rate

    with sf.SoundFile(str(path)) as f:
        n = f.frames
        start = int(max(0, min(n - seconds * f.samplerate, at * n)))
        f.seek(start)
        x = f.read(int(seconds * f.samplerate), dtype="float32", always_2d=True)
        sr = f.samplerate
    if x.shape[1] == 1:
        x = np.repeat(x, 2, axis=1)
    x = x[:, :2]
    if sr != SR:
        x = np.stack([to_rate(x[:, c], sr, SR) for c in range(2)], axis=1)
    return Audio(x.astype(np.float32), SR)


def render(
    mood: str,
    layers: tuple[str, ...],
    seed: int,
    seconds: float = 8.0,
    produced: bool = False,
    section: str = "loop",
    **brief,
):
    """A mix of the embedded generators' layers for `mood`; returns (Audio, arrangement dict). `produced`: through
    the product's chain instead of a plain sum (each layer enhanced, the mixer's role levels, sends and bus,
    then mastering), as the grid makes a master. `section`: the grid's section the layers are made for (an intro
    rises from silence and fades, an outro fades out)."""
    from sonicgrid.audio import Audio
    from sonicgrid.tools.base import GenRequest
    from sonicgrid.tools.generators.noise import NoiseTexture
    from sonicgrid.tools.generators.painter import SpectralPainter
    from sonicgrid.tools.generators.soundfont import SoundFontComposer

    b = {"prompt": f"{mood} test", "mood": mood, **brief}
    mix, arr, cells = None, {}, []
    for layer in layers:
        if layer == "texture":
            tool = NoiseTexture(SR)
        elif layer == "painted":
            tool, layer = SpectralPainter(SR), "atmosphere"
        elif layer == "painted-texture":  # what the grid renders for a texture layer (the painter is picked first)
            tool, layer = SpectralPainter(SR), "texture"
        else:
            tool = SoundFontComposer(SR)
        r = tool.run(GenRequest(b["prompt"], b, layer, section, seconds, seed=seed))
        arr = r.meta.get("arrangement", arr) or arr
        if produced:
            from sonicgrid.tools.enhancers.music import enhance_music
            from sonicgrid.tools.mixer import Cell

            cells.append(Cell(layer, enhance_music(r.audio.stereo())[0]))
            continue
        x = r.audio.stereo().samples
        mix = x if mix is None else mix[: len(x)] + x[: len(mix)]
    if produced:
        from sonicgrid.tools.enhancers.master import master
        from sonicgrid.tools.mixer import mix as mix_cells

        return master(mix_cells(cells, SR, arr.get("tempo_bpm"))[0])[0], arr
    peak = float(np.abs(mix).max()) + 1e-9
    return Audio((mix / peak * 0.7).astype(np.float32), SR), arr


def drum_loops(split: str) -> list[tuple[str, object, float]]:
    """(name, Audio, bpm) recorded-kit loops; kits alternate between dev and test."""
    sys.path.insert(0, str(Path(__file__).parent))
    import eval_real_audio as real

    kits = real.drum_kits()
    out = []
    for i, (name, kit) in enumerate(sorted(kits.items())):
        if (i % 2 == 0) != (split == "dev"):
            continue
        bpm = (84.0, 100.0, 120.0, 140.0)[i % 4]
        out.append((f"kit/{name}", real.drum_loop(kit, bpm, seconds=8.0, seed=i), bpm))
    return out


# the grid renders atmosphere and texture layers with the painter when it is there ("painted", "painted-texture")
DARK_SETS = (
    ("rhythm", "harmony", "atmosphere", "painted-texture"),
    ("harmony", "atmosphere", "painted-texture"),
    ("rhythm", "harmony"),
    ("harmony", "atmosphere"),
    ("rhythm", "harmony", "painted", "painted-texture"),
    ("harmony", "painted", "painted-texture"),
)
PLAIN_SETS = (
    ("harmony",),
    ("harmony", "atmosphere"),
    ("rhythm", "harmony", "atmosphere"),
    ("rhythm", "harmony"),
    ("harmony", "painted"),
    ("rhythm", "harmony", "painted"),
    ("harmony", "painted", "painted-texture"),
    ("rhythm", "harmony", "painted", "painted-texture"),
)


def drum_mixes(split: str, dark: bool, only_cached: bool = False, produced: bool = False) -> list[dict]:
    """More mixes for the drums head, with and without a rhythm layer, 8 s, every mood. dark: what the grid
    makes for a lo-fi or dark brief (brightness -0.5: the composer low-passes its layers at 2.5 kHz, the painter
    and the noise texture darken; dev seeds 0-1, test 100); else the plain palette, a harmony layer alone
    among them (its comping is not a drum part; dev seeds 1-2, produced 1-4, test 101). `produced`: through the product's
    enhance -> mix -> master chain (render(produced=True)). Dicts like examples()' renders."""
    out = []
    sets, seeds = (DARK_SETS, (0, 1)) if dark else (PLAIN_SETS, (1, 2, 3, 4) if produced else (1, 2))
    for mood in MOODS:
        for seed in seeds if split == "dev" else (seeds[0] + 100,):
            for layers in sets:
                kind = ("dark" if dark else "mix") + ("-produced" if produced else "")
                name = f"render-{kind}/{mood}/{'+'.join(layers)}/{seed}"
                brief = {"brightness": -0.5} if dark else {}
                e = _heard_render(name, mood, layers, seed, produced, only_cached, **brief)
                if e is not None:
                    out.append(e)
    return out


def all_drum_mixes(split: str, only_cached: bool = False) -> list[dict]:
    """drum_mixes of every kind: lo-fi and plain, each as a plain sum and as a master."""
    return [
        e
        for produced in (False, True)
        for dark in (True, False)
        for e in drum_mixes(split, dark, only_cached=only_cached, produced=produced)
    ]


def _heard_render(name: str, mood: str, layers: tuple[str, ...], seed: int, produced: bool, only_cached: bool, **brief):
    """An 8 s render heard (cached under `name`), as a clean example dict like examples()' renders; None when
    `only_cached` and not heard yet."""
    h = cached(f"v1/{name}/clean", lambda: hear(render(mood, layers, seed, 8.0, produced, **brief)[0]), only_cached)
    if h is None:
        return None
    return {"name": name, "kind": "clean", "good": True, "h": h, "source": "render", "rec": name} | {
        "mood": mood,
        "layers": layers,
    }


TEMPO_SETS = (
    ("harmony",),
    ("harmony", "atmosphere"),
    ("harmony", "painted"),
    ("rhythm", "harmony"),
    ("rhythm", "harmony", "atmosphere"),
)
TEMPI = (60.0, 75.0, 90.0, 105.0, 120.0, 140.0)


def tempo_mixes(split: str, only_cached: bool = False) -> list[dict]:
    """Product-chain mixes (render(produced=True), 8 s) of every mood at a tempo the brief asks for, drawn from
    TEMPI whatever the mood: a calm harmony layer comps on the beat at 110 bpm as a drum part does, and the
    moods' own tempi alone taught the drums head that a fast pulse means drums. Half the sets have a rhythm
    layer. Dev seeds 5-6, test 102."""
    out = []
    for mood in MOODS:
        for seed in (5, 6) if split == "dev" else (102,):
            for i, layers in enumerate(TEMPO_SETS):
                bpm = TEMPI[int(hashlib.sha1(f"{mood}/{seed}/{i}".encode()).hexdigest(), 16) % len(TEMPI)]
                name = f"render-tempo/{mood}/{'+'.join(layers)}/{seed}/{bpm:.0f}"
                e = _heard_render(name, mood, layers, seed, True, only_cached, tempo_bpm=bpm)
                if e is not None:
                    out.append(e | {"tempo_bpm": bpm})
    return out


COMPING_SETS = (("harmony",), ("harmony", "atmosphere"), ("rhythm", "harmony"))


def comping_mixes(split: str, only_cached: bool = False) -> list[dict]:
    """Product-chain masters (8 s) of every mood at a brisk tempo: a calm, tender or dreamy harmony layer comps
    on every beat at 95-140 bpm, which the drums head heard as a drum part (10 of 48 drumless masters at
    100-130 bpm, seeds 400+, before these). Two of three sets are drumless. Dev seed 7 at 95/110/125/140 bpm;
    test seed 103 at 105/120/135 bpm."""
    out = []
    tempi = (95.0, 110.0, 125.0, 140.0) if split == "dev" else (105.0, 120.0, 135.0)
    seed = 7 if split == "dev" else 103
    for mood in MOODS:
        for bpm in tempi:
            for layers in COMPING_SETS:
                name = f"render-comping/{mood}/{'+'.join(layers)}/{seed}/{bpm:.0f}"
                e = _heard_render(name, mood, layers, seed, True, only_cached, tempo_bpm=bpm)
                if e is not None:
                    out.append(e | {"tempo_bpm": bpm})
    return out


def cache_path(key: str) -> Path:
    return CACHE / (hashlib.sha1(key.encode()).hexdigest()[:16] + ".npz")


def cached(key: str, compute, only_cached: bool = False):
    """np.savez cache of a dict of arrays/floats under CACHE/key.npz (None when absent and `only_cached`)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    p = cache_path(key)
    if p.exists():
        try:
            with np.load(p, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError, EOFError):  # a half-written file from an interrupted run
            p.unlink(missing_ok=True)
    if only_cached:
        return None
    out = compute()
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(p, **out)
    return out


def key_fields(f, nts: list) -> dict:
    """The fields of hear() that the key decides: the key, mode and confidence from the notes and the chroma, as
    the product hears them (ears.py), and the heads' DSP inputs (which read the mode and its confidence)."""
    from sonicgrid.tools.analysts import notes
    from sonicgrid.tools.analysts.moodmap import dsp_inputs

    key, mode, kconf, _ = notes.key_from_notes(nts, f.chroma)
    return {
        "dsp": dsp_inputs(f, mode, kconf),
        "key": np.array(key),
        "mode": np.array(mode),
        "key_confidence": np.array(kconf),
    }


def hear(audio, with_notes: bool = True) -> dict:
    """Everything the heads and the critic read, for one clip (the expensive part: musicnn + features).
    Degraded copies skip the transcription (the critic does not read notes)."""
    from sonicgrid.tools.analysts import critic, features, notes
    from sonicgrid.tools.analysts.ears import hear_musicnn

    f = features.extract(audio)
    mono = audio.mono().astype(np.float32)
    heard = hear_musicnn(mono, audio.sr)
    nts = notes.transcribe(mono, audio.sr) if with_notes else []
    fl = critic.flaws(audio, f)
    from sonicgrid.tools.analysts import keytempo, listen, mood, quality

    dsp_mood = mood.estimate(f)
    ks = keytempo.key_scores(f.chroma)[0]  # plain Krumhansl-Schmuckler on the mean chroma: the baseline
    return {
        "dsp_drums": np.array(listen.tags(f)["drums"]),
        "dsp_score": np.array(quality.score(f, {"mood": "calm"}, 0.5)["score"]),
        "dsp_key": np.array(dsp_mood["key"]),
        "dsp_mode": np.array(dsp_mood["mode"]),
        "dsp_mood": np.array(dsp_mood["label"]),
        "dsp_arousal": np.array(dsp_mood["arousal"]),
        "ks_key": np.array(ks[1]),
        "ks_mode": np.array(ks[2]),
        **{k: np.asarray(v, np.float32) for k, v in heard.items()},
        "flaws": np.array([fl[n] for n in critic.FLAW_NAMES], np.float64),
        **key_fields(f, nts),
        "tempo_bpm": np.array(f.tempo_bpm),
        "tempo_confidence": np.array(f.tempo_confidence),
        "chroma": np.asarray(f.chroma, np.float64),
        "bass_chroma": np.asarray(f.bass_chroma, np.float64),
        "duration": np.array(f.duration),
    }


def critic_x(h: dict) -> np.ndarray:
    return np.concatenate([h["flaws"], h["mtt_tags"], h["msd_tags"], h["mtt_embedding"], h["msd_embedding"]])


def head_x(h: dict) -> np.ndarray:
    from sonicgrid.tools.analysts.moodmap import inputs

    return inputs(h, h["dsp"])


def examples(split: str, quick: bool = False, log=print, only_cached: bool = False) -> list[dict]:
    """Every labelled example of a split, features cached: dicts with h (features) and labels.

    The critic's flaw vector is the current one (critic_data.with_flaws: cached apart from the musicnn outputs).
    good: recordings (one 6 s excerpt of each at 40 %; test: a second at 70 %), renders of every mood
    (full mixes 8 s, single layers 3 s); bad: degradations of those, each clean clip getting a rotating
    subset of the kinds (dev: 6 kinds per clip; test: all kinds on the first excerpt)."""
    from critic_data import with_flaws as flaws_now

    from sonicgrid.tools.analysts.degrade import DEGRADATIONS, degrade

    kinds = list(DEGRADATIONS)
    out: list[dict] = []
    recs = recordings(split)
    if quick:
        recs = recs[:: max(1, len(recs) // 12)]
    seeds = [0] if split == "dev" else [100]
    if quick:
        seeds = seeds[:1]
    cleans = []
    for name, path in recs:
        for at in (0.4, 0.2, 0.7):  # the first is degraded; the others are extra clean examples
            cleans.append(
                (
                    f"{name}@{at}",
                    lambda p=path, a=at: excerpt(p, a, EXCERPT_S),
                    {"source": "recording", "rec": name, "first": at == 0.4, "notes": at != 0.2},
                )
            )
    for mood in MOODS:
        for s in seeds:
            for layers, secs in (
                (("rhythm", "harmony"), 6.0),
                (("harmony", "atmosphere"), 6.0),
                (("rhythm",), 3.0),
                (("texture",), 3.0),
                (("painted",), 3.0),
            ):
                name = f"render/{mood}/{'+'.join(layers)}/{s}"
                cleans.append(
                    (
                        name,
                        lambda m=mood, ly=layers, sd=s, sc=secs: render(m, ly, sd, sc),
                        {
                            "source": "render",
                            "rec": f"render/{mood}/{'+'.join(layers)}/{s}",
                            "mood": mood,
                            "layers": layers,
                            "first": len(layers) == 2,
                        },
                    )
                )
    total = len(cleans)
    rot = 0  # rotation over the kinds, among the clips that get degraded copies
    legacy = 0  # dev: the index the clip had before the extra clean excerpts were added (keeps cached picks)
    for n, (name, make, lab) in enumerate(cleans):

        def clean_audio(make=make, lab=lab, memo={}):  # noqa: B006 - one memo per clip (a fresh default each loop)
            if "audio" not in memo:
                a = make()
                memo["audio"] = a[0] if isinstance(a, tuple) else a
                if isinstance(a, tuple):
                    lab.update({"arrangement": a[1]})
            return memo["audio"]

        skip = lab["rec"] in NOT_MUSIC  # takes its turn in the rotation, gives no example
        h = None
        if not skip:
            # renders heard again since the composer lost its pads' DC (v2); the flaw vectors are keyed apart
            version = "v2" if lab["source"] == "render" else "v1"
            h = cached(
                f"{version}/{name}/clean",
                lambda lab=lab, clean_audio=clean_audio: hear(clean_audio(), with_notes=lab.get("notes", True)),
                only_cached,
            )
            if h is None:
                continue
            h = flaws_now(h, f"v1/{name}/clean", clean_audio, only_cached)
        if h is not None:
            if lab["source"] == "render" and "arrangement" not in lab:
                clean_audio()
            out.append({"name": name, "kind": "clean", "good": True, "h": h, **lab})
        if split == "dev":
            degraded = lab["first"] or lab["source"] == "render"
            picks = [kinds[(legacy * 3 + j) % len(kinds)] for j in range(3)] if degraded else []
            legacy += degraded
        else:
            picks = [kinds[(rot * 4 + j) % len(kinds)] for j in range(4)] if lab["first"] else []
            rot += bool(lab["first"])
        if lab["source"] == "render" and len(lab.get("layers", ())) == 1:
            picks = picks[:1]
        for kind in picks:

            def bad(kind=kind, seed=n, clean_audio=clean_audio):
                a = clean_audio()
                from sonicgrid.audio import Audio

                return hear(Audio(degrade(a.stereo().samples, a.sr, kind, seed=seed), a.sr), with_notes=False)

            def bad_audio(kind=kind, seed=n, clean_audio=clean_audio):
                from sonicgrid.audio import Audio

                a = clean_audio()
                return Audio(degrade(a.stereo().samples, a.sr, kind, seed=seed), a.sr)

            hb = None if skip else cached(f"v1/{name}/{kind}", bad, only_cached)
            if hb is not None:
                hb = flaws_now(hb, f"v1/{name}/{kind}", bad_audio, only_cached)
            if hb is not None:
                out.append({"name": name, "kind": kind, "good": False, "h": hb, **lab})
        if n % 10 == 0:
            log(f"  {split}: {n + 1}/{total} clips ({len(out)} examples)")
    return out
