"""What all agents share: the rules-or-LLM judgment within limits that code enforces."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sonicgrid.agents.verdict import Verdict


@dataclass
class Judgment:
    """An agent's question, fully prepared by code before any brain looks at it."""

    agent: str
    evidence: dict  # numbers, for the trace
    words: dict[str, str]  # the same evidence in words, for the LLM
    allowed: list[str]  # hard limits: the only choices permitted
    rules: Callable[[], tuple[str, float, str]]  # deterministic choice, confidence, reason
    explain: dict[str, str]  # why each choice would be made, in words, for an LLM verdict's reason


class Brain:
    """Decides a Judgment. The rules brain is deterministic; LLMBrain overrides `choose`."""

    name = "rules"
    note: str | None = None  # why this brain decides (e.g. the LLM judge could not load), for the user

    def choose(self, j: Judgment) -> tuple[str, float, str, str]:
        choice, conf, reason = j.rules()
        return choice, conf, reason, "rules"

    def decide(self, j: Judgment) -> Verdict:
        if not j.allowed:
            raise ValueError(f"{j.agent}: no allowed choice")
        t0 = time.perf_counter()
        choice, conf, reason, brain = self.choose(j)
        overridden = None
        if choice not in j.allowed:  # the brain can never widen the limits
            overridden = f"{brain} chose {choice!r}, not allowed by limits {j.allowed}"
            choice, conf, reason = j.rules()
        return Verdict(
            agent=j.agent,
            choice=choice,
            confidence=max(0.0, min(1.0, conf)),
            reason=reason,
            evidence=j.evidence,
            allowed=list(j.allowed),
            brain=brain,
            overridden=overridden,
            latency_ms=(time.perf_counter() - t0) * 1000,
        )


RULES = Brain()
