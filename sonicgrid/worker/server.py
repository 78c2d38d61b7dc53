"""The warm worker: a process that has imported SonicGrid's heavy dependencies once and forks a fresh copy of
itself for every command a `sonicgrid` process hands over (client.py).

Why a fork server and not an in-process request loop: each command runs in its own process, exactly as a cold
CLI would (its own Chroma client, checkpointer, LLM, Settings read from the caller's environment; a crash or a
SIGKILL takes only that command). Preloaded: the third-party packages (LangGraph, Chroma, numpy, pydantic,
Typer, Rich ...: ~3 s of a cold start), SonicGrid's internal modules and the weights that depend on nothing
but the package (MiniLM, musicnn, the critic's trees). Not preloaded: `sonicgrid.cli` and `sonicgrid.commands`
(their Rich consoles look at the terminal when they are made, so each command makes its own), anything that
reads the environment or opens the library, and onnxruntime sessions (their thread pools do not survive a
fork). The worker refuses a command, and stops, once SonicGrid's files or the installed packages changed since
it started: that command and the ones after it run cold, on the new code.

Per command: the worker reads the request (argv, environment, cwd and the caller's stdin/stdout/stderr as
file descriptors), forks a watcher; the watcher forks the runner, tells the caller the runner's pid (signals
are forwarded to it), waits for it and sends its exit status or the signal that killed it. The worker itself
stays single-threaded and never waits on a command; it exits after `idle_s` without a request.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import io
import json
import os
import select
import signal
import site
import socket
import struct
import sys
import threading
import time

from sonicgrid.worker.client import socket_path

PRELOAD = (
    "numpy",
    "soundfile",
    "pydantic",
    "pydantic_settings",
    "yaml",
    "typer",
    "rich.console",
    "rich.progress",
    "rich.table",
    "chromadb",
    "chromadb.api.client",
    "langgraph.graph",
    "langgraph.types",
    "langgraph.checkpoint.sqlite",
    "langchain_core.messages",
    "langchain_core.language_models",
    "llama_cpp",
    "mido",
    "pretty_midi",
    "pedalboard",
    "tinysoundfont",
    "threadpoolctl",
)
SONICGRID_MODULES = (
    "sonicgrid.config",
    "sonicgrid.graph.run",
    "sonicgrid.graph.build",
    "sonicgrid.memory.library",
    "sonicgrid.memory.embed",
    "sonicgrid.tools.registry",
    "sonicgrid.tools.analysts.ears",
    "sonicgrid.tools.analysts.critic",
    "sonicgrid.tools.enhancers.master",
    "sonicgrid.llm.brain",
    "sonicgrid.llm.local",
    "sonicgrid.graph.arrange",
    "sonicgrid.graph.checkpoint",
    "sonicgrid.graph.finish_grid",
    "sonicgrid.memory.continuity",
    "sonicgrid.memory.mixes",
    "sonicgrid.tools.generators.soundfont",
    "sonicgrid.tools.generators.painter",
    "sonicgrid.tools.enhancers.music",
    "sonicgrid.tools.analysts.combined",
    "sonicgrid.tools.real_models",
)
# Never preloaded: huggingface_hub (it reads HF_HUB_OFFLINE once, at import: the caller's setting must
# count) and onnxruntime (its import starts a thread that a fork does not copy).
MAX_HEADER = 4 << 20
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def preload() -> list[str]:
    """Import the heavy third-party modules; the names that failed (the commands import them again)."""
    missing = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:
            missing.append(name)
    for name in SONICGRID_MODULES:
        try:
            importlib.import_module(name)
        except Exception:
            missing.append(name)
    return missing + warm()


def warm() -> list[str]:
    """Load the package-only weights once (each command's fork shares them)."""
    failed = []
    steps = (
        ("MiniLM", "sonicgrid.memory.embed", lambda m: m._model()),
        (
            "musicnn",
            "sonicgrid.tools.analysts.musicnn_net",
            lambda m: [m.load_model(n) for n in ("MTT_musicnn", "MSD_musicnn")],
        ),
        ("critic", "sonicgrid.tools.analysts.critic", lambda m: m.weights()),
        ("mood heads", "sonicgrid.tools.analysts.moodmap", lambda m: m.heads()),
    )
    for label, module, step in steps:
        try:
            step(importlib.import_module(module))
        except Exception:
            failed.append(label)
    return failed


def code_stamp() -> int:
    """A digest of (path, mtime, size) of SonicGrid's own files: an edit, a checkout or a reinstall changes it."""
    seen = []
    stack = [PACKAGE]
    while stack:
        with os.scandir(stack.pop()) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__":
                        stack.append(e.path)
                elif e.name.endswith((".py", ".json", ".yaml", ".txt", ".md")):
                    st = e.stat()
                    seen.append((e.path, st.st_mtime_ns, st.st_size))
    return hash(tuple(sorted(seen)))


def site_stamp() -> tuple:
    """The installed packages, as the mtimes of the site-packages folders (pip changes them)."""
    dirs = [*site.getsitepackages(), site.getusersitepackages()]
    out = []
    for d in dirs:
        with contextlib.suppress(OSError):
            out.append((d, os.stat(d).st_mtime_ns))
    return tuple(out)


def read_request(conn: socket.socket) -> tuple[dict, list[int]]:
    conn.settimeout(5.0)
    fds: list[int] = []
    data = b""
    while len(data) < 4 or len(data) < 4 + struct.unpack("!I", data[:4])[0]:
        chunk, anc, _flags, _addr = conn.recvmsg(1 << 16, socket.CMSG_SPACE(3 * 4))
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += list(struct.unpack(f"{len(payload) // 4}i", payload[: len(payload) // 4 * 4]))
        if not chunk:
            break
        data += chunk
        if len(data) >= 4 and struct.unpack("!I", data[:4])[0] > MAX_HEADER:
            raise ValueError("request too large")
    (size,) = struct.unpack("!I", data[:4])
    return json.loads(data[4 : 4 + size]), fds


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


def watch(conn: socket.socket, req: dict, fds: list[int]) -> None:
    """In the watcher: fork the runner, report its pid, then its exit (never returns). A caller that goes
    away (killed, even by SIGKILL, which it cannot forward) takes the command with it, as a cold process's
    death would: the runner is killed with SIGKILL."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    pid = os.fork()
    if pid == 0:
        conn.close()
        run_command(req, fds)
    for fd in fds:
        os.close(fd)
    status = 1
    try:
        conn.settimeout(None)
        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        wstatus = _wait_or_hang_up(pid, conn)
        if wstatus is None:
            os._exit(1)
        if os.WIFSIGNALED(wstatus):
            conn.sendall(json.dumps({"signal": os.WTERMSIG(wstatus)}).encode() + b"\n")
        else:
            conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(wstatus)}).encode() + b"\n")
        status = 0
    except OSError:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    os._exit(status)


def _wait_or_hang_up(pid: int, conn: socket.socket) -> int | None:
    """The runner's wait status; None (after killing it) when the caller hung up first."""
    pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    try:
        while True:
            done, wstatus = os.waitpid(pid, os.WNOHANG)
            if done:
                return wstatus
            ready, _, _ = select.select([conn] + ([pidfd] if pidfd is not None else []), [], [], 0.05)
            if conn in ready and not conn.recv(1):  # the caller never writes again: EOF means it is gone
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return None
    finally:
        if pidfd is not None:
            os.close(pidfd)


def bind(path: str) -> socket.socket:
    """Listen on `path`; a socket file left by a dead worker is replaced, a live worker's is not."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        raise SystemExit(f"a worker is already serving {path}")
    except (FileNotFoundError, ConnectionRefusedError):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    finally:
        probe.close()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o077)  # only this user may hand commands over
    try:
        sock.bind(path)
    finally:
        os.umask(old)
    sock.listen(16)
    return sock


def serve(path: str, idle_s: float = 1800.0) -> None:
    t0 = time.monotonic()
    missing = preload()
    stamp = (site_stamp(), code_stamp())
    sock = bind(path)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # watchers are reaped by the kernel
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    served, started = 0, time.time()
    print(
        f"sonicgrid worker {os.getpid()} on {path}: preloaded in {time.monotonic() - t0:.1f} s, "
        f"{len(os.listdir('/proc/self/task')) if os.path.isdir('/proc/self/task') else '?'} threads"
        + (f" (not importable: {', '.join(missing)})" if missing else ""),
        flush=True,
    )
    try:
        sock.settimeout(idle_s)
        while True:
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                print(f"idle for {idle_s:.0f} s: stopping", flush=True)
                return
            with conn:
                try:
                    req, fds = read_request(conn)
                except (OSError, ValueError) as exc:
                    print(f"bad request: {exc}", flush=True)
                    continue
                op = req.get("op")
                if op == "ping":
                    send_line(conn, {"pid": os.getpid(), "started": started, "served": served, "path": path})
                elif op == "stop":
                    send_line(conn, {"stopped": os.getpid()})
                    return
                elif op == "run" and (site_stamp(), code_stamp()) != stamp:
                    send_line(conn, {"refused": "SonicGrid or the installed packages changed since it started"})
                    for fd in fds:
                        os.close(fd)
                    print("SonicGrid or the installed packages changed: stopping", flush=True)
                    return
                elif op == "run" and (why := unfit(req)):
                    send_line(conn, {"refused": why})
                    for fd in fds:
                        os.close(fd)
                elif op == "run" and len(fds) == 3:
                    served += 1
                    if os.fork() == 0:
                        sock.close()
                        watch(conn, req, fds)
                    for fd in fds:
                        os.close(fd)
                else:
                    send_line(conn, {"refused": f"unknown request {op!r}"})
                    for fd in fds:
                        os.close(fd)
    finally:
        sock.close()
        with contextlib.suppress(FileNotFoundError):
            if os.path.exists(path):
                os.unlink(path)


def send_line(conn: socket.socket, msg: dict) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(msg).encode() + b"\n")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sonicgrid.worker.server", description=__doc__.split("\n")[0])
    ap.add_argument("--socket", default=None, help="Unix socket path [default: client.socket_path()]")
    ap.add_argument("--idle", type=float, default=1800.0, help="stop after this many seconds without a request")
    args = ap.parse_args(argv)
    serve(args.socket or socket_path(), args.idle)


if __name__ == "__main__":
    main()
