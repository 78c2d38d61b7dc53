"""Benchmark the start: cold `sonicgrid make` (a whole process) for a request the library can serve,
with the rules brain and the LLM judge, quiet and next to a busy neighbour process; `sonicgrid --help`;
`ark-audio --offline` when it is installed; and the studio's time from "send" to a playable clip,
measured in a real headless Chromium.

    .venv/bin/python benchmarks/bench_cli.py [--runs 5] [--brains rules,llm] [--studio] [--tree DIR]

--tree DIR measures another checkout of SonicGrid (e.g. `git archive <commit> | tar -x -C DIR`),
for before/after figures on the same machine. The machine may be shared: the load average is printed
with every figure, and each figure is the median of --runs cold processes.
Each make is also measured handed to a warm `sonicgrid worker` (sonicgrid/worker; --no-worker skips it):
the process is still a cold `python -m sonicgrid.cli`, the work runs in a fresh fork of the worker.
Targets (issue 15): rules <= 2 s, LLM <= 3 s, LLM with a busy neighbour <= 1.5x quiet, --help <= 0.5 s;
studio send -> playable <= 1 s rules / <= 1.5 s LLM (warm).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REQUEST = "make a moody intro"
ROOT = Path(__file__).resolve().parents[1]


def env_for(data: Path, tree: Path, brain: str) -> dict:
    return dict(
        os.environ,
        PYTHONPATH=str(tree),
        SONICGRID_DATA_DIR=str(data / "data"),
        SONICGRID_OUT_DIR=str(data / "out"),
        SONICGRID_BRAIN=brain,
        HF_HUB_OFFLINE="1",
        SONICGRID_WORKER="off",
        SONICGRID_WORKER_SOCKET=str(data / "worker.sock"),
    )


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr[-800:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


@contextmanager
def neighbour(busy: bool):
    """A busy process beside the measured one (same niceness): one core's worth of spinning."""
    if not busy:
        yield
        return
    p = subprocess.Popen([sys.executable, "-c", "while 1: pass"])
    time.sleep(1.5)  # let the load average see it, as it would a neighbour that was already there
    try:
        yield
    finally:
        p.kill()
        p.wait()


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load {a:.2f} {b:.2f} {c:.2f}"


def bench_make(tree: Path, brain: str, runs: int, busy: bool, work: Path, worker: bool = False) -> dict:
    env = dict(env_for(work, tree, brain), SONICGRID_WORKER="use" if worker else "off")
    cmd = [sys.executable, "-m", "sonicgrid.cli", "make", REQUEST, "--json", "--brain", brain]
    walls, cpus = [], []
    with neighbour(busy):
        for _ in range(runs):
            w, c = timed(cmd, env)
            walls.append(w)
            cpus.append(c)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "walls": walls, "load": load()}


def bench_auto(tree: Path, work: Path, brain: str = "rules") -> tuple[float, float]:
    """The default (SONICGRID_WORKER=auto) as a fresh install sees it: the first make finds no worker, starts
    one and is handed over; the second is warm. (wall s of each); the worker is stopped after."""
    env = dict(env_for(work, tree, brain), SONICGRID_WORKER="auto", SONICGRID_WORKER_SOCKET=str(work / "auto.sock"))
    cmd = [sys.executable, "-m", "sonicgrid.cli", "make", REQUEST, "--json", "--brain", brain]
    try:
        return timed(cmd, env)[0], timed(cmd, env)[0]
    finally:
        subprocess.run([sys.executable, "-m", "sonicgrid.cli", "worker", "stop"], env=env, capture_output=True)


