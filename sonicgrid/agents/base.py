"""What all agents share: the rules-or-LLM judgment within limits that code enforces."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sonicgrid.agents.verdict import Verdict


@dataclass
class Judgment:
    """An agent's question, fully prepared by code before any brain looks at it."""

    agent: str
    evidence: dict[str, Any]  # numbers, for the trace
    words: dict[str, str]  # the same evidence in words, for the LLM
    allowed: list[str]  # hard limits: the only choices permitted
    rules: Callable[[], tuple[str, float, str]]  # deterministic choice, confidence, reason
    explain: dict[str, str]  # why each choice would be made, in words, for an LLM verdict's reason


BrainLabel = Literal["rules", "llm", "llm-fallback"]


@dataclass(frozen=True)
class Choice:
    """A brain's answer to a Judgment, before code checks it against the limits."""

    choice: str
    confidence: float
    reason: str
    brain: BrainLabel
    evidence: dict[str, Any] = field(default_factory=dict)  # what the brain adds to the judgment's evidence (e.g. llm)


@dataclass(frozen=True)
class Reading:
    """What a brain read from a request, beyond the lexicon: the fields it filled (None when its answer
    was unusable), the model's probability of each value it chose, and why it fell back, if it did."""

    fields: dict[str, str] | None
    confidence: dict[str, float] = field(default_factory=dict)
    brain: BrainLabel = "llm"
    note: str | None = None


class Brain:
    """Decides a Judgment. The rules brain is deterministic; LLMBrain overrides `choose` and
    `read_request`.

    Capabilities, not names: `read_request` returns None for a brain that does not read requests (the
    rules brain: intake is the lexicon alone)."""

    name = "rules"
    _note: str | None = None

    @property
    def note(self) -> str | None:
        """Why this brain decides as it does (e.g. the LLM judge could not load), for the user; None: nothing to say."""
        return self._note

    @note.setter
    def note(self, text: str | None) -> None:
        self._note = text

    def choose(self, j: Judgment) -> Choice:
        choice, conf, reason = j.rules()
        return Choice(choice, conf, reason, "rules")

    def read_request(self, prompt: str) -> Reading | None:
        """Mood and section read from free text (the intake schema); None: this brain does not read."""
        return None

    def decide(self, j: Judgment) -> Verdict:
        if not j.allowed:
            raise ValueError(f"{j.agent}: no allowed choice")
        t0 = time.perf_counter()
        c = as_choice(self.choose(j))
        choice, conf, reason = c.choice, c.confidence, c.reason
        overridden = None
        if choice not in j.allowed:  # the brain can never widen the limits
            overridden = f"{c.brain} chose {choice!r}, not allowed by limits {j.allowed}"
            choice, conf, reason = j.rules()
        return Verdict(
            agent=j.agent,
            choice=choice,
            confidence=max(0.0, min(1.0, conf)),
            reason=reason,
            evidence=j.evidence | c.evidence if c.evidence else j.evidence,
            allowed=list(j.allowed),
            brain=c.brain,
            overridden=overridden,
            latency_ms=(time.perf_counter() - t0) * 1000,
        )


def as_choice(c: Any) -> Choice:
    """A Choice from a brain's answer; a plain (choice, confidence, reason, brain) tuple is accepted too."""
    if isinstance(c, Choice):
        return c
    choice, conf, reason, brain = c
    return Choice(str(choice), float(conf), str(reason), brain)


RULES = Brain()
