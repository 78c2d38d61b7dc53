"""The brain speaks langchain-core: any chat model named in the settings decides; its failures and
slowness end in the rules (auto) or one error (llm); confidence is the model's own probability."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from sonicgrid.agents import gatekeeper, intake
from sonicgrid.agents.base import RULES
from sonicgrid.config import Settings
from sonicgrid.errors import ModelUnavailable, UserError
from sonicgrid.graph.services import make_brain
from sonicgrid.llm.deadline import LLMTimeout
from sonicgrid.llm.enums import value_confidence
from sonicgrid.llm.providers import chat_model

FAKE = "langchain_core.language_models.fake_chat_models:FakeListChatModel"


def _open_choice():
    """Score under the bar with retries left: regenerate (the rules) or accept_best."""
    return gatekeeper.judgment(
        score=3.0, components={}, threshold=5.0, attempt=0, max_retries=2, remaining_s=10.0, regen_estimate_s=0.1
    )


def _settings(tmp_path, **kw) -> Settings:
    return Settings(data_dir=tmp_path, **kw)


def test_any_chat_model_class_is_the_brain_by_configuration(tmp_path):
    s = _settings(
        tmp_path,
        brain="llm",
        llm_provider=FAKE,
        llm_kwargs={"responses": ['Sure. {"choice": "accept_best"}']},
        llm_output="text",
    )
    brain = make_brain(s)
    assert isinstance(brain.llm, BaseChatModel) and brain.llm_name == "FakeListChatModel"
    v = brain.decide(_open_choice())
    assert (v.choice, v.brain) == ("accept_best", "llm")
    # no probabilities from this model: agreement with the rules is the only signal, and it disagreed
    assert v.confidence == 0.4 and v.evidence["llm"] == {"p": None, "rules_choice": "regenerate", "agrees": False}
    assert "not the rules' regenerate" in v.reason and "score=" in v.reason  # the facts it was given


def test_a_model_without_structured_output_is_parsed_from_its_text(tmp_path):
    s = _settings(tmp_path, brain="llm", llm_provider=FAKE, llm_kwargs={"responses": ['{"choice": "regenerate"}']})
    v = make_brain(s).decide(_open_choice())  # json_schema asked, not implemented by this model: text
    assert (v.choice, v.brain, v.confidence) == ("regenerate", "llm", 0.7)
    assert v.reason.startswith("LLM chose regenerate: scored 3.0/10 < 5.0")  # the rules' evidence, with numbers


@pytest.mark.parametrize(
    ("provider", "error", "said"),
    [
        ("no_such_module_xyz:Chat", ModelUnavailable, "cannot import"),
        ("json:loads", UserError, "not a langchain-core chat model"),
        ("json:nothing_here", UserError, "has no nothing_here"),
        ("justaword", UserError, "package.module:ChatModelClass"),
    ],
)
def test_a_bad_provider_is_one_clear_line(tmp_path, provider, error, said):
    with pytest.raises(error, match=said):
        chat_model(_settings(tmp_path, llm_provider=provider))


def test_auto_falls_back_to_rules_when_the_provider_cannot_be_built(tmp_path):
    brain = make_brain(_settings(tmp_path, brain="auto", llm_provider="no_such_module_xyz:Chat"))
    assert brain.name == "rules" and "cannot import" in brain.note


class Broken(BaseChatModel):
    """A chat model whose client fails (as a provider SDK raises its own error types)."""

    calls: int = 0
    sleep_s: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "broken"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        self.calls += 1
        if self.sleep_s:
            time.sleep(self.sleep_s)
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content='{"choice": "regenerate"}'))])
        raise ConnectionError("connection refused by the provider")


def test_a_failing_chat_model_is_rules_with_a_note_in_auto_and_an_error_in_llm():
    from sonicgrid.llm.brain import LLMBrain

    model = Broken()
    auto = LLMBrain(model, fallback=True, output="text")
    v = auto.decide(_open_choice())
    assert (v.choice, v.brain) == ("regenerate", "llm-fallback") and "connection refused" in v.reason
    assert "decided by rules" in auto.note
    brief, iv = intake.read("a calm loop", auto)  # still on the rules: the model is not asked again
    assert model.calls == 1 and iv.brain == "llm-fallback" and brief.mood == "calm"
    with pytest.raises(ModelUnavailable, match="ConnectionError: connection refused"):
        LLMBrain(Broken(), output="text").decide(_open_choice())


def test_a_slow_chat_model_is_cut_at_the_deadline():
    from sonicgrid.llm.brain import LLMBrain

    t0 = time.monotonic()
    with pytest.raises(LLMTimeout, match=r"did not answer within 0\.3 s"):
        LLMBrain(Broken(sleep_s=3.0), timeout_s=0.3, output="text").decide(_open_choice())
    assert time.monotonic() - t0 < 2.5


def test_rules_brain_does_not_read_requests():
    assert RULES.read_request("a wedding first dance") is None
    brief, v = intake.read("a tense build, 8 seconds", RULES)
    assert (brief.mood, brief.section, v.brain) == ("tense", "build", "rules")


def test_value_confidence_is_the_probability_among_allowed_values():
    values = ["pass", "regenerate", "accept_best"]
    lp = math.log
    # step 0: "re" 0.6, "pass" 0.2, "acc" 0.1, a token no value starts with 0.1 (left out: the grammar forbids it)
    steps = [
        {"re": lp(0.6), "pass": lp(0.2), "acc": lp(0.1), "hello": lp(0.1)},
        {"generate": lp(0.9), "gen": lp(0.05), "xyz": lp(0.05)},
        {'"': lp(0.99), "s": lp(0.01)},
    ]
    p = value_confidence(steps, "regenerate", values)
    assert p == pytest.approx(0.6 / 0.9 * 0.9 / 0.95)  # renormalised per step over what could still be allowed
    assert value_confidence(steps[:1], "pass", values) == pytest.approx(0.2 / 0.9)
    # the decoded path is known (a server's tokens): the probability follows it
    assert value_confidence(steps, "regenerate", values, taken=["re", "gen", "erate"]) is None  # not in the steps
    assert value_confidence(steps[:1], "nothing", values) is None


def test_server_logprobs_give_each_fields_probability():
    from sonicgrid.agents.intake import INTAKE_SCHEMA
    from sonicgrid.llm.enums import enum_scaffold
    from sonicgrid.llm.server import _probs

    head, _ = enum_scaffold(INTAKE_SCHEMA)
    lp = math.log
    logprobs = {  # what an OpenAI-compatible server returns for 'tense", "section": "build"}'
        "tokens": ["tense", '",', ' "', "section", '":', ' "', "build", '"}'],
        "top_logprobs": [
            {"tense": lp(0.5), "dark": lp(0.3), "hello": lp(0.2)},
            {'",': lp(0.9), "r": lp(0.1)},
            {' "': 0.0},
            {"section": 0.0},
            {'":': 0.0},
            {' "': 0.0},
            {"build": lp(0.6), "intro": lp(0.2), "loop": lp(0.1), "xyz": lp(0.1)},
            {'"}': 0.0},
        ],
    }
    moods = INTAKE_SCHEMA["properties"]["mood"]["enum"]
    p = _probs(INTAKE_SCHEMA, logprobs, head)
    dark = 0.3 if "dark" in moods else 0.0
    assert p["mood"] == pytest.approx(0.5 / (0.5 + dark) * 0.9 / 0.9, abs=1e-4)  # "r" after "tense" spells nothing
    assert p["section"] == pytest.approx(0.6 / 0.9, abs=1e-4)
    assert _probs(INTAKE_SCHEMA, None, head) == {}
