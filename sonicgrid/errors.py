"""Errors that reach the user as one clear line (exit code 2), never a traceback."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path


class UserError(Exception):
    """Bad input or a missing resource the user can fix; the CLI prints it and exits 2."""


class ModelUnavailable(UserError):
    """A model (LLM, generator, analyst) is not present where we looked."""


def disk_full(exc: BaseException, paths: list[Path]) -> bool:
    """Whether a failure was the disk filling up: ENOSPC anywhere in the exception chain, or under 1 MiB
    free on the disk of any of `paths`. Libraries do not always say so: libsndfile reports "System
    error", and a Chroma start that failed for space can surface later as an unrelated AttributeError."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        seen = seen.__cause__ or seen.__context__
    for p in paths:
        while not p.exists() and p != p.parent:
            p = p.parent
        try:
            if shutil.disk_usage(p).free < 1 << 20:
                return True
        except OSError:
            continue
    return False
