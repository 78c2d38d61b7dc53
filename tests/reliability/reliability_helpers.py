"""Shared by tests/reliability: the real CLI in a subprocess, real files, a loopback server, mounts."""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]


class Env:
    """A private data dir + out dir, and the CLI run against them."""

    def __init__(self, base: Path, **extra: str):
        self.base = Path(base)
        self.data = self.base / "data"
        self.out = self.base / "out"
        self.extra = {k: str(v) for k, v in extra.items()}

    def env(self, **more: str) -> dict:
        e = dict(os.environ)
        e.update(
            PYTHONPATH=str(ROOT),
            SONICGRID_DATA_DIR=str(self.data),
            SONICGRID_OUT_DIR=str(self.out),
            SONICGRID_BRAIN="rules",
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            TOKENIZERS_PARALLELISM="false",
            ANONYMIZED_TELEMETRY="False",
            COLUMNS="200",
        )
        e.update(self.extra)
        e.update({k: str(v) for k, v in more.items()})
        return e

    def cli(self, *args: str, timeout: float = 180, cold: bool = False, **env: str) -> subprocess.CompletedProcess:
        """The CLI as a user runs it, handed to the suite's warm worker (a command there is the cold
        command with its imports done: tests/integration/test_worker.py) unless `cold`."""
        sock = None if cold else shared_worker()
        if sock:
            env = {"SONICGRID_WORKER": "use", "SONICGRID_WORKER_SOCKET": sock, **env}
        return subprocess.run(
            [sys.executable, "-m", "sonicgrid.cli", *args],
            capture_output=True,
            text=True,
            errors="replace",
            env=self.env(**env),
            timeout=timeout,
            cwd=self.base,
        )

    def json(self, *args: str, **env: str):
        r = self.cli(*args, "--json", **env)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        return json.loads(r.stdout)

    def run_ids(self) -> list[str]:
        return sorted(p.name for p in self.out.iterdir() if p.is_dir()) if self.out.is_dir() else []


_WORKER: dict[str, object] = {}


def shared_worker() -> str | None:
    """One warm worker (`python -m sonicgrid.worker.server`) for the whole session's CLI processes: each
    command then costs its own work, not ~4 s of imports. SONICGRID_TEST_WORKER=off runs every one cold."""
    if os.environ.get("SONICGRID_TEST_WORKER", "on") == "off":
        return None
    if "sock" not in _WORKER:
        from sonicgrid.worker import client

        folder = Path(tempfile.mkdtemp(prefix="sonicgrid-test-worker-"))
        sock = str(folder / "w.sock")
        log = open(folder / "worker.log", "wb")  # noqa: SIM115 - the worker writes it until the session ends
        proc = subprocess.Popen(
            [sys.executable, "-m", "sonicgrid.worker.server", "--socket", sock, "--idle", "900"],
            env=dict(os.environ, PYTHONPATH=str(ROOT), SONICGRID_WORKER_SOCKET=sock),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        t0 = time.monotonic()
        while not client.ask(sock, "ping"):
            if proc.poll() is not None or time.monotonic() - t0 > 120:
                raise RuntimeError(f"the suite's worker did not start: {(folder / 'worker.log').read_text()[-2000:]}")
            time.sleep(0.2)
        atexit.register(_stop_worker, proc)
        _WORKER.update(sock=sock, proc=proc)
    return str(_WORKER["sock"])


def _stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def one_line_error(r: subprocess.CompletedProcess) -> str:
    """The failure was one clear line with exit 2: no traceback, no Rich markup error."""
    text = r.stdout + r.stderr
    assert r.returncode == 2, f"exit {r.returncode}: {text[-3000:]}"
    assert "Traceback" not in text and "MarkupError" not in text, text[-3000:]
    lines = [ln for ln in r.stderr.splitlines() if ln.strip().startswith("error:")]
    assert len(lines) == 1, r.stderr[-3000:]
    return lines[0]


def tone(path: Path, freq: float = 440.0, seconds: float = 1.0, sr: int = 22050, subtype: str = "PCM_16") -> Path:
    t = np.arange(int(sr * seconds)) / sr
    x = 0.3 * np.sin(2 * np.pi * freq * t) + 0.02 * np.random.default_rng(int(freq)).standard_normal(len(t))
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, x.astype(np.float32), sr, subtype=subtype)
    return path


def records(env: Env) -> list[dict]:
    return env.json("library", "ls", "--limit", "1000")


# -- a loopback server that misbehaves ---------------------------------------------------------------
@contextmanager
def bad_server(mode: str, lifetime_s: float = 60.0):
    """127.0.0.1 only; modes: hang (accept, never answer), trickle (one byte every 0.5 s, forever),
    500 (every request fails), garbage (not HTTP). Stops by itself after lifetime_s, and on exit."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    stop = threading.Event()
    deadline = time.monotonic() + lifetime_s
    conns: list[socket.socket] = []

    def serve(c: socket.socket) -> None:
        c.settimeout(0.5)
        try:
            try:
                c.recv(65536)
            except OSError:
                pass
            if mode == "500":
                body = b'{"error":"boom"}'
                c.sendall(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
            elif mode == "garbage":
                c.sendall(b"\x00\xffNOT HTTP AT ALL\r\n\r\n" * 4)
            elif mode == "trickle":
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                while not stop.is_set() and time.monotonic() < deadline:
                    c.sendall(b" ")
                    stop.wait(0.5)
            else:  # hang
                while not stop.is_set() and time.monotonic() < deadline:
                    stop.wait(0.2)
        except OSError:
            pass
        finally:
            c.close()

    def accept_loop() -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                c, _ = srv.accept()
            except OSError:
                continue
            conns.append(c)
            threading.Thread(target=serve, args=(c,), daemon=True).start()
        srv.close()

    t = threading.Thread(target=accept_loop, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        stop.set()
        t.join(2)


# -- mounts (root only) --------------------------------------------------------------------------------
def can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/bin/mount").exists()


@contextmanager
def mounted(*args: str, target: Path):
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", *args, str(target)], check=True, capture_output=True)
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@contextmanager
def read_only(folder: Path):
    """`folder` as a read-only bind mount of itself (writes fail with EROFS, even for root)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True, capture_output=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True, capture_output=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
