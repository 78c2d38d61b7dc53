"""`sonicgrid studio`: the local web app (chat, players, stem mixer, live verdicts, library)."""

from __future__ import annotations

from pathlib import Path

import typer

from sonicgrid.commands.common import BRAIN_HELP, console, producer_settings, quiet_libraries, user_errors


def command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on (default: this machine only)"),
    port: int = typer.Option(7860, "--port", help="Port (0: any free port)"),
    out_dir: Path | None = typer.Option(None, "--out", "-o", help="Output directory [default: ./out]"),
    brain: str | None = typer.Option(None, "--brain", help=BRAIN_HELP),
    budget: float | None = typer.Option(None, "--budget", help="Compute budget per request, seconds"),
    approve: bool = typer.Option(False, "--approve", help="Ask (buttons in the page) before each expensive step"),
    approve_over: float = typer.Option(0.0, "--approve-over", help="With --approve: ask only above this estimate (s)"),
    project: str | None = typer.Option(None, "--project", help="Body of work the clips must fit"),
    seed: int = typer.Option(0, "--seed", help="Random seed of a session's first turn (turn n uses seed+n)"),
) -> None:
    """Serve SonicGrid Studio on 127.0.0.1 and print its URL: talk, listen, mix stems, watch the agents decide."""
    quiet_libraries()
    with user_errors():
        s = producer_settings(brain, budget, out_dir, approve, approve_over)
        from sonicgrid.studio.serve import serve

        serve(s, host=host, port=port, project=project, seed=seed, say=console.print)
