"""The StateGraph wiring. Conditional edges are named for the decision they encode."""

from __future__ import annotations

from functools import partial
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from sonicgrid.graph import cell_nodes as cn
from sonicgrid.graph import judge_nodes as jn
from sonicgrid.graph import run_nodes as rn
from sonicgrid.graph.services import Services
from sonicgrid.graph.state import CellState, CompiledGraph, RunState, cell_output
from sonicgrid.graph.timing import timed


# -- conditional edges ------------------------------------------------------------------------
def budget_allows(state: CellState) -> str:
    """After the Cost Guardian: act on an approved job, or stop when nothing is affordable."""
    if state.get("outcome") == "denied":
        return "nothing_affordable"
    if state.get("gate") == "accept_best":
        return "keep_best"
    return "act"


def quality_bar(state: CellState) -> str:
    """After the Gatekeeper: regenerate below the bar (within limits), else on to continuity."""
    return "regenerate" if state.get("gate") == "regenerate" else "good_enough"


def fits_body_of_work(state: CellState) -> str:
    """After Continuity: revise toward the project's key/tempo/palette, or finish the cell."""
    return "revise" if state.get("continuity") == "revise" else "fits"


def fan_out_cells(state: RunState) -> list[Send]:
    """One Send per grid cell: the cells run their agent loops in parallel."""
    n = max(1, len(state["plan"]))
    return [Send("cell", {"cell": c, "share": state["budget_s"] / n}) for c in state["plan"]]


def build_cell_graph(svc: Services) -> CompiledGraph:
    g = StateGraph(CellState)
    for name, fn in [
        ("recall", cn.recall),
        ("decide", cn.decide),
        ("cost_guard", cn.cost_guard),
        ("act", cn.act),
        ("analyze", jn.analyze),
        ("gatekeep", jn.gatekeep),
        ("continuity", jn.check_continuity),
    ]:
        g.add_node(name, timed(name, partial(fn, svc=svc)))
    g.add_edge(START, "recall")
    g.add_edge("recall", "decide")
    g.add_edge("decide", "cost_guard")
    g.add_conditional_edges(
        "cost_guard", budget_allows, {"act": "act", "nothing_affordable": END, "keep_best": "continuity"}
    )
    g.add_edge("act", "analyze")
    g.add_edge("analyze", "gatekeep")
    g.add_conditional_edges("gatekeep", quality_bar, {"regenerate": "cost_guard", "good_enough": "continuity"})
    g.add_conditional_edges("continuity", fits_body_of_work, {"revise": "cost_guard", "fits": END})
    return g.compile()


def build_graph(svc: Services, checkpointer: BaseCheckpointSaver[Any] | None = None) -> CompiledGraph:
    cell_graph = build_cell_graph(svc)

    def cell(payload: dict[str, Any]) -> dict[str, Any]:
        """Run one cell's agent loop (a subgraph; checkpointed with the run)."""
        run = payload["run"]
        brief = run["brief"]
        init: CellState = {
            "cell": payload["cell"],
            "brief": brief,
            "seed": run["seed"] + 1000 * payload["cell"]["index"],
            "budget_s": payload["share"],
            "run_dir": run["run_dir"],
            "project": run.get("project"),
            "session": run.get("session"),
            "reference": rn.resolve_reference(brief, run, svc),
            "attempt": 0,
            "revision": 0,
            "spent_s": 0.0,
            "params": dict(payload["cell"].get("params") or {}),  # the plan's shared key/tempo/progression
        }
        out = cell_graph.invoke(init, {"recursion_limit": 80})
        return {
            "cells": [cell_output(out)],
            "verdicts": out.get("verdicts", []),
            "tool_calls": out.get("tool_calls", []),
            "timings": out.get("timings", []),
        }

    def fan_out(state: RunState) -> list[Send]:
        run = {k: state.get(k) for k in ("brief", "seed", "run_dir", "project", "session", "history")}
        return [Send("cell", dict(s.arg, run=run)) for s in fan_out_cells(state)]

    g = StateGraph(RunState)
    g.add_node("intake", timed("intake", partial(rn.intake, svc=svc)))
    g.add_node("plan", timed("plan", partial(rn.plan, svc=svc)))
    g.add_node("cell", cell)  # type: ignore[arg-type]  # a Send payload, not the run state
    g.add_node("finish", timed("finish", partial(rn.finish, svc=svc)))
    g.add_edge(START, "intake")
    g.add_edge("intake", "plan")
    g.add_conditional_edges("plan", fan_out, ["cell"])
    g.add_edge("cell", "finish")
    g.add_edge("finish", END)
    return g.compile(checkpointer=checkpointer)
