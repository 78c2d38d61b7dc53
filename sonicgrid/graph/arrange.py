"""The plan: a Brief -> a grid of cells (section x layer x variation) with an arc over the clip.

Per section, the layers a producer would use for the mood (prompts/arrangement.yaml), entering
on bar lines; every cell of a variation shares one key, mode, tempo and progression, so layers
and sections belong to one arrangement. Explicit values (tempo, key, length, layers) are the
user's word; "same key" and "the intro we made" take the reference clip's values; a project with
earlier work lends its key and tempo where the user said nothing. A layer no available tool can
render is reported in one line, not planned.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from sonicgrid.brief import KEYS, MAX_SECONDS, TEMPO_RANGE, Brief, bar_seconds
from sonicgrid.graph.state import Cell
from sonicgrid.tools.registry import Registry


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(resources.files("sonicgrid.prompts").joinpath("arrangement.yaml").read_text())
    return data


def style_layers(brief: Brief) -> list[str]:
    from sonicgrid.agents.lexicon import STYLES

    return list(STYLES.get(brief.style or "", {}).get("layers", []))


def section_layers(brief: Brief, section: str) -> list[tuple[str, float]]:
    """(layer, entry fraction) for one section, after the user's inclusions and exclusions."""
    if brief.layers_only:
        return [(la, 0.0) for la in brief.layers]
    t = table()
    grid = t["moods"].get(brief.mood, {}).get(section) or t["default"].get(section) or t["default"]["loop"]
    out = [(str(la), float(e)) for la, e in grid]
    named = brief.layers if "layers" in brief.explicit else []
    for la in list(named) + style_layers(brief):
        if la not in [x for x, _ in out]:
            out.append((la, 0.25 if la == "rhythm" and section in ("intro", "build") and la not in named else 0.0))
    out = [(la, e) for la, e in out if la not in brief.exclude]
    # the brief's own layers lead (cell 0 is what the request names: harmony unless it names others)
    # and the first of them carries the section from its first bar
    lead = [la for la in brief.layers if la in dict(out)]
    out.sort(key=lambda le: lead.index(le[0]) if le[0] in lead else len(lead))
    if lead:
        out = [(la, 0.0 if la == lead[0] else e) for la, e in out]
    return out


def section_spans(brief: Brief, tempo: float, meter: int = 4) -> list[tuple[str, float, float]]:
    """(section, start_s, seconds): the length split over the sections by weight, on bar lines."""
    names = brief.section_list()
    total = float(brief.duration_s)
    if len(names) == 1:
        return [(names[0], 0.0, total)]
    bar = bar_seconds(tempo, meter)
    w = np.array([table()["weights"].get(s, 1.0) for s in names], float)
    raw = total * w / w.sum()
    lens = [max(bar, round(x / bar) * bar) for x in raw[:-1]]
    lens.append(max(bar / 2, total - sum(lens)))
    starts = np.concatenate([[0.0], np.cumsum(lens[:-1])])
    return [(s, round(float(a), 4), round(float(n), 4)) for s, a, n in zip(names, starts, lens)]


