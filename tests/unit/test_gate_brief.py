"""Brief honouring and the gatekeeper's fold of violations into the score its words describe."""

from __future__ import annotations

from sonicgrid.agents import gatekeeper
from sonicgrid.agents import words as w
from sonicgrid.tools.analysts import honour

HEARD = {
    "tags": {"drums": 0.9, "voice": 0.0},
    "tempo_bpm": 120.0,
    "tempo_confidence": 0.9,
    "key": "A",
    "mode": "minor",
    "key_confidence": 0.8,
    "arousal": 0.2,
    "mood_label": "tense",
    "duration_s": 8.0,
}


def test_excluded_drums_heard_is_a_violation_but_not_on_the_rhythm_cell():
    brief = {"mood": "tense", "exclude": ["rhythm"], "layers": ["harmony"]}
    got = honour.check(brief, "harmony", 8.0, HEARD)
    assert got["checks"]["layers"]["ok"] is False and got["violations"]
    quiet = honour.check(brief, "harmony", 8.0, {**HEARD, "tags": {"drums": 0.05}})
    assert quiet["checks"]["layers"]["ok"] is True and not quiet["violations"]


def test_a_rhythm_cell_without_drums_violates_with_drums():
    brief = {"mood": "energetic", "layers": ["rhythm", "harmony"]}
    got = honour.check(brief, "rhythm", 8.0, {**HEARD, "tags": {"drums": 0.1}})
    assert got["checks"]["layers"]["ok"] is False


def test_tempo_octaves_pass_wrong_tempo_fails_and_unsure_is_not_judged():
    assert honour.check({"tempo_bpm": 60}, None, None, HEARD)["checks"]["tempo"]["ok"] is True  # half time
    assert honour.check({"tempo_bpm": 100}, None, None, HEARD)["checks"]["tempo"]["ok"] is False
    unsure = honour.check({"tempo_bpm": 100}, None, None, {**HEARD, "tempo_confidence": 0.2})
    assert unsure["checks"]["tempo"]["ok"] is None and not unsure["violations"]


def test_key_relative_passes_distant_fails_and_length_is_checked():
    assert honour.check({"key": "C", "mode": "major"}, None, None, HEARD)["checks"]["key"]["ok"] is True
    assert honour.check({"key": "F#", "mode": "major"}, None, None, HEARD)["checks"]["key"]["ok"] is False
    assert honour.check({}, None, 4.0, HEARD)["checks"]["length"]["ok"] is False
    assert honour.check({}, None, 7.5, HEARD)["checks"]["length"]["ok"] is True


def _judge(score, quality, threshold=5.0):
    comps = dict(quality.get("components", {"loudness": {"value": 1.0, "measured": "", "weight": 0.1}}))
    return gatekeeper.judgment(
        score=score,
        components=comps,
        threshold=threshold,
        attempt=0,
        max_retries=2,
        remaining_s=100.0,
        regen_estimate_s=1.0,
        quality=quality,
    )


def test_a_good_sounding_clip_that_ignores_the_brief_does_not_pass_at_any_bar():
    checks = honour.check({"mood": "tense", "exclude": ["rhythm"]}, "harmony", 8.0, HEARD)
    q = honour.apply({"score": 8.7, "components": {"loudness": {"value": 1.0, "measured": "", "weight": 0.1}}}, checks)
    assert q["score"] == honour.CAP and q["brief_capped"]
    for bar in (2.0, 5.0):
        j = _judge(q["score"], q, threshold=bar)
        assert j.allowed == ["regenerate", "accept_best"]
        choice, _, reason = j.rules()
        assert choice == "regenerate" and "ignores the brief" in reason and "drums" in reason
        assert j.words["score"] == w.score_vs_bar(bar - gatekeeper.BRIEF_MARGIN, bar) == "below the bar"
        assert j.words["weakest aspect"] == "brief_layers"
        assert j.evidence["brief"]["violations"] and j.evidence["audio_score"] == q["score"]


def test_an_honouring_clip_keeps_its_score_and_passes():
    checks = honour.check({"mood": "tense", "layers": ["rhythm"]}, "rhythm", 8.0, HEARD)
    q = honour.apply({"score": 8.7, "components": {"loudness": {"value": 1.0, "measured": "", "weight": 0.1}}}, checks)
    j = _judge(q["score"], q)
    assert q["score"] == 8.7 and j.allowed == ["pass"] and j.rules()[0] == "pass"


def test_adjustments_follow_the_violated_check():
    comps = {
        "brief_key": {"value": 0.0, "measured": "", "weight": 0.0},
        "critic": {"value": 0.9, "measured": "", "weight": 1},
    }
    p = gatekeeper.adjustments(comps, {"key": "D", "mode": "minor"}, 1)
    assert p["key"] == "D" and p["mode"] == "minor"


def test_mood_energy_is_judged_on_the_whole_piece_only():
    calm = {"mood": "calm", "layers": ["rhythm", "harmony"]}
    loud = {**HEARD, "arousal": 0.9}
    assert "mood" not in honour.check(calm, "rhythm", 8.0, loud)["checks"]  # a stem of a larger piece
    assert honour.check(calm, None, 8.0, loud)["checks"]["mood"]["ok"] is False  # the full mix
    alone = {"mood": "calm", "layers": ["harmony"]}
    assert honour.check(alone, "harmony", 8.0, loud)["checks"]["mood"]["ok"] is False  # the only layer asked for
    assert "key" not in honour.check({"key": "F#"}, "rhythm", 8.0, HEARD)["checks"]  # drums carry no key
