"""What a finished grid leaves on disk, next to clip.wav: stems/<section>-<layer>.wav, clip.mid,
sections/<section>.wav (several sections), variations/vN/ (several variations, ranked).

Every mix is re-made from the stored stems plus the recipe in clip.json (result.mix.stems), so a
stem edit (sonicgrid.session.remix) never regenerates anything.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from sonicgrid import audio as aio
from sonicgrid.tools import mixer


def stems_for(cells: list[dict], read, asked: set[str]) -> list[mixer.Stem]:
    """One levelled stem per (section, layer) of one variation; `read(cell) -> Audio` (enhanced)."""
    out = []
    for c in cells:
        cell = c["cell"]
        a, g = mixer.level(read(c), cell["layer"], asked=cell["layer"] in asked)
        out.append(
            mixer.Stem(
                name=f"{cell['section']}-{cell['layer']}",
                layer=cell["layer"],
                section=cell["section"],
                audio=a,
                start_s=float(cell.get("start_s", 0.0)),
                level_db=g,
            )
        )
    return out


def master_mix(stems: list[mixer.Stem], sr: int, tempo: float | None, mood: str, lufs: float, tp: float):
    """(mastered audio, mix report, mastering report)."""
    from sonicgrid.tools.enhancers.master import master

    mixed, report = mixer.render(stems, sr, tempo, mood)
    final, mastering = master(mixed, lufs, tp, loop=mixer.is_loop(stems))
    report |= {f"master_{k}": v for k, v in mixer.stereo_report(final.stereo().samples).items()}
    return final, report, mastering


def write_stems(stems: list[mixer.Stem], folder: Path) -> list[str]:
    """stems/<name>.wav for each stem, encoded in parallel (libsndfile runs without the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    names = [f"stems/{s.name}.wav" for s in stems]
    with ThreadPoolExecutor(max_workers=max(1, min(4, len(stems))), thread_name_prefix="stems") as pool:
        list(pool.map(lambda sn: aio.write(folder / sn[1], sn[0].audio), zip(stems, names)))
    return names


def section_files(stems: list[mixer.Stem], spans: list, folder: Path, **mm) -> list[dict]:
    """Each section of a multi-section arrangement mixed and mastered on its own."""
    out = []
    for name, start, seconds in spans:
        mine = [s for s in stems if s.section == name]
        if not mine:
            continue
        moved = [mixer.Stem(**{**s.__dict__, "start_s": s.start_s - start}) for s in mine]
        audio, _, _mastering = master_mix(moved, **mm)
        n = int(round(seconds * audio.sr))
        audio = aio.Audio(aio.fit_length(audio.samples, n), audio.sr)
        path = aio.write(folder / "sections" / f"{name}.wav", audio)
        out.append({"section": name, "path": str(path), "start_s": start, "duration_s": round(audio.duration, 3)})
    return out


def write_midi(cells: list[dict], path: Path) -> str | None:
    """clip.mid: the composed notes of every cell, at their place in the arrangement."""
    import pretty_midi

    tempo, meter = _planned(cells, "tempo_bpm"), _planned(cells, "meter")
    # a DAW's bar lines: MIDI counts quarter notes, and 6/8's tempo is the dotted quarter's
    pm = pretty_midi.PrettyMIDI(initial_tempo=float(tempo or 120.0) * (1.5 if meter == 6 else 1.0))
    pm.time_signature_changes.append(pretty_midi.TimeSignature(*((6, 8) if meter == 6 else (int(meter or 4), 4)), 0.0))
    count = 0
    for c in cells:
        notes = cell_notes(c)
        if not notes:
            continue
        start = float(c["cell"].get("start_s", 0.0))
        by_part: dict[tuple, list] = defaultdict(list)
        for program, pitch, s, e, vel, drum, part in notes:
            by_part[(int(program), bool(drum), part)].append((pitch, s, e, vel))
        for (program, drum, part), ns in by_part.items():
            inst = pretty_midi.Instrument(program=program, is_drum=drum, name=f"{c['cell']['section']}-{part}")
            end_max = start + float(
                c.get("meta", {}).get("total_s") or c["cell"]["duration_s"]
            )  # an extension: all of it
            for pitch, s, e, vel in ns:
                if start + s >= end_max:
                    continue
                inst.notes.append(
                    pretty_midi.Note(int(vel), int(pitch), start + float(s), min(end_max, start + float(e)))
                )
            count += len(inst.notes)
            pm.instruments.append(inst)
    if not count:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    pm.write(str(path))
    return str(path)


def _planned(cells: list[dict], key: str) -> Any:
    """A value of the plan (tempo, meter) from the first cell's params, else from the arrangement its generator
    describes (an extension's cell has no params: it carries the reference's arrangement on)."""
    for c in cells:
        got = (c["cell"].get("params") or {}).get(key) or ((c.get("meta") or {}).get("arrangement") or {}).get(key)
        if got:
            return got
    return None


def cell_notes(c: dict) -> list:
    """A finished cell's notes for clip.mid: the composer's, a painted atmosphere's drones, or (reused) the
    notes stored with the library stem."""
    return c.get("meta", {}).get("midi") or painted_notes(c)


def painted_notes(c: dict) -> list:
    """A painted atmosphere's chord drones as MIDI (the tones painter.paint() drew)."""
    meta = c.get("meta", {})
    if c["cell"]["layer"] != "atmosphere" or not meta.get("progression") or not meta.get("drones"):
        return []
    from sonicgrid.brief import KEYS, bar_seconds
    from sonicgrid.tools.generators import composer

    spb = bar_seconds(float(meta["tempo_bpm"]), meta.get("meter"))
    base = int(meta.get("root_midi") or 36 + KEYS.index(meta["key"]) + 12)  # older cells: no root stored
    scale = composer.SCALES[meta["mode"]]
    out = []
    for bar in range(int(meta.get("bars", 1))):
        chord = composer._chord(base, scale, meta["progression"][bar % len(meta["progression"])])
        for p in (chord[0] - 12, chord[0], chord[1] + 12, chord[2]):
            out.append([89, p, bar * spb, (bar + 1) * spb, 60, False, "drone"])
    return out


def rank(variants: list[dict]) -> list[dict]:
    """Best first by the quality score the gatekeeper judges (ties: the earlier variation)."""
    return sorted(variants, key=lambda v: (-v["score"], v["variant"]))


def place_variant(run_dir: Path, rank_i: int) -> Path:
    return run_dir if rank_i == 0 else run_dir / "variations" / f"v{rank_i + 1}"


def active_span(x: np.ndarray, sr: int) -> float:
    """Seconds from the first to the last sample above -60 dBFS."""
    idx = np.flatnonzero(np.max(np.abs(x), axis=1) > 1e-3)
    return 0.0 if idx.size == 0 else (idx[-1] - idx[0]) / sr
