"""The warm worker (sonicgrid/worker): real CLI processes hand their commands to a real worker process over its
Unix socket. A command run by the worker gives the cold run's output, exit status and death by signal; the
caller's environment, working directory and terminal are the command's; a changed SonicGrid file makes the
worker refuse (the command runs cold) and stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sonicgrid
from sonicgrid.worker import client

REQUEST = "make a moody intro"


def _start(sock: str):
    env = dict(os.environ, SONICGRID_WORKER_SOCKET=sock)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sonicgrid.worker.server", "--socket", sock, "--idle", "300"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    t0 = time.monotonic()
    while _ping(sock) is None:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert time.monotonic() - t0 < 120, "the worker did not start"
        time.sleep(0.2)
    return proc


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    """One worker for the module's tests (they count what it served before and after)."""
    sock = str(tmp_path_factory.mktemp("worker") / "w.sock")
    proc = _start(sock)
    yield sock, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)


def _served(sock: str) -> int:
    info = _ping(sock)
    assert info is not None, "the worker is gone"
    return int(info["served"])


def _ping(sock: str) -> dict | None:
    return client.ask(sock, "ping") or None


def _env(tmp_path: Path, sock: str, mode: str = "use", **env: str) -> dict[str, str]:
    return dict(
        os.environ,
        SONICGRID_DATA_DIR=str(tmp_path / "data"),
        SONICGRID_OUT_DIR=str(tmp_path / "out"),
        SONICGRID_BRAIN="rules",
        SONICGRID_WORKER=mode,
        SONICGRID_WORKER_SOCKET=sock,
        **env,
    )


