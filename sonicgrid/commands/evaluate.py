"""`sonicgrid eval SUITE.yaml...`: score the agents' decisions on scripted scenarios."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from sonicgrid.commands.common import console, out, quiet_libraries, settings, user_errors


def command(
    suites: list[Path] = typer.Argument(..., help="Suite YAML files (e.g. evals/*.yaml)"),
    brain: str = typer.Option("rules", "--brain", help="Agents' brain: rules or llm"),
    min_accuracy: float = typer.Option(0.0, "--min-accuracy", help="Exit 1 when overall accuracy is below this (0-1)"),
    json_path: Path | None = typer.Option(None, "--json", help="Write the report as JSON here"),
    junit_path: Path | None = typer.Option(None, "--junit", help="Write JUnit XML here"),
    work: Path | None = typer.Option(None, "--work", help="Scenario data dirs [default: OUT/evals/TIMESTAMP]"),
    only: str | None = typer.Option(None, "--only", help="Run only scenarios whose id contains this"),
    llm_agents: str | None = typer.Option(
        None,
        "--llm-agents",
        help="With --brain llm: only these agents (comma-separated) ask the LLM, the rest decide by rules",
    ),
) -> None:
    """Score the agents' decisions on scripted scenarios (YAML suites, e.g. evals/*.yaml).

    Each scenario (preloaded library, budget, knobs) runs through the real graph in its own data dir;
    the report gives per-agent accuracy, confusion matrices, regenerations, compute, wall time and
    every miss with its trace id."""
    quiet_libraries()
    with user_errors():
        from sonicgrid.errors import UserError

        if brain not in ("rules", "llm"):
            raise UserError(f"--brain must be 'rules' or 'llm', not {brain!r}")
        if not 0.0 <= min_accuracy <= 1.0:
            raise UserError(f"--min-accuracy is a fraction between 0 and 1, not {min_accuracy:g}")
        from sonicgrid.evals import report
        from sonicgrid.evals.isolate import parse_agents

        isolated = parse_agents(llm_agents)
        if isolated and brain != "llm":
            raise UserError("--llm-agents needs --brain llm")
        from sonicgrid.evals.runner import run_suites
        from sonicgrid.evals.suite import load

        host = settings()
        loaded = [load(p) for p in suites]
        work_dir = work or Path(host.out_dir) / "evals" / time.strftime("%Y%m%d-%H%M%S")

        def progress(r) -> None:
            mark = "[green]ok[/]" if all(c.ok for c in r.checks) and not r.error else "[red]miss[/]"
            console.print(f"{mark} {r.suite}/{r.scenario} ({r.wall_s:.1f}s)")

        results = run_suites(
            loaded, brain, work_dir, traces_to=host.traces_dir, only=only, progress=progress, llm_agents=isolated
        )
        if not results:
            raise UserError(f"no scenario matched --only {only!r}")
        s = report.summarize(results, brain if not isolated else f"llm ({','.join(sorted(isolated))}) + rules")
        s["suites"] = [str(p) for p in suites]
        s["work_dir"] = str(work_dir)
        report.print_report(s, out)
        if json_path:
            report.write_json(s, json_path)
        if junit_path:
            report.write_junit(results, s, junit_path)
        out.print(f"traces copied to {host.traces_dir} (sonicgrid trace show RUN_ID); scenario data in {work_dir}")
        if s["accuracy"] < min_accuracy:
            console.print(f"[bold red]accuracy {s['accuracy']:.1%} is below --min-accuracy {min_accuracy:.1%}[/]")
            raise typer.Exit(1)
