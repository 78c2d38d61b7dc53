"""Mixer: the grid's stems -> a stereo mix a producer would accept (before mastering).

Each stem is levelled by its role (a loudness target per layer, measured on its loud part, so a
quiet generator cannot bury the drums), placed at its start (bar-aligned), widened in mid/side,
panned (constant power) and sent to a reverb bus and a tempo-synced ping-pong delay bus; the sum
goes through a bus compressor. The report gives each stem's level, the drums against the rest,
the L/R correlation and the side/mid ratio of the mix. Stem edits ("drums louder", "mute the
pad", "solo the bass") re-run render() on the stored stems with changed gains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sonicgrid.audio import LOOP_TAIL_S, Audio, settled, wrap_tail

# level_db: loud-part RMS target (dBFS); side_db: the stem's side/mid target (its width is set to
# reach it, whatever the generator gave: drums and voice near the centre, pads wide); reverb/delay:
# send levels
ROLES: dict[str, dict[str, float]] = {
    "rhythm": {"level_db": -17.0, "pan": 0.0, "side_db": -14.0, "reverb": 0.06, "delay": 0.0},
    "harmony": {"level_db": -18.0, "pan": 0.0, "side_db": -9.0, "reverb": 0.16, "delay": 0.07},
    "atmosphere": {"level_db": -21.0, "pan": 0.0, "side_db": -5.0, "reverb": 0.3, "delay": 0.1},
    "texture": {"level_db": -28.0, "pan": 0.25, "side_db": -6.0, "reverb": 0.15, "delay": 0.0},
    "voice": {"level_db": -16.0, "pan": 0.0, "side_db": -25.0, "reverb": 0.05, "delay": 0.0},
}
MAX_WIDTH = 2.5
CREST_DB = 11.0
ASKED_DB = 2.0  # a layer the user asked for by name sits this much hotter ("add drums": clearly audible)
LAYER_GAIN_DB = {k: 0.0 for k in ROLES}  # kept for callers of the old API
LAYER_PAN = {k: v["pan"] for k, v in ROLES.items()}


@dataclass
class Cell:
    """A placed piece of audio (the old API: mix(cells))."""

    layer: str
    audio: Audio
    start_s: float = 0.0
    gain_db: float | None = None
    pan: float | None = None


@dataclass
class Stem:
    name: str  # "<section>-<layer>" (file stem under stems/)
    layer: str
    audio: Audio  # levelled by role, not yet panned or widened
    start_s: float = 0.0
    section: str = "loop"
    gain_db: float = 0.0  # the user's edit on top of the role level
    pan: float | None = None
    width: float | None = None
    mute: bool = False
    solo: bool = False
    level_db: float = 0.0  # the gain the role levelling applied (for the report)
    extra: dict = field(default_factory=dict)

    def recipe(self) -> dict:
        return {
            "name": self.name,
            "layer": self.layer,
            "section": self.section,
            "start_s": round(self.start_s, 4),
            "gain_db": round(self.gain_db, 2),
            "pan": self.pan if self.pan is not None else ROLES.get(self.layer, {}).get("pan", 0.0),
            "width": round(self.width if self.width is not None else auto_width(self.audio, self.layer), 3),
            "mute": self.mute,
            "solo": self.solo,
            "level_db": round(self.level_db, 2),
        }


def _resample(a: Audio, sr: int) -> Audio:
    if a.sr == sr:
        return a
    from sonicgrid.tools.analysts.dsp import to_rate

    return Audio(np.stack([to_rate(a.samples[:, c], a.sr, sr) for c in range(a.channels)], axis=1), sr)


def bar_align(start_s: float, tempo_bpm: float | None, beats_per_bar: int = 4) -> float:
    if not tempo_bpm:
        return start_s
    bar = beats_per_bar * 60.0 / tempo_bpm
    return round(start_s / bar) * bar


def pan_gains(pan: float) -> tuple[float, float]:
    theta = (np.clip(pan, -1, 1) + 1) * np.pi / 4
    return float(np.cos(theta) * np.sqrt(2)), float(np.sin(theta) * np.sqrt(2))


def loud_rms_db(x: np.ndarray, sr: int) -> float:
    """RMS of the louder half of 50 ms blocks (dBFS): a stem's level while it plays."""
    mono = (x[::2, 0] + x[::2, 1]) * 0.5 if x.ndim == 2 and x.shape[1] == 2 else np.ravel(x)[::2]
    n = max(1, int(0.025 * sr))  # 50 ms at half the rate
    blocks = mono[: len(mono) // n * n].reshape(-1, n) if len(mono) >= n else mono[None, :]
    p = np.sort(np.einsum("ij,ij->i", blocks, blocks) / blocks.shape[1])[::-1].astype(np.float64)
    top = p[: max(1, len(p) // 2)]
    return float(10 * np.log10(top.mean() + 1e-12))


def level(audio: Audio, layer: str, asked: bool = False) -> tuple[Audio, float]:
    """The stem at its role's level; (audio, gain dB applied). Silence stays silence."""
    cur = loud_rms_db(audio.samples, audio.sr)
    if cur < -80:
        return audio, 0.0
    target = ROLES.get(layer, ROLES["harmony"])["level_db"] + (ASKED_DB if asked else 0.0)
    g = float(np.clip(target - cur, -30, 30))
    return Audio(audio.samples * np.float32(10 ** (g / 20)), audio.sr), g


def prepare(stem: Stem) -> Stem:
    """Fix a stem's width once (auto from its role) so the recipe replays exactly."""
    if stem.width is None:
        stem.width = round(auto_width(stem.audio, stem.layer), 3)
    return stem


def auto_width(audio: Audio, layer: str) -> float:
    """The side gain that brings a stem's side/mid ratio to its role's target (mono stays mono)."""
    x = audio.stereo().samples[::4]  # every 4th frame: plenty for an energy ratio
    m, s = (x[:, 0] + x[:, 1]) * 0.5, (x[:, 0] - x[:, 1]) * 0.5
    em, es = float(np.dot(m, m)), float(np.dot(s, s))
    if es < 1e-9 * max(em, 1e-12) or em < 1e-12:
        return 1.0
    now = 10 * np.log10(es / em)
    return float(np.clip(10 ** ((ROLES.get(layer, ROLES["harmony"])["side_db"] - now) / 20), 0.0, MAX_WIDTH))


def _width(x: np.ndarray, width: float) -> np.ndarray:
    if abs(width - 1.0) < 1e-3:
        return x
    m, s = (x[:, 0] + x[:, 1]) * 0.5, (x[:, 0] - x[:, 1]) * (0.5 * width)
    return np.stack([m + s, m - s], axis=1)


def _buses(rev: np.ndarray, dly: np.ndarray, sr: int, tempo: float, mood: str) -> np.ndarray:
    from pedalboard import Delay, HighpassFilter, LowpassFilter, Pedalboard, Reverb

    dark = mood in ("moody", "tense", "epic", "dreamy")
    room = {"dreamy": 0.9, "moody": 0.85, "epic": 0.85, "calm": 0.75}.get(mood, 0.6)
    out = np.zeros_like(rev)
    if np.any(rev):
        board = Pedalboard(
            [
                HighpassFilter(cutoff_frequency_hz=250),
                Reverb(room_size=room, damping=0.6, wet_level=1.0, dry_level=0.0, width=1.0),
                LowpassFilter(cutoff_frequency_hz=min(0.45 * sr, 6000 if dark else 9000)),
            ]
        )
        out += board(rev.T.copy(), sr).T
    if np.any(dly):
        beat = 60.0 / tempo
        hp = Pedalboard(
            [HighpassFilter(cutoff_frequency_hz=300), LowpassFilter(cutoff_frequency_hz=min(0.45 * sr, 5000))]
        )
        d = hp(dly.T.copy(), sr)
        left = Pedalboard([Delay(delay_seconds=min(2.0, 0.75 * beat), feedback=0.3, mix=1.0)])(d[:1].copy(), sr)
        right = Pedalboard([Delay(delay_seconds=min(2.0, beat), feedback=0.3, mix=1.0)])(d[1:].copy(), sr)
        out += np.concatenate([left, right]).T
    return out


def stereo_report(x: np.ndarray) -> dict:
    """L/R correlation and side/mid energy ratio (dB) of a stereo signal."""
    left, right = x[::2, 0].astype(np.float64), x[::2, 1].astype(np.float64)
    corr = float(np.dot(left, right) / (np.sqrt(np.dot(left, left) * np.dot(right, right)) + 1e-12))
    m, s = (left + right) / 2, (left - right) / 2
    side_mid = float(10 * np.log10((np.dot(s, s) + 1e-12) / (np.dot(m, m) + 1e-12)))
    return {"lr_correlation": round(corr, 3), "side_mid_db": round(side_mid, 2)}


def is_loop(stems: list[Stem]) -> bool:
    """Stems of one loop: the mix and master treat its end as running on into its start."""
    return bool(stems) and all(s.section == "loop" for s in stems)


def render(
    stems: list[Stem], sr: int, tempo_bpm: float | None = None, mood: str = "calm", space: float = 1.0
) -> tuple[Audio, dict]:
    """Stems -> the bus-compressed stereo mix and its report; `space` scales every reverb and delay send."""
    from pedalboard import Compressor, Limiter, Pedalboard

    tempo = float(tempo_bpm or 90.0)
    stems = [prepare(s) for s in stems]
    soloed = any(s.solo for s in stems)
    live = [s for s in stems if not s.mute and (s.solo or not soloed)]
    placed = [(s, _resample(s.audio.stereo(), sr), int(round(s.start_s * sr))) for s in stems]
    frames = max((off + a.samples.shape[0] for _, a, off in placed), default=0)
    dry = np.zeros((frames, 2), np.float32)
    rev, dly = np.zeros_like(dry), np.zeros_like(dry)
    by_layer: dict[str, np.ndarray] = {}
    for s, a, off in placed:
        if s not in live:
            continue
        role = ROLES.get(s.layer, ROLES["harmony"])
        width = s.width if s.width is not None else auto_width(s.audio, s.layer)  # prepare() has set it
        x = _width(a.samples, float(width)) * np.float32(10 ** (s.gain_db / 20))
        gl, gr = pan_gains(s.pan if s.pan is not None else role["pan"])
        x = x * np.array([gl, gr], np.float32)
        seg = slice(off, off + len(x))
        dry[seg] += x
        rev[seg] += x * (role["reverb"] * space)
        dly[seg] += x * (role["delay"] * space)
        buf = by_layer.setdefault(s.layer, np.zeros_like(dry))
        buf[seg] += x
    loop = is_loop(stems)
    if loop and frames:  # a loop's reverb and delay tails ring on at its start (audio.wrap_tail)
        pad = np.zeros((min(frames, int(LOOP_TAIL_S * sr)), 2), np.float32)
        wet = wrap_tail(_buses(np.concatenate([rev, pad]), np.concatenate([dly, pad]), sr, tempo, mood), frames)
    else:
        wet = _buses(rev, dly, sr, tempo, mood) if frames else dry
    total = dry + wet[:frames]
    # bus compressor (glue), then a bus limiter that holds the crest factor near a mastered
    # record's (~11 dB over the loud-part RMS), so mastering reaches its loudness without pumping
    level_now = loud_rms_db(total, sr) if frames else -20.0
    ceiling = level_now + CREST_DB
    comp = Pedalboard(
        [  # glue: ~2 dB on the loud parts, slow enough to let the transients through
            Compressor(threshold_db=level_now - 2.0, ratio=2.0, attack_ms=30, release_ms=250),
            Limiter(threshold_db=min(0.0, ceiling), release_ms=120),
        ]
    )
    mixed = settled(comp, total, sr, loop) if frames else total  # a loop's compressor starts settled
    report = {"stems": [s.recipe() for s in stems], "frames": frames, "tempo_bpm": round(tempo, 3)}
    if space != 1.0:
        report["sends_x"] = round(space, 3)
    report["layers_db"] = {k: round(loud_rms_db(v, sr), 2) for k, v in by_layer.items()}
    if "rhythm" in by_layer and len(by_layer) > 1:
        rest = sum((v for k, v in by_layer.items() if k != "rhythm"), np.zeros_like(by_layer["rhythm"]))
        report["drums_vs_rest_db"] = round(loud_rms_db(by_layer["rhythm"], sr) - loud_rms_db(rest, sr), 2)
    report |= stereo_report(mixed) if frames else {}
    report["bus"] = (
        f"reverb + ping-pong delay sends, bus compressor {level_now - 2:.1f} dB 2:1, limiter at {ceiling:.1f} dBFS"
    )
    return Audio(mixed.astype(np.float32), sr), report


def mix(cells: list[Cell], sr: int, tempo_bpm: float | None = None) -> tuple[Audio, dict[str, Audio], dict]:
    """(stereo mix, stems by layer, placement report): the old entry point, levelled by role."""
    stems = []
    for c in cells:
        a, g = level(c.audio, c.layer)
        stems.append(
            Stem(c.layer, c.layer, a, bar_align(c.start_s, tempo_bpm), gain_db=c.gain_db or 0.0, pan=c.pan, level_db=g)
        )
    out, report = render(stems, sr, tempo_bpm)
    by_layer = {s.layer: s.audio for s in stems}
    return out, by_layer, {"cells": report["stems"], "frames": report["frames"]}
