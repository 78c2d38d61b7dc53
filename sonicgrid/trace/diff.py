"""`trace diff A B`: what changed between two runs: brief, decisions per agent and cell, result, cost."""

from __future__ import annotations

from typing import Any

from sonicgrid.brief import Brief

# every field of the Brief but the prompt (the request row shows it): a field added later is compared too
BRIEF_KEYS = tuple(k for k in Brief.model_fields if k != "prompt")


def _brief_value(brief: dict, k: str) -> Any:
    """A field as the run had it; a trace written before the field existed had its default."""
    return brief[k] if k in brief else Brief.model_fields[k].get_default(call_default_factory=True)


def decisions(t: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in t.get("verdicts", []):
        key = v["agent"] if v.get("cell") is None else f"{v['agent']} (cell {v['cell']})"
        out.setdefault(key, []).append(v["choice"])
    return out


def diff(a: dict, b: dict) -> list[tuple[str, object, object]]:
    """Rows (what, in A, in B) for everything that differs."""
    rows = []
    if a.get("request") != b.get("request"):
        rows.append(("request", a.get("request"), b.get("request")))
    ba, bb = a.get("brief") or {}, b.get("brief") or {}
    for k in BRIEF_KEYS:
        va, vb = _brief_value(ba, k), _brief_value(bb, k)
        if va != vb:
            rows.append((f"brief.{k}", str(va), str(vb)))
    da, db = decisions(a), decisions(b)
    for k in sorted(set(da) | set(db)):
        if da.get(k) != db.get(k):
            rows.append((k, " -> ".join(da.get(k, [])) or "-", " -> ".join(db.get(k, [])) or "-"))
    ra, rb = a.get("result") or {}, b.get("result") or {}
    for k in ("status", "clip_id", "score", "duration_s"):
        if ra.get(k) != rb.get(k):
            rows.append((f"result.{k}", str(ra.get(k)), str(rb.get(k))))
    for k in ("spent_s", "wall_s", "budget_s", "seed"):
        if a.get(k) != b.get(k):
            rows.append((k, str(a.get(k)), str(b.get(k))))
    ta = {c["tool"] for c in a.get("tool_calls", [])}
    tb = {c["tool"] for c in b.get("tool_calls", [])}
    if ta != tb:
        rows.append(("tools", ", ".join(sorted(ta)), ", ".join(sorted(tb))))
    return rows