@contextmanager
def warm_worker(tree: Path, work: Path):
    """A `sonicgrid worker` for the measured tree (its own socket), stopped afterwards."""
    env = env_for(work, tree, "rules")
    sock = env["SONICGRID_WORKER_SOCKET"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sonicgrid.worker.server", "--socket", sock, "--idle", "600"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not os.path.exists(sock):
        if proc.poll() is not None or time.perf_counter() - t0 > 120:
            raise RuntimeError("the worker did not start")
        time.sleep(0.05)
    print(f"worker started in {time.perf_counter() - t0:.1f} s")
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bench_help(tree: Path, runs: int, work: Path) -> float:
    env = env_for(work, tree, "rules")
    return statistics.median(timed([sys.executable, "-m", "sonicgrid.cli", "--help"], env)[0] for _ in range(runs))


def import_shares(tree: Path, work: Path, brain: str = "rules", top: int = 8) -> str:
    """Where a cold make's import time goes: self time per top-level package (python -X importtime)."""
    import re

    env = env_for(work, tree, brain)
    cmd = [sys.executable, "-X", "importtime", "-m", "sonicgrid.cli", "make", REQUEST, "--json", "--brain", brain]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    per: dict[str, int] = {}
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            pkg = m.group(2).split(".")[0]
            per[pkg] = per.get(pkg, 0) + int(m.group(1))
    total = sum(per.values()) or 1
    best = sorted(per.items(), key=lambda kv: -kv[1])[:top]
    return f"imports {total / 1e6:.2f} s wall: " + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in best)


def bench_threads(runs: int) -> None:
    """The same llama.cpp completions with 2 threads and with threads_for()'s count, quiet and next to
    a busy neighbour: wall and CPU of this process (spinning threads show as CPU without progress)."""
    import statistics as st

    from llama_cpp import Llama

    from sonicgrid.llm.local import _silence_llama_logs
    from sonicgrid.llm.locate import model_path
    from sonicgrid.llm.threads import threads_for

    _silence_llama_logs()
    prompt = "The decision agent reads: similarity 0.93, quality 9.4/10. Its choice (reuse/generate):"

    def one(llm) -> tuple[float, float]:
        c0, t0 = time.process_time(), time.perf_counter()
        for i in range(3):
            llm.create_completion(prompt + " " * i, max_tokens=8, temperature=0.0, top_k=1, seed=0)
        return time.perf_counter() - t0, time.process_time() - c0

    for busy in (False, True):
        with neighbour(busy):
            for label, n in (("2 threads", 2), (f"threads_for -> {threads_for(2)}", threads_for(2))):
                llm = Llama(model_path=str(model_path(None)), n_ctx=512, n_threads=n, n_threads_batch=n, verbose=False)
                one(llm)  # warm
                r = [one(llm) for _ in range(runs)]
                print(
                    f"llama.cpp {label:18s} {'busy ' if busy else 'quiet'}: 3 completions wall "
                    f"{st.median(w for w, _ in r):.2f} s, CPU {st.median(c for _, c in r):.2f} s ({load()})"
                )
                del llm


def bench_ark(runs: int) -> float | None:
    exe = shutil.which("ark-audio")
    if exe is None:
        return None
    walls = []
    for _ in range(runs):
        try:
            walls.append(timed([exe, "--offline", REQUEST], dict(os.environ))[0])
        except RuntimeError as exc:
            print(f"ark-audio --offline failed: {exc}")
            return None
    return statistics.median(walls)