def shared_params(
    brief: Brief, variant: int, seed: int, ref: dict[str, Any] | None, project: dict[str, Any] | None
) -> dict[str, Any]:
    """Key, mode, tempo, progression every cell of one variation plays, and where each came from."""
    from sonicgrid.tools.generators import composer

    b = brief.model_dump()
    src: dict[str, str] = {}
    fixed: dict[str, Any] = {}
    said = set(brief.explicit)
    within = TEMPO_RANGE  # where a free tempo may move to land a loop on whole bars
    ref_meta: dict[str, Any] = (ref or {}).get("meta") or {}
    ref_id = (ref or {}).get("id")
    ref_arr = ref_meta.get("arrangement") if isinstance(ref_meta.get("arrangement"), dict) else {}
    for k in ("key", "mode", "tempo_bpm"):
        if k in said and b.get(k) is not None:
            fixed[k], src[k] = b[k], "the request"
        elif ref_meta and (k.split("_")[0] in brief.same or ("key" in brief.same and k == "mode")) and ref_meta.get(k):
            fixed[k], src[k] = ref_meta[k], f"{ref_id} (same {k.split('_')[0]})"
        elif ref_meta and brief.action == "vary" and ref_meta.get(k):
            fixed[k], src[k] = ref_meta[k], f"{ref_id} (a variation)"
        elif ref_meta and brief.reference_section and k != "tempo_bpm" and ref_meta.get(k):
            fixed[k], src[k] = ref_meta[k], f"{ref_id} (the {brief.reference_section} it answers)"
        elif project and project.get(k) and k not in said:
            fixed[k], src[k] = project[k], "the project"
    if brief.transpose is not None and ref_meta.get("key") in KEYS:  # "up a semitone": the same music, moved
        from sonicgrid.agents.key_said import nearest_move, shifted

        n = brief.transpose
        if "key" in said and b.get("key"):  # "transpose it to D": the nearest way there
            n = nearest_move(str(ref_meta["key"]), b["key"])
        fixed["key"], octaves = shifted(str(ref_meta["key"]), n)
        fixed["octave"] = int(ref_meta.get("octave") or 0) + octaves
        src["key"] = f"{ref_id} ({ref_meta['key']} {n:+d} semitone{'s' if abs(n) != 1 else ''})"
        for k in ("mode", "tempo_bpm", "progression"):
            was = ref_meta.get(k) or (ref_arr or {}).get(k)
            if was and k not in said:
                fixed[k] = was
    tempo_free = "tempo_bpm" not in fixed  # nobody's tempo yet: the mood's, a style's or a relative change's
    if brief.tempo_change or brief.tempo_delta:
        base = fixed.get("tempo_bpm") or ref_meta.get("tempo_bpm") or (ref_arr or {}).get("tempo_bpm")
        if base is None:
            lo, hi = composer.PALETTES[brief.mood]["tempo"]
            base = (lo + hi) / 2
        moved = float(base) * (brief.tempo_change or 1.0) + (brief.tempo_delta or 0.0)
        fixed["tempo_bpm"] = round(float(np.clip(moved, *TEMPO_RANGE)), 2)
        # a loop may nudge a "faster" tempo to whole bars: by 5 % at most, never back to the tempo it was faster than
        near = (max(TEMPO_RANGE[0], moved / 1.05), min(TEMPO_RANGE[1], moved * 1.05))
        within = (
            (max(near[0], float(base) * 1.02), near[1])
            if moved > float(base)
            else (near[0], min(near[1], float(base) / 1.02))
        )
        step = f"{brief.tempo_change:g} x " if brief.tempo_change else ""
        src["tempo_bpm"] = f"{step}{float(base):.0f} bpm" + (f" {brief.tempo_delta:+g}" if brief.tempo_delta else "")
    if brief.style and "tempo_bpm" not in fixed:
        from sonicgrid.agents.lexicon import STYLES

        rng_t = STYLES[brief.style].get("tempo")
        if rng_t:
            r = np.random.default_rng(seed + 31 * variant)
            fixed["tempo_bpm"], src["tempo_bpm"] = round(float(r.uniform(*rng_t)), 1), f"{brief.style} style"
    # "a bit faster": about that. The intake counts the words as a tempo said; no number was (tempo_bpm is None)
    tempo_free = tempo_free or bool(brief.tempo_change and brief.tempo_bpm is None)
    lent = ref_meta.get("meter") or (ref_arr or {}).get("meter")
    if brief.meter is None and lent:  # a waltz goes on in 3/4
        fixed["meter"] = int(lent)
    arr = composer.plan(b, "harmony", seed + 7919 * variant, {k: v for k, v in fixed.items() if v is not None})
    out = {"key": arr.key, "mode": arr.mode, "tempo_bpm": round(arr.tempo, 3), "progression": arr.progression}
    if arr.octave:
        out["octave"] = arr.octave
    if arr.meter != 4:
        out["meter"] = arr.meter
    for k in ("key", "mode", "tempo_bpm"):
        src.setdefault(k, "chosen for the mood" if variant == 0 else f"chosen for variation {variant + 1}")
    return out | {"sources": src, "tempo_free": tempo_free, "tempo_within": within}


def longer_take(brief: Brief, ref: dict[str, Any] | None) -> Brief | None:
    """ "make it longer" on a clip of several layers: the same music (its key, tempo, mood and seed; the plan node
    gives the run the reference's seed) played to the new length, every layer to the end. A continuation carries
    one composed layer on, and the clip's drums, pads and textures stopped where it had ended. None: continue it."""
    meta = (ref or {}).get("meta") or {}
    layers = list(dict.fromkeys(str(la) for la in meta.get("layers") or []))
    if brief.action != "extend" or len(layers) < 2 or not meta.get("duration_s"):
        return None
    total = min(MAX_SECONDS, float(meta["duration_s"]) + float(brief.duration_s))
    update = {"action": "vary", "duration_s": total, "layers": layers, "section": meta.get("section") or brief.section}
    return brief.model_copy(update=update | {"explicit": sorted(set(brief.explicit) | {"duration_s"})})


def unavailable(layers: list[str], registry: Registry) -> dict[str, str]:
    """layer -> why no available tool renders it."""
    out = {}
    for la in dict.fromkeys(layers):
        if registry.pick("generator", f"layer:{la}") is None:
            why = [t.available()[1] for t in registry.tools if f"layer:{la}" in t.capabilities]
            out[la] = why[0] if why else "no tool has this capability"
    return out


