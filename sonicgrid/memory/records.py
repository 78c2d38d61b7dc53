"""Clip records in Chroma: metadata flattened to scalars (lists/dicts as JSON), and back."""

from __future__ import annotations

import json
from typing import Any

_SCALARS = (str, int, float, bool)

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
    """Back from Chroma: JSON lists/dicts are decoded again, keys in sorted order (Chroma's order changes
    from one process to the next: `library ls --json` twice must print the same bytes)."""
    out = dict(sorted((meta or {}).items()))
    for k, v in out.items():
        if isinstance(v, str) and v[:1] in "[{":
            try:
                out[k] = json.loads(v)
            except ValueError:
                pass
    return out
