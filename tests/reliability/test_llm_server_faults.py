"""The LLM server misbehaves: it trickles, hangs, answers 500 or garbage. Every call ends by its
overall deadline; `--brain auto` decides by the rules with a note (output and sidecar); `--brain llm`
fails with one line. The server is real, on 127.0.0.1 only, and stops by itself."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from sonicgrid.errors import ModelUnavailable, UserError
from sonicgrid.llm.brain import LLMBrain
from sonicgrid.llm.deadline import LLMTimeout
from sonicgrid.llm.server import ServerLLM

LIFETIME_S = 180.0  # the server shuts itself down after this, whatever the tests do
DEADLINE_S = 1.5
SLACK_S = 3.0  # scheduling slack on a loaded 2-core machine; the faults below would take minutes


class FaultServer:
    """A tiny HTTP/1.1 server with one behaviour per path prefix (/trickle, /hang, /500, /garbage, /bad)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.hits: dict[str, int] = {}
        self.born = time.monotonic()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}"

    def _serve(self) -> None:
        while not self.stop.is_set() and time.monotonic() - self.born < LIFETIME_S:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()
        self.sock.close()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            mode = head.split(b" ", 2)[1].decode().strip("/").split("/")[0]
            self.hits[mode] = self.hits.get(mode, 0) + 1
            self._answer(conn, mode)
        except OSError:
            pass
        finally:
            conn.close()

    def _wait(self, seconds: float) -> bool:
        """Sleep, but never past the server's own end; False once it is stopping."""
        return not self.stop.wait(min(seconds, max(0.0, LIFETIME_S - (time.monotonic() - self.born))))

    def _answer(self, conn: socket.socket, mode: str) -> None:
        if mode == "hang":  # accepts, reads the request, never answers
            self._wait(60)
            return
        if mode == "trickle":  # headers, then the body one byte at a time, 1 byte per second
            body = json.dumps({"choices": [{"text": 'pass"}'}]}).encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
            for b in body:
                if not self._wait(1.0):
                    return
                conn.sendall(bytes([b]))
            return
        if mode == "500":
            body = b'{"error": "internal"}'
            conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return
        if mode == "garbage":  # not JSON at all
            body = b"\x00\xffnot json <html>"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return
        if mode == "bad":  # a completion whose text is no answer
            body = json.dumps({"choices": [{"text": "1000000000"}]}).encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
            conn.sendall(body)


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    s = FaultServer()
    try:
        yield s
    finally:
        s.stop.set()
        s.thread.join(timeout=5)


SCHEMA = {"type": "object", "properties": {"choice": {"enum": ["pass", "regenerate"]}}, "required": ["choice"]}


@pytest.mark.parametrize("mode", ["trickle", "hang"])
def test_a_slow_server_is_cut_at_the_overall_deadline(server, mode):
    t0 = time.monotonic()
    with pytest.raises(LLMTimeout, match=re.escape(f"did not answer within {DEADLINE_S:g} s")):
        ServerLLM(server.url(mode), timeout=DEADLINE_S).complete_json("Answer: ", SCHEMA)
    assert time.monotonic() - t0 < DEADLINE_S + SLACK_S  # the trickle alone would take ~20 s, the hang 60 s


@pytest.mark.parametrize(("mode", "said"), [("500", "HTTP 500"), ("garbage", "not a completion")])
def test_errors_and_garbage_are_one_clear_error(server, mode, said):
    with pytest.raises(ModelUnavailable, match=said):
        ServerLLM(server.url(mode), timeout=DEADLINE_S).complete_json("Answer: ", SCHEMA)


def _judgment():
    from sonicgrid.agents import gatekeeper

    return gatekeeper.judgment(
        score=3.0, components={}, threshold=5.0, attempt=0, max_retries=2, remaining_s=10.0, regen_estimate_s=0.1
    )


def test_fallback_brain_decides_by_rules_and_stops_asking_for_a_while(server):
    brain = LLMBrain(ServerLLM(server.url("500"), timeout=DEADLINE_S), fallback=True, retry_after_s=60)
    before = server.hits.get("500", 0)
    first, second = brain.decide(_judgment()), brain.decide(_judgment())
    assert (first.choice, first.brain) == ("regenerate", "llm-fallback") and "HTTP 500" in first.reason
    assert second.brain == "llm-fallback" and server.hits["500"] == before + 1  # not asked again
    assert "HTTP 500" in brain.note and "decided by rules" in brain.note
    with pytest.raises(ModelUnavailable, match="HTTP 500"):  # without fallback (--brain llm): the error
        LLMBrain(ServerLLM(server.url("500"), timeout=DEADLINE_S)).decide(_judgment())


def test_malformed_answers_fall_back_to_rules_marked(server):
    v = LLMBrain(ServerLLM(server.url("bad"), timeout=DEADLINE_S)).decide(_judgment())
    assert (v.choice, v.brain) == ("regenerate", "llm-fallback") and "malformed" in v.reason


def _make(tmp_path, server, mode, brain):
    from sonicgrid.cli import app

    env = {
        "SONICGRID_DATA_DIR": str(tmp_path / "data"),
        "SONICGRID_LLM_SERVER_URL": server.url(mode),
        "SONICGRID_LLM_TIMEOUT_S": str(DEADLINE_S),
        "SONICGRID_BRAIN": brain,
    }
    t0 = time.monotonic()
    res = CliRunner().invoke(app, ["make", "a calm loop, 2 seconds", "-o", str(tmp_path / "out"), "--json"], env=env)
    return res, time.monotonic() - t0


def test_make_with_auto_brain_falls_back_with_a_note_when_the_server_trickles(tmp_path, server):
    before = server.hits.get("trickle", 0)
    res, _ = _make(tmp_path, server, "trickle", "auto")
    assert res.exit_code == 0, res.output
    assert "note: LLM server" in res.output and "did not answer within" in res.output
    summary = json.loads(res.output[res.output.index("{") :])
    assert summary["result"]["status"] == "ok"
    assert {v["brain"] for v in summary["verdicts"]} == {"llm-fallback"}
    sidecar = json.loads(next((tmp_path / "out").glob("*/clip.json")).read_text())
    assert "did not answer within" in sidecar["models"]["brain_note"]
    # one deadline is spent (intake), then the rules decide without waiting on the server again
    assert server.hits["trickle"] == before + 1


def test_make_with_llm_brain_fails_in_one_line(tmp_path, server):
    res, wall = _make(tmp_path, server, "hang", "llm")
    assert res.exit_code == 2
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: LLM server") and "did not answer within" in lines[0]
    assert "Traceback" not in res.output
    assert wall < 60  # the hanging server holds a request for 60 s: the deadline ended it long before


def test_user_error_is_the_base(server):
    assert issubclass(LLMTimeout, UserError)
