"""Isolate agents under evaluation: only the named agents ask the LLM, the others decide by rules.

With every agent on the LLM, one agent's mistake hides the next one's judgment (a Cost Guardian
that denies everything means the Gatekeeper is never asked). `--llm-agents gatekeeper` measures
the Gatekeeper's own choices on situations the rules brain set up exactly as the scenario intends.
"""

from __future__ import annotations

from sonicgrid.agents.base import Brain, Choice, Judgment, Reading
from sonicgrid.config import Settings
from sonicgrid.errors import UserError
from sonicgrid.evals.suite import AGENTS
from sonicgrid.graph.engine import Engine


class AgentBrain(Brain):
    def __init__(self, inner: Brain, agents: set[str]):
        self.inner = inner
        self.agents = set(agents)
        self.llm = getattr(inner, "llm", None)
        self.name = "llm" if self.agents >= set(AGENTS) else "llm-partial"  # a label for the sidecar only

    @property
    def note(self) -> str | None:
        return self.inner.note

    @note.setter
    def note(self, text: str | None) -> None:
        self.inner.note = text

    def read_request(self, prompt: str) -> Reading | None:
        return self.inner.read_request(prompt) if "intake" in self.agents else None

    def choose(self, j: Judgment) -> Choice:
        return self.inner.choose(j) if j.agent in self.agents else super().choose(j)


def parse_agents(text: str | None) -> set[str] | None:
    if not text:
        return None
    agents = {a.strip() for a in text.split(",") if a.strip()}
    bad = agents - set(AGENTS)
    if bad:
        raise UserError(f"--llm-agents: unknown agent(s) {', '.join(sorted(bad))}; known: {', '.join(AGENTS)}")
    return agents


def engine(settings: Settings, agents: set[str]) -> Engine:
    """An engine whose brain asks the LLM for these agents only (the others decide by rules)."""
    from sonicgrid.graph.services import Services, make_brain

    return Engine(settings, Services(settings, brain=AgentBrain(make_brain(settings), agents)))
