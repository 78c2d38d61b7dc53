"""`trace export RUN --format json|jsonl`: the whole trace, or one event per line."""

from __future__ import annotations

import json


def events(t: dict):
    yield {
        "type": "run",
        "run_id": t["run_id"],
        "request": t.get("request"),
        "brief": t.get("brief"),
        "plan": t.get("plan"),
        "budget_s": t.get("budget_s"),
        "seed": t.get("seed"),
        "created": t.get("created"),
    }
    for x in t.get("timings", []):
        yield {"type": "node", "run_id": t["run_id"], **x}
    for v in t.get("verdicts", []):
        yield {"type": "verdict", "run_id": t["run_id"], **v}
    for c in t.get("tool_calls", []):
        yield {"type": "tool_call", "run_id": t["run_id"], **c}
    for c in t.get("cells") or []:
        yield {"type": "cell", "run_id": t["run_id"], **{k: v for k, v in c.items() if k != "analysis"}}
    yield {
        "type": "result",
        "run_id": t["run_id"],
        **(t.get("result") or {}),
        "wall_s": t.get("wall_s"),
        "spent_s": t.get("spent_s"),
    }


def render(t: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(t, indent=2, default=str)
    return "\n".join(json.dumps(e, default=str) for e in events(t)) + "\n"