def plan(
    brief: Brief,
    seed: int,
    registry: Registry,
    ref: dict[str, Any] | None = None,
    project: dict[str, Any] | None = None,
) -> tuple[list[Cell], dict[str, Any]]:
    """(cells, arrangement info) for the whole request."""
    if brief.action == "extend":  # a continuation carries the reference's own arrangement on
        cells: list[Cell] = [
            {"index": i, "section": brief.section, "layer": la, "duration_s": brief.duration_s, "start_s": 0.0}
            for i, la in enumerate(brief.layers)
        ]
        return cells, {"sections": [[brief.section, 0.0, brief.duration_s]], "variations": 1, "notes": []}
    t = table()
    n_var = brief.variations
    shared = [shared_params(brief, v, seed, ref, project) for v in range(n_var)]
    brief, looped = _looping(brief, shared)
    spans = section_spans(brief, shared[0]["tempo_bpm"], shared[0].get("meter", 4))
    wanted = {s: section_layers(brief, s) for s, _, _ in spans}
    missing = unavailable([la for v in wanted.values() for la, _ in v], registry)
    notes = [f"no {la} layer: {why}" for la, why in missing.items()] + looped + list(brief.unplayed)
    if brief.transpose is not None:  # "up a semitone": say where the key went
        moved = shared[0]["sources"]["key"]
        key = f"{shared[0]['key']} {shared[0]['mode']}"
        notes.append(f"now in {key}, from {moved}" if "semitone" in moved else f"in {key}: no earlier key to move")
    per_var = sum(len([1 for la, _ in v if la not in missing]) for v in wanted.values())
    if per_var * n_var > t["max_cells"]:
        keep = max(1, t["max_cells"] // max(1, per_var))
        notes.append(f"{n_var} variations of {per_var} cells exceed {t['max_cells']} cells: rendering {keep}")
        n_var, shared = keep, shared[:keep]
    from sonicgrid.agents.lexicon import instrument_roles

    roles = instrument_roles(brief.instruments)
    cells = []
    for v, sp in enumerate(shared):
        bar = bar_seconds(sp["tempo_bpm"], sp.get("meter"))
        for i, (section, start, seconds) in enumerate(spans):
            nxt = spans[i + 1][0] if i + 1 < len(spans) else None
            for layer, enter in wanted[section]:
                if layer in missing:
                    continue
                offset = round(enter * seconds / bar) * bar if enter else 0.0
                if seconds - offset < max(bar, 2.0):
                    offset = 0.0
                params: dict[str, Any] = {
                    k: sp[k] for k in ("key", "mode", "tempo_bpm", "progression", "octave", "meter") if k in sp
                }
                params |= {"next_section": nxt, "entry_bar": int(round(offset / bar))}
                if roles:  # the instruments said, by the part that plays them
                    params["instruments"] = roles
                cells.append(
                    {
                        "index": len(cells),
                        "section": section,
                        "layer": layer,
                        "variant": v,
                        "start_s": round(start + offset, 4),
                        "duration_s": round(seconds - offset, 4),
                        "section_start_s": start,
                        "params": params,
                    }
                )
    info = {
        "sections": [[s, a, n] for s, a, n in spans],
        "variations": n_var,
        "shared": shared,
        "layers": {s: [la for la, _ in v if la not in missing] for s, v in wanted.items()},
        "notes": notes,
        "reference": (ref or {}).get("id"),
        "duration_s": brief.duration_s,  # a loop's length on whole bars (loops.py)
    }
    return cells, info


def _looping(brief: Brief, shared: list[dict[str, Any]]) -> tuple[Brief, list[str]]:
    """A loop on whole bars (loops.py): each variation's free tempo, or the length nobody said."""
    from sonicgrid.graph import loops

    if not loops.applies(brief):
        return brief, []
    seconds = float(brief.duration_s)
    for sp in shared:
        free = bool(sp.get("tempo_free"))
        new_s, sp["tempo_bpm"], how = loops.fit(
            seconds,
            float(sp["tempo_bpm"]),
            free,
            "duration_s" not in brief.explicit,
            sp.get("meter", 4),
            tuple(sp.get("tempo_within") or TEMPO_RANGE),
        )
        if new_s != seconds:  # the length moves once, at the first variation's tempo; later ones follow it
            brief, seconds = brief.model_copy(update={"duration_s": new_s}), new_s
        if not how:
            why = "a length and a tempo both said" if not free else "no tempo near it fits whole beats in it"
            return brief, [
                f"{seconds:g} s at {float(sp['tempo_bpm']):.0f} bpm is not a whole number of beats: "
                f"it will not loop on the beat ({why})"
            ]
        sp["sources"]["tempo_bpm"] += f"; a loop of {how}"
    return brief, []
