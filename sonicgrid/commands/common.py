"""What every command shares: settings from flags + env, one-line errors, quiet model loading.

Imports here stay light (`sonicgrid --help` loads this module): pydantic and the Settings model
load inside the functions that need them."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from rich.console import Console

from sonicgrid.errors import UserError

console = Console(stderr=True)
out = Console()


def quiet_libraries() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def settings(**overrides):
    from sonicgrid.config import Settings

    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except Exception as exc:  # pydantic ValidationError: report the first problem in one line
        errs = getattr(exc, "errors", None)
        if errs:
            e = errs()[0]
            raise UserError(f"bad setting {'.'.join(map(str, e['loc']))}: {e['msg']}") from exc
        raise UserError(str(exc)) from exc


BRAIN_HELP = "Agents' brain: auto (the embedded LLM judge if it loads, else rules), llm, or rules (deterministic)"


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
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True, highlight=False)


@contextmanager
def user_errors():
    """Turn UserError into one red line and exit code 2."""
    try:
        yield
    except UserError as exc:
        console.print(f"[bold red]error:[/] {exc}", soft_wrap=True, highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: finished runs are kept; checkpoints are under the data dir")
        sys.exit(130)
