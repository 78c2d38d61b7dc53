"""`sonicgrid trace`: list runs, show one as a tree, diff two, export, or write an HTML report."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from sonicgrid.commands.common import console, out, settings, user_errors
from sonicgrid.commands.safe import esc
from sonicgrid.errors import UserError

app = typer.Typer(
    help="Inspect agent traces: what each agent decided, why, with which tools, at what cost.", no_args_is_help=True
)


@app.command("list")
def list_cmd(limit: int = typer.Option(20, "--limit", "-n", help="Most recent N runs")) -> None:
    """List recorded runs, newest last."""
    with user_errors():
        from sonicgrid.trace import store

        s = settings()
        traces, bad = store.readable(store.paths(s)[-limit:])
        rows = [store.summary(t) for t in traces]
        if bad:
            console.print(f"[yellow]{bad} unreadable trace files skipped[/] in {esc(s.traces_dir)}")
        if not rows:
            out.print(f"no traces yet in {esc(s.traces_dir)}")
            return
        t = Table(title=f"runs in {esc(s.traces_dir)}")
        for col in ("run", "when", "request", "status", "score", "verdicts", "regen", "compute s", "wall s", "brain"):
            t.add_column(col)
        for r in rows:
            when = time.strftime("%m-%d %H:%M:%S", time.localtime(r["created"])) if r.get("created") else "-"
            t.add_row(
                esc(r["run_id"]),
                when,
                esc(str(r["request"])[:40]),
                esc(r["status"]),
                esc(r["score"] or "-"),
                str(r["verdicts"]),
                str(r["regenerations"]),
                f"{float(r['spent_s'] or 0):.2f}",
                f"{float(r['wall_s'] or 0):.2f}",
                esc(r["brain"]),
            )
        out.print(t)


@app.command("show")
def show_cmd(
    run: str = typer.Argument("last", help="Run id, unique prefix, or 'last' (also 'latest')"),
    no_evidence: bool = typer.Option(False, "--no-evidence", help="Hide the evidence lines"),
) -> None:
    """Show a run as a tree: node -> verdicts -> tool calls; regenerations as loops."""
    with user_errors():
        from sonicgrid.trace import store, tree

        out.print(tree.build(store.load(run, settings()), evidence=not no_evidence))


@app.command("diff")
def diff_cmd(run_a: str = typer.Argument(...), run_b: str = typer.Argument(...)) -> None:
    """What differs between two runs: brief, decisions per agent and cell, result, cost."""
    with user_errors():
        from sonicgrid.trace import store
        from sonicgrid.trace.diff import diff

        s = settings()
        a, b = store.load(run_a, s), store.load(run_b, s)
        rows = diff(a, b)
        if not rows:
            out.print(f"{esc(a['run_id'])} and {esc(b['run_id'])} made the same decisions")
            return
        t = Table(title=f"{esc(a['run_id'])} vs {esc(b['run_id'])}")
        for col in ("what", esc(a["run_id"]), esc(b["run_id"])):
            t.add_column(col)
        for r in rows:
            t.add_row(*map(esc, r))
        out.print(t)


@app.command("export")
def export_cmd(
    run: str = typer.Argument("last"),
    fmt: str = typer.Option("json", "--format", "-f", help="json (whole trace) or jsonl (events)"),
    output: Path | None = typer.Option(None, "--output", "-o", help="File [default: stdout]"),
) -> None:
    """Export a trace as JSON or JSON lines (run, node, verdict, tool_call, cell, result events)."""
    with user_errors():
        from sonicgrid.trace import export, store

        if fmt not in ("json", "jsonl"):
            raise UserError(f"--format must be json or jsonl, not {fmt!r}")
        text = export.render(store.load(run, settings()), fmt)
        if output:
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(text)
            except OSError as exc:
                raise UserError(f"cannot write {output}: {exc.strerror or exc}") from exc
            out.print(f"wrote {esc(output)}")
        else:
            typer.echo(text, nl=False)


@app.command("report")
def report_cmd(
    run: str = typer.Argument("last"),
    output: Path | None = typer.Option(None, "--output", "-o", help="HTML file [default: RUN_DIR/report.html]"),
) -> None:
    """Write a self-contained HTML page: timeline, every verdict, waveforms, spectrograms, players, scores."""
    with user_errors():
        from sonicgrid.trace import report, store

        s = settings()
        t = store.load(run, s)
        dest = output or (
            Path(t["run_dir"]) / "report.html"
            if t.get("run_dir") and Path(t["run_dir"]).is_dir()
            else s.traces_dir / f"{t['run_id']}.html"
        )
        try:
            written = report.write(t, dest)
        except OSError as exc:
            raise UserError(f"cannot write {dest}: {exc.strerror or exc}") from exc
        out.print(f"wrote {esc(written)}")
