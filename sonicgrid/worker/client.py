"""The thin side of the warm worker: hand this command line to a running `sonicgrid worker`, or return.

A cold `sonicgrid make` spends ~3 s importing LangGraph, Chroma and their dependencies before it does any
work. A worker (server.py) has imported them once; for each command it forks a fresh process that runs the
ordinary CLI, with this process's terminal (stdin, stdout, stderr passed over a Unix socket), environment,
working directory and arguments. Output, exit codes and signals are the cold run's: Ctrl-C here is forwarded
to the command, a command killed by a signal kills this process with the same signal.

Standard library only, and nothing SonicGrid imports: this runs before anything heavy is loaded.
SONICGRID_WORKER: `auto` (default: hand over to the running worker; when none runs, a batch command starts
one in the background and hands over once it serves: ~3.5 s, less than the ~5 s of a cold run, and every
later command is warm; it stops after 30 idle minutes), `use` (only hand over, never start one), `off`
(always cold). A worker that cannot start (or does not serve within SONICGRID_WORKER_WAIT_S, 20 s) means
this command runs cold; one that died starting is not tried again for 10 minutes.
"""

from __future__ import annotations

import array
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import time

SERVED = frozenset(
    {"make", "remix", "eval", "library", "trace", "--help"}
)  # batch commands; chat and studio stay local
STARTS = SERVED - {"--help"}  # worth starting a worker for (a cold --help takes 0.4 s)
RETRY_AFTER_S = 600.0  # a worker that died while starting is not tried again for this long
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def socket_path() -> str:
    """One worker per interpreter + SonicGrid checkout + import path (SONICGRID_WORKER_SOCKET overrides)."""
    explicit = os.environ.get("SONICGRID_WORKER_SOCKET")
    if explicit:
        return explicit
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    key = "\0".join((sys.executable, pkg, os.environ.get("PYTHONPATH", ""), sys.version))
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    base = os.environ.get("XDG_RUNTIME_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "sonicgrid")
    return os.path.join(base, f"worker-{digest}.sock")


def send(sock: socket.socket, msg: dict, fds: list[int] | None = None) -> None:
    body = json.dumps(msg).encode()
    parts = [struct.pack("!I", len(body)) + body]
    if fds:
        sock.sendmsg(parts, [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        sock.sendall(parts[0])


def connect(path: str, timeout: float = 2.0) -> socket.socket | None:
    if not os.path.exists(path):
        return None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError:
        s.close()
        return None
    return s


def replies(sock: socket.socket):
    """The worker's JSON lines, one dict each."""
    for line in sock.makefile("rb"):
        try:
            yield json.loads(line)
        except ValueError:
            return


def ask(path: str, op: str) -> dict | None:
    """A one-line request to the worker ("ping", "stop"): its answer; {} when it did not answer; None when no
    worker listens on `path`."""
    sock = connect(path)
    if sock is None:
        return None
    with sock:
        try:
            send(sock, {"op": op})
            return next(replies(sock), None) or {}
        except OSError:
            return {}


def _std_fds_usable() -> bool:
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:
        return False
    return True


def _prog() -> str:
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "sonicgrid"
    return "python -m sonicgrid.cli" if name in ("cli.py", "__main__.py", "-c") else name


def handoff(argv: list[str]) -> None:
    """Run `argv` in the warm worker and exit with its status; return (doing nothing) when it cannot."""
    mode = os.environ.get("SONICGRID_WORKER", "auto").strip().lower()
    if mode not in ("use", "auto") or not argv or argv[0] not in SERVED or not _std_fds_usable():
        return
    path = socket_path()
    sock = connect(path)
    if sock is None and mode == "auto" and argv[0] in STARTS and not {"--help", "-h"} & set(argv):
        sock = started(path)
    if sock is None:
        return
    request = {
        "op": "run",
        "argv": list(argv),
        "prog": _prog(),
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "umask": _umask(),
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "rlimits": _rlimits(),
        "streams": [[s.encoding, s.errors] for s in (sys.stdin, sys.stdout, sys.stderr)],
    }
    try:
        send(sock, request, [0, 1, 2])
        sock.settimeout(None)
        answers = replies(sock)
        first = next(answers, None)
    except OSError:
        return
    if not first or "pid" not in first:  # refused (stale worker, other code): run here, cold
        return
    _wait_for(first["pid"], answers)


LIMITS = ("RLIMIT_FSIZE", "RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_CPU", "RLIMIT_NOFILE", "RLIMIT_CORE")


def _rlimits() -> dict[str, list[int]]:
    """This process's resource limits (`ulimit -f`, `-v` ...): the command must run under the same."""
    import resource

    return {n: list(resource.getrlimit(getattr(resource, n))) for n in LIMITS if hasattr(resource, n)}


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def _wait_for(pid: int, answers) -> None:
    def forward(sig, _frame):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass

    for sig in FORWARDED:
        signal.signal(sig, forward)
    done = next(answers, None)
    for sig in FORWARDED:
        signal.signal(sig, signal.SIG_DFL)
    if done is None:
        sys.stderr.write(f"sonicgrid: the warm worker went away while running this command (pid {pid})\n")
        os._exit(1)
    if "signal" in done:
        sys.stdout.flush()
        os.kill(os.getpid(), int(done["signal"]))
        os._exit(128 + int(done["signal"]))
    os._exit(int(done.get("exit", 1)))


def started(path: str) -> socket.socket | None:
    """Start a worker on `path` (or wait for the one another command is starting: one lock, so only one
    starts) and connect once it serves; None (run cold) when it cannot start, died starting (remembered for
    RETRY_AFTER_S) or does not serve within SONICGRID_WORKER_WAIT_S."""
    import fcntl

    try:
        wait_s = float(os.environ.get("SONICGRID_WORKER_WAIT_S", "20"))
        if _failed_recently(path):
            return None
        os.makedirs(os.path.dirname(path), exist_ok=True)
        lock = os.open(path + ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except (OSError, ValueError):  # no writable home, a bad setting: cold, and it works
        return None
    pid, deadline = 0, time.monotonic() + wait_s
    try:
        while time.monotonic() < deadline:
            sock = connect(path, timeout=1.0)
            if sock is not None:
                return sock
            if not pid:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:  # another command is starting it: wait for its socket
                    if _failed_recently(path):
                        return None
                    time.sleep(0.05)
                    continue
                sock = connect(path, timeout=1.0)  # started while we took the lock
                if sock is not None:
                    return sock
                pid = start_in_background(path)
            elif os.waitpid(pid, os.WNOHANG)[0]:  # it died starting: see its log
                with open(path + ".failed", "w") as f:
                    f.write(f"worker {pid} died while starting (log: {path}.log)\n")
                return None
            time.sleep(0.05)
        return None
    except OSError:
        return None
    finally:
        os.close(lock)  # releases the lock


def _failed_recently(path: str) -> bool:
    """A worker on `path` died while starting less than RETRY_AFTER_S ago (its `.failed` record)."""
    try:
        return time.time() - os.stat(path + ".failed").st_mtime < RETRY_AFTER_S
    except OSError:
        return False


def start_in_background(path: str | None = None) -> int:
    """Start `python -m sonicgrid.worker.server` detached from this terminal; its pid."""
    import subprocess

    path = path or socket_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    log = open(path + ".log", "ab")  # noqa: SIM115 - handed to the child
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sonicgrid.worker.server", "--socket", path],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    finally:
        log.close()
    return proc.pid


def main() -> None:
    """The `sonicgrid` console script: hand over to a warm worker when one runs, else run here (cold)."""
    handoff(sys.argv[1:])
    from sonicgrid.cli import app

    app()