def bench_studio(brain: str, runs: int, work: Path, tree: Path) -> list[tuple[float, float]]:
    """send -> playable in the browser, warm server, a request the library serves; new session each time."""
    sys.path.insert(0, str(ROOT / "tests" / "integration"))
    os.environ["PYTHONPATH"] = str(tree)  # the studio process imports the measured checkout
    from playwright.sync_api import sync_playwright
    from studio_harness import StudioServer, launch_browser, send_and_wait_playable, server_ms

    server = StudioServer(work / f"studio-{brain}", None, "--brain", brain, env={"SONICGRID_BRAIN": brain}).start()
    out = []
    try:
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            for i in range(runs + 1):
                page = browser.new_context().new_page()
                page.goto(server.url)
                page.wait_for_selector("#session-label:has-text('session')")
                ms = send_and_wait_playable(page, REQUEST, 1)
                if i > 0:  # the first request fills the library (generates); the rest are served from it
                    out.append((ms / 1000, server_ms(page, 1) / 1000))
                page.context.close()
            browser.close()
    finally:
        server.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--brains", default="rules,llm")
    ap.add_argument("--tree", type=Path, default=ROOT, help="SonicGrid checkout to measure")
    ap.add_argument("--no-busy", action="store_true", help="skip the busy-neighbour runs")
    ap.add_argument("--no-worker", action="store_true", help="skip the runs handed to a warm `sonicgrid worker`")
    ap.add_argument("--studio", action="store_true", help="also measure the studio in headless Chromium")
    ap.add_argument("--only-studio", action="store_true", help="measure only the studio")
    ap.add_argument("--threads", action="store_true", help="only: llama.cpp 2 threads vs threads_for()")
    args = ap.parse_args()
    tree = args.tree.resolve()
    print(f"tree {tree}; {os.cpu_count()} CPUs; {load()} at start; {args.runs} cold runs per figure (medians)")
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        if args.only_studio:
            studio(args, work, tree)
            return
        if args.threads:
            bench_threads(args.runs)
            return
        first = timed(
            [sys.executable, "-m", "sonicgrid.cli", "make", REQUEST, "--json", "--brain", "rules"],
            env_for(work, tree, "rules"),
        )
        print(f"library filled by one generating run: {first[0]:.2f} s wall")
        print(f"--help: {bench_help(tree, args.runs, work):.3f} s (target <= 0.5 s)")
        rows = []
        for brain in args.brains.split(","):
            for busy in (False,) if args.no_busy else (False, True):
                r = bench_make(tree, brain, args.runs, busy, work)
                rows.append((brain, busy, r))
                runs = ", ".join(f"{w:.2f}" for w in r["walls"])
                print(
                    f"make {brain:5s} {'busy ' if busy else 'quiet'}: wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s "
                    f"(runs {runs}; {r['load']})"
                )
        if not args.no_worker:
            auto = bench_auto(tree, work)
            print(
                f"make rules, default SONICGRID_WORKER=auto, no worker yet: first {auto[0]:.2f} s, second {auto[1]:.2f} s"
            )
            with warm_worker(tree, work):
                for brain in args.brains.split(","):
                    for busy in (False,) if args.no_busy else (False, True):
                        r = bench_make(tree, brain, args.runs, busy, work, worker=True)
                        runs = ", ".join(f"{w:.2f}" for w in r["walls"])
                        print(
                            f"make {brain:5s} {'busy ' if busy else 'quiet'} via the warm worker: wall {r['wall']:.2f} s "
                            f"(runs {runs}; {r['load']}; the command's CPU is the worker's child, not counted)"
                        )
        for brain in args.brains.split(","):
            q = next((r for b, busy, r in rows if b == brain and not busy), None)
            b = next((r for bb, busy, r in rows if bb == brain and busy), None)
            if q and b:
                print(f"make {brain}: busy / quiet = {b['wall'] / q['wall']:.2f}x (target <= 1.5x for llm)")
        print(f"cold make rules, {import_shares(tree, work)}")
        ark = bench_ark(args.runs)
        print("ark-audio --offline: not installed" if ark is None else f"ark-audio --offline: {ark:.2f} s")
        if args.studio:
            studio(args, work, tree)


def studio(args, work: Path, tree: Path) -> None:
    for brain in args.brains.split(","):
        t = bench_studio(brain, args.runs, work, tree)
        total = [a for a, _ in t]
        print(
            f"studio {brain}: send -> playable median {statistics.median(total):.2f} s "
            f"(runs {', '.join(f'{x:.2f}' for x in total)}); of it the server's turn median "
            f"{statistics.median(b for _, b in t):.2f} s; {load()}"
        )


if __name__ == "__main__":
    main()
