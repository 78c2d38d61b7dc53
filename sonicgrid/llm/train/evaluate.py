"""Measure a brain on the held-out examples: intake field accuracy and each agent's decision accuracy.

Brains: "rules" (lexicon + rules, the labels' source), "base" (packaged GGUF, few-shot templates),
"tuned" (packaged GGUF + LoRA adapter, lean templates). The LLM brains go through LLMBrain, the
same code a run uses, so prompts, grammars and the fallback are the product's.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path

from sonicgrid.agents import intake as intake_agent
from sonicgrid.agents import lexicon
from sonicgrid.llm.train.dataset import AGENTS, Example

INTAKE_FIELDS = ("mood", "section", "duration_s", "exclude", "reference", "action")


def make_llm_brain(kind: str, adapter: Path | None = None, threads: int = 2):
    from sonicgrid.llm.brain import LLMBrain
    from sonicgrid.llm.local import LocalLLM
    from sonicgrid.llm.locate import packaged_gguf, packaged_lora

    if kind == "base":
        return LLMBrain(LocalLLM(packaged_gguf(), None, threads))
    lora = adapter or packaged_lora()
    if lora is None:
        raise FileNotFoundError("no adapter: train one with `sonicgrid llm train` or pass --adapter")
    return LLMBrain(LocalLLM(packaged_gguf(), Path(lora), threads))


def true_brief(truth: dict) -> dict:
    dur = truth["duration_s"] if truth["duration_s"] is not None else lexicon.default_duration(truth["section"])
    return {
        "mood": truth["mood"],
        "section": truth["section"],
        "duration_s": dur,
        "exclude": truth["exclude"],
        "reference": truth["reference"],
        "action": truth["action"],
    }


def intake_brief(request: str, brain) -> tuple[dict, dict | None]:
    """The brief a run would build (lexicon facts + what the LLM filled), and the LLM's raw answer."""
    fields, found = lexicon.parse(request)
    data = None
    if brain is not None:
        data = brain.ask("intake", intake_agent.INTAKE_SCHEMA, request=request)
        if data is not None:
            fields, _ = intake_agent.merge_llm_fields(fields, found, data)
    b = intake_agent.build_brief(fields, found, None, None).model_dump()
    b["exclude"] = sorted(b["exclude"])
    return b, data


def evaluate(
    examples: list[Example],
    brain=None,
    per_agent: int | None = None,
    intake_n: int | None = None,
    agents: tuple[str, ...] | None = None,
) -> dict:
    """brain=None: the rules brain. Returns accuracies, counts and latency figures."""
    from sonicgrid.agents.base import RULES

    counts: dict[str, int] = defaultdict(int)
    right: dict[str, float] = defaultdict(float)
    llm_right: dict[str, int] = defaultdict(int)
    lat: list[float] = []
    for ex in examples:
        cap = intake_n if ex.agent == "intake" and intake_n is not None else per_agent
        if (cap is not None and counts[ex.agent] >= cap) or (agents and ex.agent not in agents):
            continue
        counts[ex.agent] += 1
        if ex.agent == "intake":
            if ex.truth is None:
                raise ValueError("an intake example without its true fields")
            n_calls = len(getattr(brain, "calls", []))
            got, data = intake_brief(ex.truth["request"], brain)
            want = true_brief(ex.truth)
            right["intake"] += sum(got[f] == want[f] for f in INTAKE_FIELDS) / len(INTAKE_FIELDS)
            for f in ("mood", "section"):
                right[f"intake.{f}"] += got[f] == want[f]
                llm_right[f] += data is not None and data.get(f) == want[f]
            if brain is not None:
                lat += [c["ms"] for c in brain.calls[n_calls:]]
            continue
        j = ex.judgment
        if j is None:
            raise ValueError(f"a {ex.agent} example without its judgment")
        if brain is None:
            v = RULES.decide(j)
        else:
            v = brain.decide(j)
            lat.append(v.latency_ms)
        right[ex.agent] += v.choice == ex.label["choice"]
    acc: dict[str, float | None] = {
        k: round(right[k] / counts[k.split(".")[0]], 3) for k in right if counts[k.split(".")[0]]
    }
    for agent in AGENTS + ("intake",):
        acc.setdefault(agent, 0.0 if counts[agent] else None)
    out = {"accuracy": acc, "counts": dict(counts)}
    if counts["intake"] and brain is not None:
        out["llm_answer_accuracy"] = {f: round(llm_right[f] / counts["intake"], 3) for f in ("mood", "section")}
    if lat:
        out["latency_ms"] = {
            "median": round(statistics.median(lat), 1),
            "p90": round(sorted(lat)[int(0.9 * (len(lat) - 1))], 1),
            "n": len(lat),
        }
    return out


def ceiling(examples: list[Example]) -> dict[str, float]:
    """Best accuracy any brain that reads only the words can reach (majority label per prompt)."""
    by: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for e in examples:
        if e.agent != "intake":
            by[e.agent][e.prompt][e.answer] += 1
    return {
        a: round(sum(max(c.values()) for c in p.values()) / sum(sum(c.values()) for c in p.values()), 3)
        for a, p in by.items()
    }
