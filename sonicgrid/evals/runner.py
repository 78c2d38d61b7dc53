"""Run scenarios through sonicgrid.graph.run.make(), each in its own data dir, and score the
agents' verdicts against the expected decisions."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sonicgrid.config import Settings
from sonicgrid.evals.fixtures import preload
from sonicgrid.evals.suite import Scenario, Suite

NONE = "(none)"


@dataclass
class Check:
    suite: str
    scenario: str
    request: int
    agent: str
    expected: str
    actual: str
    run_id: str | None
    detail: str = ""
    open: bool = False  # the limits allowed more than one choice: the brain really chose

    @property
    def ok(self) -> bool:
        return self.actual in self.expected.split("|")


@dataclass
class ScenarioResult:
    suite: str
    scenario: str
    checks: list[Check] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)
    regenerations: int = 0
    spent_s: float = 0.0
    wall_s: float = 0.0
    error: str | None = None


def first_verdict(verdicts: list[dict], agent: str, first_cell_only: bool = False) -> dict | None:
    """The agent's first verdict on the lowest-numbered cell it judged (intake has no cell). With
    `first_cell_only`, only the request's first cell counts (the lowest-numbered cell any agent judged): an
    agent asked only about a grid's later layers (the painter's atmosphere) was not asked about the request."""
    mine = [v for v in verdicts if v["agent"] == agent]
    if first_cell_only:
        first = min((v["cell"] for v in verdicts if v.get("cell") is not None), default=None)
        mine = [v for v in mine if v.get("cell") == first]
    if not mine:
        return None
    return min(mine, key=lambda v: (v.get("cell") if v.get("cell") is not None else -1, v.get("attempt", 0)))


def _norm(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def score_request(suite: str, sc: str, i: int, expect: dict, summary: dict | None, error: str | None) -> list[Check]:
    checks = []
    run_id = summary.get("run_id") if summary else None
    verdicts = summary.get("verdicts", []) if summary else []
    for agent, want in expect.items():
        if agent == "intake":
            brief = (summary or {}).get("brief") or {}
            for k, v in want.items():
                checks.append(
                    Check(
                        suite,
                        sc,
                        i,
                        "intake",
                        f"{k}={_norm(v)}",
                        f"{k}={_norm(brief.get(k)) if brief else NONE}",
                        run_id,
                        error or "",
                    )
                )
            continue
        expected = "|".join(want) if isinstance(want, list) else str(want)
        # "(none)" asserts the agent was not needed for the request itself: read on its first cell only
        v = first_verdict(verdicts, agent, first_cell_only=NONE in expected.split("|"))
        checks.append(
            Check(
                suite,
                sc,
                i,
                agent,
                expected,
                v["choice"] if v else NONE,
                run_id,
                error or (v["reason"] if v else "the agent was not consulted"),
                open=v is not None and len(v.get("allowed", [])) > 1,
            )
        )
    return checks


def settings_for(suite: Suite, sc: Scenario, brain: str, root: Path) -> Settings:
    knobs = {**suite.settings, **sc.settings}
    return Settings(data_dir=root / "data", out_dir=root / "out", brain=brain, **knobs)


def run_scenario(
    suite: Suite, sc: Scenario, brain: str, work: Path, traces_to: Path | None, llm_agents: set[str] | None = None
) -> ScenarioResult:
    from sonicgrid.graph.engine import Engine
    from sonicgrid.graph.run import make

    root = work / suite.name / sc.id
    shutil.rmtree(root, ignore_errors=True)
    s = settings_for(suite, sc, brain, root)
    if llm_agents is not None and brain == "llm":
        from sonicgrid.evals.isolate import engine as isolating_engine

        eng = isolating_engine(s, llm_agents)
    else:
        eng = Engine(s)
    res = ScenarioResult(suite.name, sc.id)
    t0 = time.perf_counter()
    history: list[dict] = []
    try:
        preload(eng.services, sc.library)
    except Exception as exc:  # a broken fixture is a scenario error, reported, not a crash
        res.error = f"fixture: {type(exc).__name__}: {exc}"
    for i, req in enumerate(sc.requests):
        summary, error = None, res.error
        if error is None:
            try:
                summary = make(
                    req.text,
                    eng,
                    seed=req.seed,
                    duration=req.duration_s,
                    project=sc.project,
                    session=sc.session,
                    history=history,
                )
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                res.error = res.error or error
        if summary:
            res.run_ids.append(summary["run_id"])
            res.spent_s += summary.get("spent_s", 0.0)
            res.regenerations += sum(
                v["agent"] == "gatekeeper" and v["choice"] == "regenerate" for v in summary.get("verdicts", [])
            )
            if summary["result"].get("clip_id"):
                history.append({"clip_id": summary["result"]["clip_id"]})
            if traces_to is not None:
                traces_to.mkdir(parents=True, exist_ok=True)
                src = s.traces_dir / f"{summary['run_id']}.json"
                if src.is_file():
                    shutil.copyfile(src, traces_to / src.name)
        res.checks += score_request(suite.name, sc.id, i, req.expect, summary, error)
    res.wall_s = time.perf_counter() - t0
    return res


def run_suites(
    suites: list[Suite],
    brain: str,
    work: Path,
    traces_to: Path | None = None,
    only: str | None = None,
    progress: Callable[[ScenarioResult], None] | None = None,
    llm_agents: set[str] | None = None,
) -> list[ScenarioResult]:
    out = []
    for suite in suites:
        for sc in suite.scenarios:
            if only and only not in sc.id:
                continue
            if suite.kind == "e2e":
                from sonicgrid.evals.e2e import run_e2e_scenario

                r = run_e2e_scenario(suite, sc, brain, work, traces_to)
            else:
                r = run_scenario(suite, sc, brain, work, traces_to, llm_agents)
            if progress:
                progress(r)
            out.append(r)
    return out
