"""The runner side of the warm worker: a fresh fork becomes the caller's `sonicgrid ARGV` (its terminal,
environment, working directory, umask, niceness and resource limits) and exits as that process would."""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import signal
import sys
import threading


def _streams(encodings: list) -> None:
    """New sys.stdin/stdout/stderr on fds 0-2 (now the caller's), buffered as Python does at start-up."""

    def raw(fd: int, mode: str):
        return open(fd, mode, closefd=False)

    (ie, ierr), (oe, oerr), (ee, eerr) = encodings
    sys.stdin = io.TextIOWrapper(raw(0, "rb"), encoding=ie, errors=ierr)
    sys.stdout = io.TextIOWrapper(raw(1, "wb"), encoding=oe, errors=oerr, line_buffering=os.isatty(1))
    sys.stderr = io.TextIOWrapper(raw(2, "wb"), encoding=ee, errors=eerr, line_buffering=True)


def run_command(req: dict, fds: list[int]) -> None:
    """In the runner: become the caller's `sonicgrid ARGV` and exit with its status (never returns)."""
    code = 1
    try:
        for sig in (signal.SIGINT,):
            signal.signal(sig, signal.default_int_handler)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        for i, fd in enumerate(fds[:3]):
            os.dup2(fd, i)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.chdir(req["cwd"])
        os.umask(int(req.get("umask", 0o022)))
        _limits(req)
        os.environ.clear()
        os.environ.update(req["env"])
        _streams(req["streams"])
        sys.argv = [req.get("prog", "sonicgrid"), *req["argv"]]
        from sonicgrid.cli import app

        app(args=req["argv"], prog_name=req.get("prog", "sonicgrid"))
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    except BaseException:
        import traceback

        traceback.print_exc()
    _exit_like_python(code)


def unfit(req: dict) -> str | None:
    """Why this worker cannot run the request exactly as the caller would (None: it can)."""
    import resource

    if int(req.get("nice", 0)) < os.getpriority(os.PRIO_PROCESS, 0):
        return "the caller runs at a higher priority than the worker"
    for name, (_soft, hard) in (req.get("rlimits") or {}).items():
        mine = resource.getrlimit(getattr(resource, name))[1]
        if mine != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or hard > mine):
            return f"the caller's {name} is above the worker's"
    return None


def _limits(req: dict) -> None:
    """The caller's niceness and resource limits (lower or equal to the worker's: unfit() checked)."""
    import resource

    os.setpriority(os.PRIO_PROCESS, 0, int(req.get("nice", 0)))
    for name, (soft, hard) in (req.get("rlimits") or {}).items():
        resource.setrlimit(getattr(resource, name), (soft, hard))


def _exit_like_python(code: int) -> None:
    """What interpreter shutdown does for a script (join threads, atexit, flush), then leave at once."""
    for t in threading.enumerate():
        if t is not threading.main_thread() and not t.daemon:
            t.join()
    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
