"""`sonicgrid trace` as a user types it, on real runs; the HTML report in real headless Chromium
(Debian `chromium`, installed by `make test`): no console errors, every verdict shown."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sonicgrid.cli import app

ROOT = Path(__file__).resolve().parents[2]


# -- a tiny Chrome DevTools Protocol client (websocket-client) for headless Chromium ------------------
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-port=0",
]


class Browser:
    def __init__(self, profile: Path):
        import websocket

        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.time() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            if time.time() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.n = 0
        self.events: list[dict] = []
        for m in ("Runtime.enable", "Log.enable", "Page.enable"):
            self.call(m)

    def call(self, method: str, **params) -> dict:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.n:
                return msg.get("result", {})
            self.events.append(msg)

    def load(self, url: str, timeout: float = 60) -> list[str]:
        """Navigate and wait for the load event; return the console errors and exceptions seen."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        deadline = time.time() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.time() > deadline:
                raise TimeoutError(url)
            self.events.append(json.loads(self.ws.recv()))
        time.sleep(0.3)
        self.call("Runtime.evaluate", expression="1")  # drain what arrived meanwhile
        errors = []
        for e in self.events:
            p = e.get("params", {})
            if e.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
            elif e.get("method") == "Runtime.exceptionThrown":
                errors.append(p["exceptionDetails"].get("text", "exception"))
            elif e.get("method") == "Log.entryAdded" and p["entry"].get("level") == "error":
                errors.append(p["entry"].get("text", ""))
        return errors

    def js(self, expression: str):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return r["result"].get("value")

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two real runs in one data dir: a plain one, and one forced to regenerate (bar 9.9)."""
    from sonicgrid.config import Settings
    from sonicgrid.graph.run import make

    root = tmp_path_factory.mktemp("trace")
    plain = make("a calm loop with drums, 3 seconds", Settings(data_dir=root / "data", out_dir=root / "out"))
    strict = make(
        "a calm loop with drums, 3 seconds",
        Settings(data_dir=root / "data", out_dir=root / "out", quality_threshold=9.9, max_retries=1),
        seed=1,
    )
    return root, plain, strict


def _cli(root, *args):
    return CliRunner().invoke(
        app, ["trace", *args], env={"SONICGRID_DATA_DIR": str(root / "data"), "COLUMNS": "200"}, catch_exceptions=False
    )


def test_list_shows_every_run(runs):
    root, plain, strict = runs
    res = _cli(root, "list")
    assert res.exit_code == 0
    assert plain["run_id"] in res.output and strict["run_id"] in res.output


def test_show_is_a_tree_with_verdicts_tools_and_loops(runs):
    root, plain, strict = runs
    res = _cli(root, "show", strict["run_id"])
    assert res.exit_code == 0, res.output
    regens = sum(v["choice"] == "regenerate" for v in strict["verdicts"])
    assert regens >= 1 and res.output.count("↺ regeneration") == regens
    for v in strict["verdicts"]:
        assert f"{v['agent']}: {v['choice']} conf {v['confidence']:.2f}" in res.output
    gens = [c for c in strict["tool_calls"] if c["role"] == "generator"]
    assert len(gens) == res.output.count("(generator):") and "cost estimate" in res.output
    assert "evidence: score=" in res.output
    plain_out = _cli(root, "show", plain["run_id"][:-2]).output  # a unique prefix is enough
    assert "↺" not in plain_out and plain["result"]["clip_id"] in plain_out


def test_diff_names_what_changed(runs):
    root, plain, strict = runs
    res = _cli(root, "diff", plain["run_id"], strict["run_id"])
    assert res.exit_code == 0
    assert "gatekeeper (cell 0)" in res.output and "regenerate" in res.output and "seed" in res.output
    same = _cli(root, "diff", plain["run_id"], plain["run_id"])
    assert "made the same decisions" in same.output


def test_export_json_and_jsonl(runs, tmp_path):
    root, _plain, strict = runs
    res = _cli(root, "export", strict["run_id"], "--format", "json", "-o", str(tmp_path / "t.json"))
    assert res.exit_code == 0
    full = json.loads((tmp_path / "t.json").read_text())
    assert full["verdicts"] == strict["verdicts"] and full["run_id"] == strict["run_id"]
    lines = _cli(root, "export", strict["run_id"], "--format", "jsonl").output.strip().splitlines()
    events = [json.loads(x) for x in lines]
    assert [e["choice"] for e in events if e["type"] == "verdict"] == [v["choice"] for v in strict["verdicts"]]
    assert sum(e["type"] == "tool_call" for e in events) == len(strict["tool_calls"])
    assert events[0]["type"] == "run" and events[-1]["type"] == "result"
    bad = _cli(root, "export", strict["run_id"], "--format", "xml")
    assert bad.exit_code == 2
    assert _cli(root, "show", "nope-no-such-run").exit_code == 2


@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="Debian chromium not installed (make test installs it)"
)
def test_report_loads_in_headless_chromium_and_shows_every_verdict(runs, tmp_path):
    root, _plain, strict = runs
    res = _cli(root, "report", strict["run_id"], "-o", str(tmp_path / "report.html"))
    assert res.exit_code == 0, res.output
    page = (tmp_path / "report.html").read_text()
    assert "http://" not in page and "https://" not in page  # self-contained
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><title>x</title><script>console.error('broken page')</script>")
    b = Browser(tmp_path / "profile")
    try:
        assert "broken page" in " ".join(b.load(bad.as_uri()))  # the harness does see errors
        assert b.load((tmp_path / "report.html").as_uri()) == []
        rows = b.js("[...document.querySelectorAll('tr.verdict')].map(r => [r.dataset.agent, r.dataset.choice])")
        assert rows == [[v["agent"], v["choice"]] for v in strict["verdicts"]]
        text = b.js("document.body.innerText")
        for v in strict["verdicts"]:
            assert v["reason"] in text
        imgs = b.js("[...document.images].map(i => i.complete && i.naturalWidth > 0)")
        # every candidate file of the run (generated, enhanced or loaded from the library): a grid's cells
        n_cand = len(list(Path(strict["result"]["path"]).parent.glob("candidates/*.wav")))
        assert len(imgs) == 2 * (n_cand + 1) and all(imgs)  # waveform + spectrogram per candidate + final
        assert b.js("document.querySelectorAll('audio').length") == n_cand + 1
        assert b.js("document.querySelectorAll('table.scores').length") == n_cand
    finally:
        b.close()
    dom = subprocess.run(
        [
            "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'p2'}",
            "--dump-dom",
            (tmp_path / "report.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dom.stdout.count('class="verdict"') == len(strict["verdicts"])


def test_langgraph_json_names_an_importable_compiled_graph():
    cfg = json.loads((ROOT / "langgraph.json").read_text())
    spec = cfg["graphs"]["sonicgrid"]
    path, attr = spec.split(":")
    module = ".".join(Path(path).with_suffix("").parts).lstrip(".")
    graph = getattr(importlib.import_module(module), attr)
    assert (ROOT / path).is_file()
    nodes = set(graph.get_graph().nodes)
    assert {"intake", "plan", "cell", "finish"} <= nodes
    assert graph.checkpointer is None
