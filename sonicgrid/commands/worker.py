"""`sonicgrid worker`: start, stop and inspect the warm worker that makes every later command start fast."""

from __future__ import annotations

import time

import typer

from sonicgrid.commands.common import console, out, print_json
from sonicgrid.commands.safe import esc
from sonicgrid.worker import client

app = typer.Typer(
    help="A warm worker: keeps SonicGrid's heavy imports loaded so that `make`, `remix`, `eval`, `library` and "
    "`trace` start in well under a second (each command still runs in its own fresh process). "
    "By default (SONICGRID_WORKER=auto) a command that finds none starts one and hands itself over once it "
    "serves; =use only uses a running one; =off never.",
    no_args_is_help=True,
)


@app.command("start")
def start(wait: float = typer.Option(30.0, "--wait", help="Seconds to wait until it serves")) -> None:
    """Start the worker in the background (it stops itself after 30 idle minutes)."""
    path = client.socket_path()
    info = client.ask(path, "ping")
    if info:
        out.print(f"a worker is already running: pid {info['pid']} on {esc(path)}")
        return
    pid = client.start_in_background(path)
    t0 = time.monotonic()
    with console.status("starting the worker (importing LangGraph, Chroma ...)"):
        while time.monotonic() - t0 < wait:
            info = client.ask(path, "ping")
            if info:
                out.print(f"worker ready in {time.monotonic() - t0:.1f} s: pid {info['pid']} on {esc(path)}")
                return
            time.sleep(0.1)
    console.print(f"[red]the worker (pid {pid}) did not answer within {wait:.0f} s; see {esc(path)}.log[/red]")
    raise typer.Exit(1)


@app.command("stop")
def stop() -> None:
    """Stop the worker (commands it is running finish)."""
    info = client.ask(client.socket_path(), "stop")
    if info is None:
        out.print("no worker is running")
        return
    out.print(f"stopped worker pid {info['stopped']}" if info else "the worker did not answer")


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary")) -> None:
    """Whether a worker serves this installation, since when and how many commands it ran."""
    path = client.socket_path()
    info = client.ask(path, "ping") or {}
    if as_json:
        print_json({"running": bool(info), "socket": path, **info})
        return
    if not info:
        out.print(f"no worker is running (socket {esc(path)}); start one with: sonicgrid worker start")
        return
    up = time.time() - info["started"]
    out.print(f"worker pid {info['pid']} on {esc(path)}: up {up:.0f} s, {info['served']} commands served")


@app.command("serve")
def serve(idle: float = typer.Option(1800.0, "--idle", help="Stop after this many seconds without a request")) -> None:
    """Run the worker in the foreground (for a service manager; `start` runs this in the background)."""
    from sonicgrid.worker.server import serve as run

    run(client.socket_path(), idle)
