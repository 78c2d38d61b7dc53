"""`sonicgrid chat`: a multi-turn conversation that remembers its clips (resumable with --session)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from sonicgrid.commands.common import BRAIN_HELP, console, out, producer_settings, quiet_libraries, user_errors
from sonicgrid.commands.safe import esc as escape
from sonicgrid.commands.safe import one_line


def command(
    out_dir: Path | None = typer.Option(None, "--out", "-o", help="Output directory [default: ./out]"),
    session: str | None = typer.Option(None, "--session", help="Resume (or name) a session"),
    brain: str | None = typer.Option(None, "--brain", help=BRAIN_HELP),
    budget: float | None = typer.Option(None, "--budget", help="Compute budget per request, seconds"),
    approve: bool = typer.Option(False, "--approve", help="Ask before each expensive step"),
    approve_over: float = typer.Option(0.0, "--approve-over", help="With --approve: ask only above this estimate (s)"),
    project: str | None = typer.Option(None, "--project", help="Body of work the clips must fit"),
    seed: int = typer.Option(0, "--seed", help="Random seed of the first turn (turn n uses seed+n)"),
) -> None:
    """Talk to SonicGrid: "make a moody intro", "darker", "add drums", "what did you decide and why?".
    Reads lines from stdin (a terminal or a script); /help lists the slash commands."""
    quiet_libraries()
    with user_errors():
        s = producer_settings(brain, budget, out_dir, approve, approve_over)
        from sonicgrid.session.chat import Chat
        from sonicgrid.session.thread import ChatContext
        from sonicgrid.session.turn_kind import goodbye

        chat = Chat(ChatContext(s, Path(s.out_dir), seed=seed, project=project, say=console.print), session)
        turns = chat.turns
        out.print(
            f"session {escape(chat.id)}"
            + (f" resumed: {len(turns)} turns" if turns else "")
            + f" (resume with: sonicgrid chat --session {escape(chat.id)}); /help for commands, /quit to leave",
            highlight=False,
        )
        if chat.question:
            out.print(f"[bold yellow]?[/] {escape(chat.question)}", highlight=False)
        tty = sys.stdin.isatty()
        while True:
            if tty:
                out.print("[bold cyan]you>[/] ", end="")
            line = sys.stdin.readline()
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if text in ("/quit", "/exit", "/q") and chat.question is None:
                break
            try:
                reply = chat.send(text)
            except Exception as exc:  # one bad turn must not end the conversation
                from sonicgrid.errors import UserError

                if not isinstance(exc, UserError):
                    raise
                out.print(f"[bold red]error:[/] {one_line(exc)}", highlight=False)
                continue
            prefix = "[bold yellow]?[/] " if chat.question else "[bold green]sonicgrid>[/] "
            out.print(prefix + escape(reply), highlight=False, soft_wrap=True)
            if chat.question is None and goodbye(text):  # "thanks, bye": the session ends as /quit ends it
                break
        out.print(f"bye: session {escape(chat.id)} is saved", highlight=False)