def _cli(tmp_path: Path, sock: str, *args: str, mode: str = "use", **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sonicgrid.cli", *args],
        env=_env(tmp_path, sock, mode, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_through_the_worker_is_the_cold_make(tmp_path, worker):
    sock, _ = worker
    cold = _cli(tmp_path, sock, "make", REQUEST, "--json", mode="off")
    assert cold.returncode == 0, cold.stderr[-2000:]
    before = _served(sock)
    warm = _cli(tmp_path, sock, "make", REQUEST, "--json")
    assert warm.returncode == 0, warm.stderr[-2000:]
    assert _served(sock) == before + 1  # it went through the worker
    a, b = json.loads(cold.stdout), json.loads(warm.stdout)
    assert a["run_id"] != b["run_id"]
    assert a["brief"] == b["brief"]
    decided = [{v["choice"] for v in run["verdicts"] if v["agent"] == "decision"} for run in (a, b)]
    assert "generate" in decided[0] and "reuse" not in decided[0]
    assert decided[1] == {"reuse"}  # the worker's child saw the clip the cold run stored
    clip = Path(b["result"]["path"])
    assert clip.is_file() and clip.is_relative_to(tmp_path / "out")  # the caller's environment, not the worker's
    # the same read-only command gives the same bytes either way
    ls_cold = _cli(tmp_path, sock, "library", "ls", "--json", mode="off")
    ls_warm = _cli(tmp_path, sock, "library", "ls", "--json")
    assert ls_cold.returncode == ls_warm.returncode == 0
    assert ls_warm.stdout == ls_cold.stdout
    assert _served(sock) == before + 2


def test_errors_exit_codes_and_signals_come_back(tmp_path, worker):
    sock, _ = worker
    before = _served(sock)
    cold = _cli(tmp_path, sock, "make", "--duration", "-3", "x", mode="off")
    warm = _cli(tmp_path, sock, "make", "--duration", "-3", "x")
    assert cold.returncode != 0 and warm.returncode == cold.returncode
    assert warm.stderr == cold.stderr and warm.stderr.strip()
    # a command killed by SIGKILL (the crash hook) kills the caller with SIGKILL, as the cold process dies
    killed = _cli(tmp_path, sock, "make", REQUEST, "--json", SONICGRID_CRASH_AT="node:cell")
    assert killed.returncode == -signal.SIGKILL
    assert _served(sock) == before + 2


def _long_make(tmp_path: Path, sock: str, out=subprocess.PIPE) -> subprocess.Popen:
    """A generating make of a long clip, handed to the worker, still running a few seconds later."""
    return subprocess.Popen(
        [sys.executable, "-m", "sonicgrid.cli", "make", "an epic 40 second orchestral build", "--json"],
        env=_env(tmp_path, sock),
        stdout=out,
        stderr=out,
        text=True,
    )


@pytest.mark.slow  # a generating make is interrupted (`make test-all`)
def test_ctrl_c_reaches_the_command(tmp_path, worker):
    sock, _ = worker
    before = _served(sock)
    proc = _long_make(tmp_path, sock)
    t0 = time.monotonic()
    while _served(sock) == before and time.monotonic() - t0 < 30:
        time.sleep(0.05)
    assert _served(sock) == before + 1  # the worker runs it
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, "the interrupted make went on to the end"
    assert "Traceback" not in err


def _descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


def test_a_killed_caller_takes_its_command_with_it(tmp_path, worker):
    """SIGKILL cannot be forwarded: the worker sees the caller hang up and kills the command, so a killed
    `sonicgrid make` never goes on running (and storing) behind a later --resume."""
    sock, proc = worker
    caller = _long_make(tmp_path, sock, out=subprocess.DEVNULL)
    t0 = time.monotonic()
    while len(_descendants(proc.pid)) < 2 and time.monotonic() - t0 < 30:
        time.sleep(0.05)
    assert len(_descendants(proc.pid)) >= 2  # the watcher and the runner
    time.sleep(0.5)
    caller.kill()
    caller.wait()
    t0 = time.monotonic()
    while _descendants(proc.pid) and time.monotonic() - t0 < 10:
        time.sleep(0.05)
    assert not _descendants(proc.pid)
    assert not list((tmp_path / "out").glob("*/clip.wav"))


def test_an_edited_sonicgrid_file_makes_the_worker_step_aside(tmp_path):
    sock = str(tmp_path / "own.sock")
    proc = _start(sock)
    marker = Path(sonicgrid.__file__).parent / "worker" / "__init__.py"
    st = marker.stat()
    try:
        os.utime(marker, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        r = _cli(tmp_path, sock, "library", "ls", "--json")
        assert r.returncode == 0, r.stderr[-2000:]
        assert json.loads(r.stdout) == []  # served cold, correctly
        proc.wait(timeout=30)  # and the stale worker stopped
        assert not os.path.exists(sock)
    finally:
        os.utime(marker, ns=(st.st_atime_ns, st.st_mtime_ns))
        if proc.poll() is None:
            proc.kill()


def test_no_worker_or_off_means_a_cold_run(tmp_path):
    sock = str(tmp_path / "none.sock")
    r = _cli(tmp_path, sock, "library", "ls", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == []
    assert not os.path.exists(sock)  # `use` never starts one


def test_the_worker_preloads_nothing_that_a_fork_or_the_callers_environment_would_break():
    """huggingface_hub fixes HF_HUB_OFFLINE at import (the caller's setting must count); onnxruntime starts a
    thread at import, and a fork copies no threads: neither may be loaded by the worker before a fork."""
    code = (
        "import os, sys, json\nfrom sonicgrid.worker import server\nmissing = server.preload()\n"
        "print(json.dumps({'mods': sorted(m for m in ('huggingface_hub', 'onnxruntime', 'torch', 'sonicgrid.cli',"
        " 'sonicgrid.commands.common') if m in sys.modules), 'threads': len(os.listdir('/proc/self/task')),"
        " 'missing': missing}))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["mods"] == []
    assert got["missing"] == []  # every preload and weight is there in the test environment
    assert got["threads"] <= 2  # the main thread and OpenBLAS's (which re-forms itself after a fork)


def test_auto_starts_one_worker_and_hands_the_command_over(tmp_path):
    """SONICGRID_WORKER=auto (the default): with no worker running, a batch command starts one and is served by
    it; two commands at once start one worker between them (a lock), both served; --help never starts one."""
    sock = str(tmp_path / "auto.sock")
    helped = _cli(tmp_path, sock, "library", "--help", mode="auto")
    assert helped.returncode == 0 and "library" in helped.stdout
    assert not os.path.exists(sock)
    both = [
        subprocess.Popen(
            [sys.executable, "-m", "sonicgrid.cli", "library", "ls", "--json"],
            env=_env(tmp_path, sock, "auto", SONICGRID_WORKER_WAIT_S="120"),  # a slow CI machine still hands over
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for p in both:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0 and json.loads(out) == [], err[-2000:]
        assert _served(sock) == 2
        log = Path(sock + ".log").read_text()
        assert log.count("preloaded in") == 1, log
    finally:
        client.ask(sock, "stop")


def test_a_worker_that_cannot_start_means_a_cold_run(tmp_path):
    """A worker that dies while starting (here: a socket path too long to bind) costs one wait: the command
    runs cold, and later commands run cold at once instead of trying again."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    sock = str(deep / "w.sock")
    first = _cli(tmp_path, sock, "library", "ls", "--json", mode="auto", SONICGRID_WORKER_WAIT_S="120")
    assert first.returncode == 0 and json.loads(first.stdout) == [], first.stderr[-2000:]
    assert "died while starting" in Path(sock + ".failed").read_text()
    t0 = time.monotonic()
    again = _cli(tmp_path, sock, "library", "ls", "--json", mode="auto", SONICGRID_WORKER_WAIT_S="60")
    assert again.returncode == 0 and json.loads(again.stdout) == []
    assert Path(sock + ".log").read_text().count("Traceback") == 1  # one start tried, not two
    assert time.monotonic() - t0 < 30
