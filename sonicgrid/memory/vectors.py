"""Audio vector kinds: which vector the library compares sounds by, and the Chroma collection that holds it.

A kind names a vector and fixes its length. "msd-musicnn-200" (musicnn's MSD penultimate layer, L2-normalised:
what a clip sounds like as music) is the library's kind; "dsp-33" (the DSP listener's timbre/harmony/rhythm
statistics) was its kind before, and is what the DSP fallback listener still hears. Chroma fixes the dimension
per collection, so each kind has a collection of its own (`{prefix}_audio` stays the dsp-33 one a library from
before holds) and a vector is only ever compared with vectors of its own kind.

An analysis carries its vectors with their kinds (`music_embedding` is msd-musicnn-200; `embedding` is
`embedding_kind`, dsp-33 unless said); a sidecar records `audio_vector_kind` next to `audio_vector` (none: a
sidecar from before, dsp-33). Where a clip has no vector of the library's kind it is computed from the audio
when musicnn is installed; where it cannot be, the clip is stored and ranked without one (text + metadata), and
a note is logged: never a dimension mismatch, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MUSIC = "msd-musicnn-200"
DSP = "dsp-33"
DIMS = {MUSIC: 200, DSP: 33}
LIBRARY_KIND = MUSIC
COMPUTE_MAX_S = 120.0  # like an import: a long file is heard by its first two minutes
_COLLECTION = {DSP: "audio", MUSIC: "audio_msd200"}

log = logging.getLogger("sonicgrid.library")
_said: set[str] = set()


@dataclass(frozen=True)
class Vector:
    """An audio vector and the kind it is."""

    kind: str
    values: list[float]


def collection_name(prefix: str, kind: str) -> str:
    """The Chroma collection of `kind`'s vectors: `{prefix}_audio` (dsp-33, a library from before) and
    `{prefix}_audio_msd200` (msd-musicnn-200)."""
    if kind not in _COLLECTION:
        raise ValueError(f"unknown audio vector kind {kind!r} (known: {', '.join(DIMS)})")
    return f"{prefix}_{_COLLECTION[kind]}"


def note(message: str) -> None:
    """Log a degraded-but-working condition once per process (a library from before, no musicnn)."""
    if message not in _said:
        _said.add(message)
        log.warning(message)


def of_analysis(analysis: Mapping[str, Any]) -> dict[str, Vector]:
    """Every vector an analysis carries, by kind."""
    out: dict[str, Vector] = {}
    if analysis.get("music_embedding"):
        out[MUSIC] = Vector(MUSIC, [float(v) for v in analysis["music_embedding"]])
    if analysis.get("embedding"):
        kind = analysis.get("embedding_kind") or DSP
        out[kind] = Vector(kind, [float(v) for v in analysis["embedding"]])
    return out


def kind_of_length(values: Sequence[float]) -> str:
    """The kind of a bare vector (no kind given: a sidecar or a caller from before) by its length."""
    for kind, dim in DIMS.items():
        if len(values) == dim:
            return kind
    raise ValueError(f"an audio vector of {len(values)} numbers is none of the known kinds ({DIMS})")


def coerce(x: Vector | Mapping[str, Any] | Sequence[float] | None, want: str) -> Vector | None:
    """A Vector from what a caller hands over: a Vector, an analysis (its vector of kind `want`, else any),
    or a bare list (its kind read from its length). None when nothing is there."""
    if x is None or isinstance(x, Vector):
        return x
    if isinstance(x, Mapping):
        got = of_analysis(x)
        return got.get(want) or next(iter(got.values()), None)
    values = [float(v) for v in x]
    return Vector(kind_of_length(values), values) if values else None


def from_sidecar(side: Mapping[str, Any] | None) -> Vector | None:
    """The vector a sidecar recorded; a sidecar from before the kinds holds dsp-33."""
    values = (side or {}).get("audio_vector")
    if not values:
        return None
    kind = (side or {}).get("audio_vector_kind") or DSP
    return Vector(kind, [float(v) for v in values])


def attach(analysis: Mapping[str, Any], vec: Vector | None) -> dict[str, Any]:
    """The analysis with `vec` in the field of its kind."""
    out = dict(analysis)
    if vec is None:
        return out
    if vec.kind == MUSIC:
        out["music_embedding"] = list(vec.values)
    else:
        out.update(embedding=list(vec.values), embedding_kind=vec.kind)
    return out


def without(analysis: Mapping[str, Any]) -> dict[str, Any]:
    """The analysis without its vectors (what a result shows a person)."""
    return {k: v for k, v in analysis.items() if k not in ("embedding", "embedding_kind", "music_embedding")}


def available(kind: str) -> bool:
    """Whether vectors of `kind` can be computed here (msd-musicnn-200 needs the musicnn checkpoints)."""
    if kind == DSP:
        return True
    from sonicgrid.tools.analysts import musicnn_net

    root = musicnn_net.package_dir()
    return root is not None and (root / "MSD_musicnn" / ".index").exists()


def compute(audio: Any, kind: str) -> Vector | None:
    """`kind`'s vector of a clip, heard from its audio (the same numbers the listener gives); None when the
    model is missing or fails on it."""
    import numpy as np

    from sonicgrid.audio import Audio

    if audio.duration > COMPUTE_MAX_S:
        audio = Audio(audio.samples[: int(COMPUTE_MAX_S * audio.sr)], audio.sr)
    try:
        if kind == DSP:
            from sonicgrid.tools.analysts import features, listen

            return Vector(DSP, listen.embedding(features.extract(audio)))
        if not available(kind):
            return None
        from sonicgrid.tools.analysts.ears import hear_musicnn, music_embedding

        heard = hear_musicnn(audio.mono().astype(np.float32), audio.sr)
        return Vector(MUSIC, music_embedding(heard))
    except (OSError, ValueError, ImportError, RuntimeError) as exc:
        note(f"could not compute a {kind} vector ({type(exc).__name__}: {exc}): the clip goes without one")
        return None


def for_clip(analysis: Mapping[str, Any], kind: str, audio: Any = None) -> Vector | None:
    """A clip's vector of `kind`: the analysis's own, else computed from `audio` when given and possible,
    else None (with a note: its sound is then left out of the comparison)."""
    vec = of_analysis(analysis).get(kind)
    if vec is None and audio is not None:
        vec = compute(audio, kind)
    if vec is None:
        note(f"no {kind} vector for a clip (musicnn missing?): its sound is not compared, only text and metadata")
    return vec
