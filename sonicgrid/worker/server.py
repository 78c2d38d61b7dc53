"""The warm worker: a process that has imported SonicGrid's heavy dependencies once (preload.py) and forks a
fresh copy of itself for every command a `sonicgrid` process hands over (client.py).

Why a fork server and not an in-process request loop: each command runs in its own process, exactly as a cold
CLI would (its own Chroma client, checkpointer, LLM, Settings read from the caller's environment; a crash or a
SIGKILL takes only that command). The worker refuses a command, and stops, once SonicGrid's files or the
installed packages changed since it started (preload.stamp): that command and the ones after it run cold, on
the new code; it also refuses one it cannot run as the caller would (runner.unfit).

Per command: the worker reads the request (argv, environment, cwd and the caller's stdin/stdout/stderr as
file descriptors), forks a watcher; the watcher forks the runner (runner.py), tells the caller the runner's
pid (signals are forwarded to it), waits for it and sends its exit status or the signal that killed it. The
worker itself stays single-threaded and never waits on a command; it exits after `idle_s` without a request.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import signal
import socket
import struct
import sys
import time

from sonicgrid.worker.client import socket_path
from sonicgrid.worker.preload import preload, stamp
from sonicgrid.worker.runner import run_command, unfit

MAX_HEADER = 4 << 20


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
        conn.sendall(line({"pid": pid}))
        wstatus = _wait_or_hang_up(pid, conn)
        if wstatus is None:
            os._exit(1)
        if os.WIFSIGNALED(wstatus):
            conn.sendall(line({"signal": os.WTERMSIG(wstatus)}))
        else:
            conn.sendall(line({"exit": os.waitstatus_to_exitcode(wstatus)}))
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
    started_with = stamp()
    sock = bind(path)
    with contextlib.suppress(OSError):  # a start that failed before is history now
        os.unlink(path + ".failed")
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
                try:  # the caller's descriptors: a watcher forked below has its own copies
                    if op == "ping":
                        send_line(conn, {"pid": os.getpid(), "started": started, "served": served, "path": path})
                    elif op == "stop":
                        send_line(conn, {"stopped": os.getpid()})
                        return
                    elif op == "run" and stamp() != started_with:
                        send_line(conn, {"refused": "SonicGrid or the installed packages changed since it started"})
                        print("SonicGrid or the installed packages changed: stopping", flush=True)
                        return
                    elif op == "run" and (why := unfit(req)):
                        send_line(conn, {"refused": why})
                    elif op == "run" and len(fds) == 3:
                        served += 1
                        if os.fork() == 0:
                            sock.close()
                            watch(conn, req, fds)
                    else:
                        send_line(conn, {"refused": f"unknown request {op!r}"})
                finally:
                    for fd in fds:
                        os.close(fd)
    finally:
        sock.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def line(msg: dict) -> bytes:
    """One reply to the caller: a JSON line (client.replies reads them)."""
    return json.dumps(msg).encode() + b"\n"


def send_line(conn: socket.socket, msg: dict) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(line(msg))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sonicgrid.worker.server", description=__doc__.split("\n")[0])
    ap.add_argument("--socket", default=None, help="Unix socket path [default: client.socket_path()]")
    ap.add_argument("--idle", type=float, default=1800.0, help="stop after this many seconds without a request")
    args = ap.parse_args(argv)
    serve(args.socket or socket_path(), args.idle)


if __name__ == "__main__":
    main()
