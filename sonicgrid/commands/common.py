"""What every command shares: settings from flags + env, one-line errors, quiet model loading.

Imports here stay light (`sonicgrid --help` loads this module): pydantic and the Settings model
load inside the functions that need them."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from sonicgrid.commands.safe import esc, one_line
from sonicgrid.errors import UserError

console = Console(stderr=True)
out = Console()


def print_json(data: Any) -> None:
    """JSON on stdout: highlighted on a terminal, plain (and ~0.4 s faster for a clip's report, no
    highlighting pass) when a script or a pipe reads it."""
    text = json.dumps(data, default=str, indent=2)
    if out.is_terminal:
        out.print_json(text)
    else:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def quiet_libraries(offline: bool = True) -> None:
    """Library defaults before they load: offline model hubs (unless downloads are allowed), no noise."""
    if offline:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


# One file-permission policy (docs/RELIABILITY.md): everything SonicGrid writes (clips, sidecars, traces,
# the library and checkpoint SQLite files) holds prompts or audio of the user's: owner-only (0600/0700).
PRIVATE_UMASK = 0o077


def settings(**overrides):
    from sonicgrid.config import Settings

    os.umask(PRIVATE_UMASK)
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except Exception as exc:  # pydantic ValidationError: report the first problem in one line
        errs = getattr(exc, "errors", None)
        if errs:
            e = errs()[0]
            raise UserError(f"bad setting {'.'.join(map(str, e['loc']))}: {e['msg']} (got {e.get('input')!r})") from exc
        raise UserError(str(exc)) from exc


BRAIN_HELP = "Agents' brain: auto (the embedded LLM judge if it loads, else rules), llm, or rules (deterministic)"


def producer_settings(brain: str | None, budget: float | None, out_dir: Any, approve: bool, approve_over: float):
    """The Settings of a long-lived producer (chat, studio): the brain checked, the output folder
    writable, and a note when the default brain fell back to rules; before the first request."""
    from pathlib import Path

    check_brain(brain)
    s = settings(brain=brain, budget_s=budget, out_dir=out_dir, approve_over_s=approve_over if approve else None)
    from sonicgrid.graph.run import check_writable

    check_writable(Path(s.out_dir))
    say_brain(s)
    return s


def check_brain(brain: str | None) -> None:
    from typing import get_args

    from sonicgrid.config import Settings

    names = get_args(Settings.model_fields["brain"].annotation)
    if brain is not None and brain not in names:
        raise UserError(f"--brain must be one of {', '.join(names)}, not {brain!r}")


def say_brain(s) -> None:
    """Say when the default brain (auto) fell back to rules, and why (loads the brain if not yet loaded)."""
    from sonicgrid.graph.run import services_for

    note = services_for(s).brain.note
    if note:
        console.print(f"[yellow]note:[/] {esc(note)}", soft_wrap=True, highlight=False)


@contextmanager
def user_errors():
    """Turn UserError into one red line and exit code 2."""
    try:
        yield
    except UserError as exc:
        console.print(f"[bold red]error:[/] {one_line(exc)}", soft_wrap=True, highlight=False)
        sys.exit(2)
    except OSError as exc:  # a read-only or full disk, a file where a folder should be: one line, not a traceback
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        console.print(
            f"[bold red]error:[/] cannot use{esc(where)}: {esc(exc.strerror or exc)}", soft_wrap=True, highlight=False
        )
        sys.exit(2)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: finished runs are kept; checkpoints are under the data dir")
        sys.exit(130)
