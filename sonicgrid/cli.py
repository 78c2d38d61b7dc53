"""SonicGrid command line: make, chat, studio, trace, eval, library, models."""

from __future__ import annotations

import typer

from sonicgrid.commands import make as make_mod
from sonicgrid.commands import models as models_mod

app = typer.Typer(
    help='SonicGrid: an agentic audio producer. Try: sonicgrid make "make a moody intro"',
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("make")(make_mod.make_cmd)
app.add_typer(models_mod.app, name="models")


def _optional(module: str, name: str) -> None:
    """Register a command group whose module exists (added by later work)."""
    import importlib

    try:
        mod = importlib.import_module(f"sonicgrid.commands.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"sonicgrid.commands.{module}":
            raise
        return
    if hasattr(mod, "app"):
        app.add_typer(mod.app, name=name)
    elif hasattr(mod, "command"):
        app.command(name)(mod.command)


for _module, _name in (
    ("library", "library"),
    ("trace", "trace"),
    ("chat", "chat"),
    ("evaluate", "eval"),
    ("llm", "llm"),
    ("studio", "studio"),
    ("remix", "remix"),
):
    _optional(_module, _name)

if __name__ == "__main__":
    app()
