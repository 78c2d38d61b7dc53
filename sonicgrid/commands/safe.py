"""Safe terminal output of user-supplied text (prompts, file names, project names, tags, errors).

`esc` makes a string inert for Rich: control bytes (ESC, NUL, the C1 range, DEL...) become visible
escapes such as `\\x1b`, so nothing a user typed or a file was named can move the cursor, recolour or
clear the terminal; then Rich markup (`[red]`, `[/chorus]`, `[link=...]`) is escaped so it prints as
typed instead of being parsed (or crashing with a MarkupError).
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: Any) -> str:
    """Control characters (all but tab and newline) as visible escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", "" if text is None else str(text))


def esc(text: Any) -> str:
    """User text ready for console.print / a Table cell: no control bytes, no live markup."""
    return escape(clean(text))


def one_line(text: Any, limit: int = 300) -> str:
    """A single escaped line (newlines folded), for error messages."""
    return esc(" ".join(clean(text).splitlines()))[: limit * 2]
