"""Clip records: the metadata schema, and its flat form in Chroma (scalars only; lists/dicts as JSON)."""

from __future__ import annotations

import json
from typing import Any

_SCALARS = (str, int, float, bool)

# The metadata a clip carries (all optional except id/sha256/created/duration_s, which add() sets).
FIELDS = {
    "id": "clip id",
    "sha256": "audio file digest",
    "created": "unix time",
    "duration_s": "seconds",
    "key": "tonic",
    "mode": "major/minor",
    "tempo_bpm": "beats per minute",
    "mood": "mood asked for",
    "mood_estimate": "mood heard",
    "tags": "content tags 0..1",
    "quality": "gatekeeper score /10",
    "project": "named body of work",
    "session": "conversation",
    "section": "intro/loop/...",
    "layer": "layer(s)",
    "parent": "clip this continues/enhances",
    "cost_s": "compute spent",
    "centroid_hz": "spectral centroid (palette brightness)",
    "prompt": "request text",
    "source": "import path",
}
# Never stored as metadata: the audio vector lives in the clips_audio collection.
_DROP = {"embedding"}


def flatten(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata holds scalars only: lists and dicts go in as JSON strings, None is dropped."""
    out = {}
    for k, v in meta.items():
        if v is None or k in _DROP:
            continue
        if hasattr(v, "item") and not isinstance(v, _SCALARS):  # numpy scalar
            v = v.item()
        out[k] = v if isinstance(v, _SCALARS) else json.dumps(v, default=float)
    return out


def unflatten(meta: dict[str, Any] | None) -> dict[str, Any]:
    """Back from Chroma: JSON lists/dicts are decoded again."""
    out = dict(meta or {})
    for k, v in out.items():
        if isinstance(v, str) and v[:1] in "[{":
            try:
                out[k] = json.loads(v)
            except ValueError:
                pass
    return out
