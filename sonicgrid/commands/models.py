"""`sonicgrid models`: every role -> model -> available? where from? est. cost per second of audio."""

from __future__ import annotations

import typer
from rich.table import Table

from sonicgrid.commands.common import out, quiet_libraries, settings, user_errors

app = typer.Typer(help="List the tools and models SonicGrid can use, and check one.", invoke_without_command=True)


@app.callback()
def models(ctx: typer.Context) -> None:
    """Table of every tool: role, capabilities, availability, where it comes from, cost model."""
    if ctx.invoked_subcommand:
        return
    quiet_libraries()
    with user_errors():
        from sonicgrid.tools.registry import default_registry

        reg = default_registry(settings().sample_rate)
        t = Table(title="SonicGrid tools (first available per role wins)")
        for c in ("role", "tool", "available", "where", "s per audio s", "capabilities"):
            t.add_column(c)
        for d in reg.describe():
            t.add_row(d["role"], d["name"], "[green]yes[/]" if d["available"] else "[red]no[/]", d["where"],
                      f"{d['cost_per_audio_s']:.3f} ({d['device']})", ", ".join(d["capabilities"]))
        out.print(t)
