"""Start a real `sonicgrid studio` process and a real headless Chromium (Debian /usr/bin/chromium,
driven by Playwright without its own browser download). Shared by the browser tests."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
_URL = re.compile(r"http://[\d.]+:\d+/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StudioServer:
    def __init__(self, data_dir: Path, port: int | None = None, *args: str, env: dict | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.args = args
        self.env = dict(
            os.environ,
            SONICGRID_DATA_DIR=str(self.data_dir),
            SONICGRID_OUT_DIR=str(self.data_dir / "out"),
            SONICGRID_BRAIN=os.environ.get("SONICGRID_BRAIN", "rules"),
        )
        self.env.update(env or {})
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = self.data_dir / "studio.log"

    def start(self, timeout: float = 120.0) -> StudioServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        seen = self.log.stat().st_size if self.log.exists() else 0  # a restart appends to the same log
        logf = open(self.log, "a")  # noqa: SIM115 - the server writes to it for its whole life
        cmd = [sys.executable, "-m", "sonicgrid.cli", "studio", "--port", str(self.port), *self.args]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=logf, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"studio exited {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            text = self.log.read_text()[seen:]
            if _URL.search(text) and "warm in" in text:
                return self
            time.sleep(0.2)
        raise TimeoutError(f"studio did not warm up: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def launch_browser(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--disable-gpu"],
    )


def watch_console(page) -> list[str]:
    """Console errors and uncaught exceptions of a page, collected as they happen."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    return errors


def send_and_wait_playable(page, text: str, n: int, timeout_ms: int = 180_000) -> float:
    """Type a request, send it, wait until turn n's player has a duration; return send->playable ms."""
    page.fill("#prompt", text)
    page.click("#send")
    page.wait_for_function(
        "n => { const a = document.querySelector(`.turn[data-n='${n}'] .player`);"
        " return a && a.duration > 0 && a.closest('.turn').dataset.playableMs; }",
        arg=n,
        timeout=timeout_ms,
    )
    return float(page.eval_on_selector(f".turn[data-n='{n}']", "el => el.dataset.playableMs"))


def server_ms(page, n: int) -> float:
    """How long the server took for turn n (the session's send, graph run included)."""
    return float(page.eval_on_selector(f".turn[data-n='{n}']", "el => el.dataset.serverMs || 'nan'"))
