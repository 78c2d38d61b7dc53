"""Scores: per-agent accuracy and confusion matrices, regenerations, compute, wall time, misses
with trace ids; as a Rich table, JSON and JUnit XML."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table

from sonicgrid.evals.runner import NONE, ScenarioResult
from sonicgrid.evals.suite import AGENTS


def summarize(results: list[ScenarioResult], brain: str) -> dict:
    def fresh() -> dict:
        return {"n": 0, "correct": 0, "open": 0, "open_correct": 0, "confusion": defaultdict(lambda: defaultdict(int))}

    per: dict[str, dict] = {a: fresh() for a in AGENTS}
    for r in results:  # end-to-end suites score audio checks ("audio:tempo_bpm") next to the agents
        for c in r.checks:
            per.setdefault(c.agent, fresh())
    misses = []
    for r in results:
        for c in r.checks:
            p = per[c.agent]
            p["n"] += 1
            p["correct"] += c.ok
            p["confusion"][c.expected][c.actual] += 1
            p["open"] += c.open
            p["open_correct"] += c.open and c.ok
            if not c.ok:
                misses.append(
                    {
                        "suite": c.suite,
                        "scenario": c.scenario,
                        "request": c.request,
                        "agent": c.agent,
                        "expected": c.expected,
                        "actual": c.actual,
                        "run_id": c.run_id,
                        "detail": c.detail,
                    }
                )
    agents = {}
    for a, p in per.items():
        conf = {e: dict(row) for e, row in p["confusion"].items()}
        # consulted: the agent gave a verdict (an upstream denial can leave it unasked)
        asked = sum(k for e, row in conf.items() for act, k in row.items() if not act.endswith(NONE))
        asked_ok = sum(row.get(e, 0) for e, row in conf.items() if not e.endswith(NONE))
        agents[a] = {
            "n": p["n"],
            "correct": p["correct"],
            "accuracy": round(p["correct"] / p["n"], 4) if p["n"] else None,
            "consulted": asked,
            "accuracy_when_consulted": round(asked_ok / asked, 4) if asked else None,
            "open_choices": p["open"],
            "open_correct": p["open_correct"],
            "confusion": conf,
        }
    n = sum(p["n"] for p in per.values())
    ok = sum(p["correct"] for p in per.values())
    return {
        "brain": brain,
        "scenarios": len(results),
        "checks": n,
        "correct": ok,
        "accuracy": round(ok / n, 4) if n else 0.0,
        "agents": agents,
        "regenerations": sum(r.regenerations for r in results),
        "compute_s": round(sum(r.spent_s for r in results), 3),
        "wall_s": round(sum(r.wall_s for r in results), 3),
        "errors": [{"scenario": r.scenario, "error": r.error} for r in results if r.error],
        "misses": misses,
        "per_scenario": [
            {
                "suite": r.suite,
                "scenario": r.scenario,
                "passed": all(c.ok for c in r.checks),
                "run_ids": r.run_ids,
                "regenerations": r.regenerations,
                "compute_s": round(r.spent_s, 3),
                "wall_s": round(r.wall_s, 3),
            }
            for r in results
        ],
    }


def print_report(s: dict, console: Console) -> None:
    t = Table(
        title=f"agent accuracy, {s['brain']} brain: {s['correct']}/{s['checks']} = {s['accuracy']:.1%} "
        f"over {s['scenarios']} scenarios"
    )
    for col in ("agent", "checks", "correct", "accuracy", "consulted", "accuracy when consulted", "open choices right"):
        t.add_column(col)
    for a, p in s["agents"].items():
        if p["n"]:
            wc = p["accuracy_when_consulted"]
            t.add_row(
                a,
                str(p["n"]),
                str(p["correct"]),
                f"{p['accuracy']:.1%}",
                str(p["consulted"]),
                "-" if wc is None else f"{wc:.1%}",
                f"{p['open_correct']}/{p['open_choices']}" if a != "intake" else "-",
            )
    console.print(t)
    for a, p in s["agents"].items():
        if not p["n"]:
            continue
        conf = p["confusion"]
        if a == "intake":  # per field: the labels are field=value
            fields: dict[str, list[int]] = {}
            for e, row in conf.items():
                f = fields.setdefault(e.split("=")[0], [0, 0])
                f[0] += row.get(e, 0)
                f[1] += sum(row.values())
            console.print("intake fields: " + ", ".join(f"{k} {ok}/{n}" for k, (ok, n) in sorted(fields.items())))
            continue
        labels = sorted(set(conf) | {x for row in conf.values() for x in row})
        m = Table(title=f"{a}: expected (rows) vs chosen (columns)", title_justify="left")
        m.add_column("")
        for lab in labels:
            m.add_column(lab)
        for e in sorted(conf):
            m.add_row(e, *[str(conf[e].get(lab, "")) for lab in labels])
        console.print(m)
    console.print(f"regenerations {s['regenerations']}, compute {s['compute_s']:.2f}s, wall {s['wall_s']:.1f}s")
    if s["misses"]:
        m = Table(title=f"misses ({len(s['misses'])})")
        for col in ("scenario", "req", "agent", "expected", "actual", "trace id"):
            m.add_column(col)
        for x in s["misses"]:
            m.add_row(x["scenario"], str(x["request"]), x["agent"], x["expected"], x["actual"], x["run_id"] or "-")
        console.print(m)
    for e in s["errors"]:
        console.print(f"[red]error[/] {e['scenario']}: {e['error']}")


def write_json(s: dict, path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(s, indent=2))


def write_junit(results: list[ScenarioResult], s: dict, path: Path) -> None:
    """One testsuite per suite file, one testcase per (scenario, request, agent expectation)."""
    root = ET.Element(
        "testsuites",
        name=f"sonicgrid-eval-{s['brain']}",
        tests=str(s["checks"]),
        failures=str(s["checks"] - s["correct"]),
        time=f"{s['wall_s']:.3f}",
    )
    suites: dict[str, ET.Element] = {}
    for r in results:
        el = suites.get(r.suite)
        if el is None:
            el = suites[r.suite] = ET.SubElement(root, "testsuite", name=r.suite)
        share = r.wall_s / max(1, len(r.checks))
        for c in r.checks:
            tc = ET.SubElement(
                el,
                "testcase",
                classname=f"{r.suite}.{r.scenario}",
                name=f"request{c.request}.{c.agent}",
                time=f"{share:.3f}",
            )
            ET.SubElement(tc, "properties").append(ET.Element("property", name="trace_id", value=c.run_id or ""))
            if not c.ok:
                f = ET.SubElement(
                    tc,
                    "failure",
                    message=f"expected {c.expected}, got {c.actual} (trace {c.run_id})",
                    type="AgentDecisionMiss",
                )
                f.text = c.detail
    for el in suites.values():
        cases = el.findall("testcase")
        el.set("tests", str(len(cases)))
        el.set("failures", str(sum(1 for tc in cases if tc.find("failure") is not None)))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
