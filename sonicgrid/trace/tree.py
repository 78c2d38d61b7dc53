"""`trace show`: the run as a Rich tree: node -> verdicts (choice, confidence, reason, evidence)
-> tool calls with timings and cost; regenerations and revisions appear as loops."""

from __future__ import annotations

import json

from rich.tree import Tree

from sonicgrid.commands.safe import esc as escape
from sonicgrid.trace.store import cell_segments

COLOR = {
    "approve": "green",
    "pass": "green",
    "fit": "green",
    "generate": "cyan",
    "reuse": "cyan",
    "extend": "cyan",
    "enhance": "cyan",
    "deny": "red",
    "regenerate": "yellow",
    "revise": "yellow",
    "accept_best": "yellow",
    "downgrade": "yellow",
}


def _evidence(ev: dict, width: int = 110) -> str:
    bits = []
    for k, v in ev.items():
        if isinstance(v, (dict, list)):
            v = json.dumps(v, default=str)
            v = v if len(v) <= 40 else v[:37] + "..."
        bits.append(f"{k}={v}")
    s = ", ".join(bits)
    return s if len(s) <= width else s[: width - 3] + "..."


def verdict_label(v: dict, evidence: bool = True) -> str:
    c = COLOR.get(v["choice"], "white")
    text = (
        f"[bold]{escape(v['agent'])}[/]: [{c}]{escape(v['choice'])}[/] conf {v['confidence']:.2f} "
        f"[dim]({escape(v.get('brain'))})[/] "
        f"- {escape(v['reason'])}"
    )
    if v.get("overridden"):
        text += f" [red](overridden: {escape(v['overridden'])})[/]"
    return text + (
        f"\n[dim]evidence: {escape(_evidence(v.get('evidence') or {}))}[/]" if evidence and v.get("evidence") else ""
    )


def call_label(c: dict) -> str:
    return (
        f"[magenta]tool[/] {escape(c['tool'])} ({escape(c['role'])}): {c['seconds']:.3f}s wall, {c.get('audio_s', 0):.1f}s audio, "
        f"cost estimate {c.get('estimate_s', 0):.3f}s" + (f", seed {c['seed']}" if "seed" in c else "")
    )


def _node_ms(t: dict, node: str, cell=None) -> str:
    ms = [x["ms"] for x in t.get("timings", []) if x["node"] == node and x.get("cell") == cell]
    return f" [dim]{sum(ms):.0f} ms[/]" if ms else ""


def build(t: dict, evidence: bool = True) -> Tree:
    res = t.get("result") or {}
    root = Tree(
        f"[bold]run {escape(t['run_id'])}[/] {escape(repr(t.get('request', '')))} -> {escape(res.get('status'))}"
        + (
            f" {escape(res.get('clip_id'))} score {res.get('score')}"
            if res.get("status") == "ok"
            else f": {escape(str(res.get('message')))}"
        )
    )
    intake = root.add(f"[bold blue]intake[/]{_node_ms(t, 'intake')}")
    for v in (v for v in t.get("verdicts", []) if v.get("cell") is None):
        intake.add(verdict_label(v, evidence))
    b = t.get("brief") or {}
    root.add(
        f"[bold blue]plan[/]{_node_ms(t, 'plan')}: "
        + escape(
            ", ".join(
                f"cell {c['index']} {c['section']}/{c['layer']} {c['duration_s']:g}s" for c in t.get("plan") or []
            )
        )
        + f"  [dim]brief: {escape(_evidence({k: b.get(k) for k in ('mood', 'section', 'duration_s', 'layers', 'key', 'tempo_bpm', 'action', 'reference')}))}[/]"
    )
    for cell in sorted(t.get("cells") or [], key=lambda c: c["index"]):
        i = cell["index"]
        nodes = " -> ".join(f"{x['node']} {x['ms']:.0f}ms" for x in t.get("timings", []) if x.get("cell") == i)
        branch = root.add(
            f"[bold blue]cell {i}[/] {escape(cell['cell']['section'])}/{escape(cell['cell']['layer'])}: "
            f"{escape(cell.get('outcome'))} via {escape(cell.get('decision'))}, score {cell.get('score')}, "
            f"{cell.get('attempts', 0)} regenerations, {cell.get('revisions', 0)} revisions, "
            f"compute {cell.get('spent_s', 0):.3f}s\n[dim]{nodes}[/]"
        )
        for n, seg in enumerate(cell_segments(t, i)):
            label = "pass 1" if seg["kind"] == "first" else f"[yellow]↺ {seg['kind']}[/] (pass {n + 1})"
            s = branch.add(label)
            vs = seg["verdicts"]
            k = next((j for j, v in enumerate(vs) if v["agent"] == "gatekeeper"), len(vs))
            for v in vs[:k]:  # decide, guard (and the human) -> act, analyze -> gatekeep, continuity
                s.add(verdict_label(v, evidence))
            for c in seg["calls"]:
                s.add(call_label(c))
            for v in vs[k:]:
                s.add(verdict_label(v, evidence))
    fin = root.add(f"[bold blue]finish[/]{_node_ms(t, 'finish')}")
    for c in (c for c in t.get("tool_calls", []) if c.get("cell") is None):
        fin.add(call_label(c))
    if res.get("status") == "ok":
        m = res.get("mastering") or {}
        fin.add(
            f"clip {escape(res.get('path'))} {res.get('duration_s')}s, {m.get('lufs_out')} LUFS, "
            f"peak {m.get('true_peak_dbtp')} dBTP"
        )
    root.add(
        f"[dim]wall {t.get('wall_s', 0):.2f}s, compute {t.get('spent_s', 0):.3f}s of {t.get('budget_s', 0):g}s "
        f"budget, tools {t.get('tool_s', 0):.3f}s[/]"
    )
    return root
