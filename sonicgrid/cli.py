"""SonicGrid command line: make, chat, studio, trace, eval, library, models, worker."""

from __future__ import annotations

import sys

if __name__ == "__main__":  # a running warm worker takes the command over (sonicgrid/worker); else go on cold
    from sonicgrid.worker.client import handoff

    handoff(sys.argv[1:])

import typer

from sonicgrid.commands import chat as chat_mod
from sonicgrid.commands import evaluate as evaluate_mod
from sonicgrid.commands import library as library_mod
from sonicgrid.commands import llm as llm_mod
from sonicgrid.commands import make as make_mod
from sonicgrid.commands import models as models_mod
from sonicgrid.commands import remix as remix_mod
from sonicgrid.commands import studio as studio_mod
from sonicgrid.commands import trace as trace_mod
from sonicgrid.commands import worker as worker_mod

app = typer.Typer(
    help='SonicGrid: an agentic audio producer. Try: sonicgrid make "make a moody intro"',
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("make", epilog=make_mod.EXAMPLES)(make_mod.make_cmd)
app.add_typer(models_mod.app, name="models")


app.add_typer(library_mod.app, name="library")
app.add_typer(trace_mod.app, name="trace")
app.add_typer(llm_mod.app, name="llm")
app.add_typer(worker_mod.app, name="worker")
app.command("chat")(chat_mod.command)
app.command("eval")(evaluate_mod.command)
app.command("studio")(studio_mod.command)
app.command("remix")(remix_mod.command)


if __name__ == "__main__":
    app()
