"""`sonicgrid make PROMPT`: one request -> a finished, mastered clip."""

from __future__ import annotations

from pathlib import Path

import typer

from sonicgrid.commands.common import (
    BRAIN_HELP,
    check_brain,
    console,
    out,
    print_json,
    quiet_libraries,
    say_brain,
    settings,
    user_errors,
)
from sonicgrid.commands.safe import esc

NODE_TEXT = {
    "intake": "reading the request",
    "plan": "planning the grid",
    "cell": "producing cells",
    "finish": "mixing, mastering, storing",
}


EXAMPLES = (
    'Examples: "make a moody intro"; "a calm piano loop in D minor, 16 bars, 80 bpm"; "an energetic loop with '
    'drums, no bass"; "a tender waltz with strings" (3/4; "in 6/8", "a jig"); "3 variations of a dreamy outro, '
    '20 seconds"; "a lofi beat with vinyl crackle". Words read: moods, sections, lengths, tempo, key and mode, '
    "meter, layers and instruments to add or leave out, styles (docs/usage.md lists them)."
)


def make_cmd(
    prompt: str | None = typer.Argument(None, help='What to make, e.g. "make a moody intro"'),
    out_dir: Path | None = typer.Option(None, "--out", "-o", help="Output directory [default: ./out]"),
    seed: int = typer.Option(0, "--seed", help="Random seed: same seed + same library = same clip"),
    brain: str | None = typer.Option(None, "--brain", help=BRAIN_HELP),
    budget: float | None = typer.Option(None, "--budget", help="Compute budget in seconds [default: 60]"),
    duration: float | None = typer.Option(None, "--duration", help="Clip length in seconds (1-600)"),
    project: str | None = typer.Option(None, "--project", help="Body of work the clip must fit"),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary"),
    allow_download: bool = typer.Option(
        False, "--allow-download", help="Let real models fetch missing weights from their hub (off: local only)"
    ),
    resume: str | None = typer.Option(
        None, "--resume", metavar="RUN_ID", help="Continue a run that crashed or was interrupted, from its checkpoint"
    ),
) -> None:
    """Turn a request into a finished, mastered clip: WAV + JSON sidecar under OUT/RUN_ID/."""
    quiet_libraries(offline=not allow_download)
    with user_errors():
        check_brain(brain)
        s = settings(brain=brain, budget_s=budget, out_dir=out_dir, allow_download=allow_download or None)
        from sonicgrid.graph.run import continue_run, make

        if resume is None and prompt is None:
            from sonicgrid.errors import UserError

            raise UserError('say what to make, e.g. sonicgrid make "make a moody intro" (or --resume RUN_ID)')

        def run(on_event=None) -> dict:
            if resume is not None:
                return continue_run(resume, s, on_event=on_event)
            return make(prompt or "", s, seed=seed, duration=duration, project=project, on_event=on_event)

        if as_json:
            summary = run()
        else:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            with Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
            ) as prog:
                task = prog.add_task("starting (first run loads models)", total=None)

                def on_event(node: str, update: dict) -> None:
                    if "/" in node:  # a step inside a cell's agent loop
                        prog.update(task, description=f"producing cells: {node.split('/')[-1]} done")
                    else:
                        prog.update(task, description=f"{node}: done; next: {_next(node)}")

                summary = run(on_event)
        say_brain(s)  # after the run, so a bad request fails fast, before any model loads
        _report(summary, as_json)
        if summary["result"].get("status") != "ok":
            raise typer.Exit(1)


def _next(node: str) -> str:
    order = ["intake", "plan", "cell", "finish"]
    return NODE_TEXT.get(order[min(order.index(node) + 1, 3)], "") if node in order else ""


def _say_notes(summary: dict) -> None:
    """What was done otherwise than asked, so nothing is changed silently: the plan's notes (a meter not played,
    a loop that cannot land on the beat, a layer no tool renders), and a brief's `note`/`notes`."""
    brief = summary.get("brief") or {}
    notes = brief.get("notes") or brief.get("note") or []
    said = [notes] if isinstance(notes, str) else list(notes)
    for n in dict.fromkeys(said + list((summary.get("result") or {}).get("notes") or [])):
        console.print(f"[yellow]note:[/] {esc(n)}", soft_wrap=True, highlight=False)


def _report(summary: dict, as_json: bool) -> None:
    res = summary["result"]
    if as_json:
        keep = {k: summary[k] for k in ("run_id", "request", "seed", "brief", "wall_s", "spent_s", "budget_s")}
        keep["result"] = res
        keep["verdicts"] = [
            {k: v[k] for k in ("agent", "choice", "confidence", "reason", "brain", "cell")} for v in summary["verdicts"]
        ]
        print_json(keep)
        return
    _say_notes(summary)
    if res.get("status") != "ok":
        console.print(f"[bold yellow]no clip:[/] {esc(res.get('message'))}", highlight=False)
        return
    from rich.table import Table

    t = Table(title=f"{esc(repr(summary['request']))} -> {esc(res['path'])}", show_lines=False)
    for col in ("agent", "choice", "conf", "reason"):
        t.add_column(col)
    for v in summary["verdicts"]:
        t.add_row(esc(v["agent"]), esc(v["choice"]), f"{v['confidence']:.2f}", esc(v["reason"][:90]))
    out.print(t)
    b = summary["brief"]
    out.print(
        f"[bold green]clip[/] {esc(res['path'])}  {res['duration_s']:.1f}s  score {res['score']:.1f}/10  "
        f"{res['mastering']['lufs_out']:.1f} LUFS  peak {res['mastering']['true_peak_dbtp']:.1f} dBTP"
    )
    out.print(
        f"brief: {esc(b['mood'])} {esc(b['section'])} {esc(', '.join(b['layers']))}; library id {esc(res['clip_id'])}; "
        f"wall {summary['wall_s']:.2f}s, compute {summary['spent_s']:.2f}s of {summary['budget_s']:.0f}s budget"
    )
