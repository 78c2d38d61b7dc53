"""`sonicgrid eval` as a user types it: real scenarios through the real graph, scored."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml
from typer.testing import CliRunner

from sonicgrid.cli import app

ROOT = Path(__file__).resolve().parents[2]

SUITE = {
    "name": "mini",
    "settings": {"budget_s": 60},
    "scenarios": [
        {
            "id": "reuse",
            "library": [
                {
                    "prompt": "make a moody intro, 3 seconds",
                    "mood": "moody",
                    "section": "intro",
                    "layer": "harmony",
                    "duration_s": 3,
                }
            ],
            "requests": [
                {
                    "text": "make a moody intro, 3 seconds",
                    "expect": {"decision": "reuse", "intake": {"mood": "moody", "section": "intro"}},
                }
            ],
        },
        {
            "id": "deny",
            "settings": {"budget_s": 0.01},
            "requests": [{"text": "a calm loop, 3 seconds", "expect": {"cost_guardian": "deny"}}],
        },
        {
            "id": "regen",
            "settings": {"quality_threshold": 9.9, "max_retries": 1},
            "requests": [{"text": "a tense build, 3 seconds", "expect": {"gatekeeper": "regenerate"}}],
        },
        {
            "id": "wrong-on-purpose",
            "description": "an expectation the rules brain cannot meet: a scored miss",
            "requests": [{"text": "a calm loop, 3 seconds", "expect": {"decision": "reuse"}}],
        },
    ],
}


def _eval(tmp_path, *args):
    env = {"SONICGRID_DATA_DIR": str(tmp_path / "data"), "SONICGRID_OUT_DIR": str(tmp_path / "out"), "COLUMNS": "160"}
    return CliRunner().invoke(app, ["eval", *args], env=env, catch_exceptions=False)


def test_eval_scores_decisions_and_reports_misses(tmp_path):
    suite = tmp_path / "mini.yaml"
    suite.write_text(yaml.safe_dump(SUITE))
    res = _eval(
        tmp_path,
        str(suite),
        "--json",
        str(tmp_path / "r.json"),
        "--junit",
        str(tmp_path / "r.xml"),
        "--min-accuracy",
        "0.99",
    )
    assert res.exit_code == 1, res.output  # one planted miss: below 99%
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["scenarios"] == 4 and rep["checks"] == 6 and rep["correct"] == 5
    assert rep["agents"]["decision"] == {
        "n": 2,
        "correct": 1,
        "accuracy": 0.5,
        "consulted": 2,
        "accuracy_when_consulted": 0.5,
        "open_choices": 1,
        "open_correct": 1,
        "confusion": {"reuse": {"reuse": 1, "generate": 1}},
    }
    assert rep["agents"]["cost_guardian"]["confusion"] == {"deny": {"deny": 1}}
    assert rep["agents"]["gatekeeper"]["confusion"] == {"regenerate": {"regenerate": 1}}
    assert rep["agents"]["intake"]["accuracy"] == 1.0
    assert rep["regenerations"] >= 1 and rep["compute_s"] > 0 and rep["wall_s"] > 0
    (miss,) = rep["misses"]
    assert miss["scenario"] == "wrong-on-purpose" and miss["actual"] == "generate"
    trace = tmp_path / "data" / "traces" / f"{miss['run_id']}.json"  # the miss's trace id is inspectable
    assert json.loads(trace.read_text())["run_id"] == miss["run_id"]
    assert miss["run_id"] in res.output
    xml = ET.parse(tmp_path / "r.xml").getroot()
    assert xml.get("tests") == "6" and xml.get("failures") == "1"
    failures = xml.findall(".//failure")
    assert len(failures) == 1 and miss["run_id"] in failures[0].get("message")
    ok = _eval(tmp_path, str(suite), "--min-accuracy", "0.8", "--only", "reuse")
    assert ok.exit_code == 0 and "1 scenarios" in ok.output


class _LastChoice:
    """A stand-in LLM brain that always takes the last allowed choice (to check the routing only)."""

    name = "llm"
    llm = None

    def choose(self, j):
        return j.allowed[-1], 0.5, "last", "llm"

    def read_request(self, prompt):
        from sonicgrid.agents.base import Reading

        return Reading({"mood": "epic", "section": "outro"})


def test_isolating_brain_routes_only_the_named_agents():
    from sonicgrid.agents import decision, gatekeeper
    from sonicgrid.evals.isolate import AgentBrain

    brain = AgentBrain(_LastChoice(), {"gatekeeper"})
    g = brain.decide(
        gatekeeper.judgment(
            score=3.0, components={}, threshold=5.0, attempt=0, max_retries=2, remaining_s=10.0, regen_estimate_s=0.1
        )
    )
    assert (g.choice, g.brain) == ("accept_best", "llm")  # rules would regenerate
    d = brain.decide(
        decision.judgment(
            {"duration_s": 3.0, "prompt": "x"}, [], {"id": "clip_1"}, reuse_threshold=0.8, quality_threshold=5.0
        )
    )
    assert (d.choice, d.brain) == ("generate", "rules")  # the LLM would have said extend
    # intake reads the request with the LLM only when intake is under evaluation: a capability, not a name
    assert brain.read_request("a calm loop") is None
    assert AgentBrain(_LastChoice(), {"intake"}).read_request("a calm loop").fields["mood"] == "epic"
    assert brain.name == "llm-partial"


def test_bad_suite_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "name": "b",
                "scenarios": [
                    {"id": "x", "requests": [{"text": "a calm loop", "expect": {"mastering_agent": "pass"}}]}
                ],
            }
        )
    )
    res = _eval(tmp_path, str(bad))
    assert res.exit_code == 2 and "unknown agent(s) mastering_agent" in res.output
    knob = tmp_path / "knob.yaml"
    knob.write_text(
        yaml.safe_dump(
            {"name": "k", "scenarios": [{"id": "x", "settings": {"gpu": 1}, "requests": [{"text": "a calm loop"}]}]}
        )
    )
    assert "unknown setting(s) gpu" in _eval(tmp_path, str(knob)).output
    assert _eval(tmp_path, str(knob), "--llm-agents", "gatekeeper").exit_code == 2  # needs --brain llm
    assert "unknown agent(s) judge" in _eval(tmp_path, str(knob), "--brain", "llm", "--llm-agents", "judge").output


def test_shipped_suites_cover_intake_and_all_four_agents():
    from sonicgrid.evals.suite import AGENTS, load

    suites = [load(p) for p in sorted((ROOT / "evals").glob("*.yaml"))]
    scenarios = [sc for s in suites for sc in s.scenarios]
    assert len(scenarios) >= 40
    covered = {a for sc in scenarios for r in sc.requests for a in r.expect}
    assert covered - {"audio"} == set(AGENTS)  # "audio": the end-to-end suite (evals/prompts.yaml)
    choices = {(a, str(v)) for sc in scenarios for r in sc.requests for a, v in r.expect.items() if a != "intake"}
    for want in [
        ("decision", "reuse"),
        ("decision", "enhance"),
        ("decision", "extend"),
        ("gatekeeper", "regenerate"),
        ("cost_guardian", "deny"),
        ("cost_guardian", "downgrade"),
        ("continuity", "revise"),
    ]:
        assert want in choices
