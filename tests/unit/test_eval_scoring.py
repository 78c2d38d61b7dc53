"""How the eval report reads an agent's choice: on the lowest cell it judged; an expectation that the agent was
not asked ("(none)") on the request's first cell, as a guardian asked only about a grid's later cells was not
asked about the request."""

from sonicgrid.evals.runner import NONE, score_request


def _v(agent, cell, choice, attempt=0):
    return {"agent": agent, "cell": cell, "choice": choice, "attempt": attempt, "reason": "r", "allowed": [choice]}


def _actual(verdicts, agent, want):
    checks = score_request("s", "sc", 0, {agent: want}, {"run_id": "r1", "verdicts": verdicts}, None)
    return checks[0].actual


def test_guardian_asked_only_on_later_cells_reads_none():
    verdicts = [
        _v("intake", None, "brief"),
        _v("decision", 0, "reuse"),
        _v("gatekeeper", 0, "pass"),
        _v("decision", 1, "generate"),
        _v("cost_guardian", 1, "approve"),
    ]
    assert _actual(verdicts, "cost_guardian", NONE) == NONE
    assert _actual(verdicts, "decision", "reuse") == "reuse"


def test_first_attempt_on_the_first_cell_counts():
    verdicts = [
        _v("gatekeeper", 2, "pass"),
        _v("gatekeeper", 0, "pass", attempt=1),
        _v("gatekeeper", 0, "regenerate", attempt=0),
    ]
    assert _actual(verdicts, "gatekeeper", "regenerate") == "regenerate"


def test_cells_need_not_start_at_zero():
    verdicts = [_v("decision", 3, "extend"), _v("cost_guardian", 3, "approve"), _v("cost_guardian", 4, "deny")]
    assert _actual(verdicts, "cost_guardian", "approve") == "approve"


def test_a_choice_is_read_where_the_agent_was_asked():
    verdicts = [
        _v("decision", 0, "generate"),
        _v("cost_guardian", 0, "deny"),  # the first cell never reached the gate
        _v("decision", 1, "generate"),
        _v("cost_guardian", 1, "downgrade"),
        _v("gatekeeper", 1, "accept_best"),
    ]
    assert _actual(verdicts, "gatekeeper", "accept_best") == "accept_best"
    assert _actual(verdicts, "gatekeeper", [NONE, "pass"]) == NONE


def test_score_checks_read_the_meter_and_the_instruments_from_clip_mid(tmp_path):
    import pretty_midi

    from sonicgrid.evals.e2e import _score_check

    pm = pretty_midi.PrettyMIDI(initial_tempo=90.0)
    pm.time_signature_changes.append(pretty_midi.TimeSignature(3, 4, 0.0))
    for program in (0, 48):
        inst = pretty_midi.Instrument(program=program)
        inst.notes.append(pretty_midi.Note(80, 60, 0.0, 1.0))
        pm.instruments.append(inst)
    path = tmp_path / "clip.mid"
    pm.write(str(path))
    assert _score_check("meter", "3/4", path)[2] == "3/4"
    assert _score_check("meter", "6/8", path)[2] == "3/4"  # the check reports what is there: a mismatch
    ok = {"play": ["piano"]}
    assert _score_check("instruments", ok, path)[2] == str(ok)
    assert _score_check("instruments", {"play": ["piano"], "alone": True}, path)[2] == "programs [0, 48]"
    assert _score_check("instruments", {"play": ["violin"]}, path)[2].startswith("programs")
    assert _score_check("meter", "3/4", tmp_path / "none.mid")[2] == "no clip.mid"


def test_an_instrument_named_plays_when_any_of_its_kind_does(tmp_path):
    """ "with electric guitar" plays program 27, and a check that asks for a guitar reads it as one; "alone"
    still allows only the programs named."""
    import pretty_midi

    from sonicgrid.evals.e2e import _score_check

    pm = pretty_midi.PrettyMIDI(initial_tempo=90.0)
    for program in (27, 19):  # an electric guitar, a church organ
        inst = pretty_midi.Instrument(program=program)
        inst.notes.append(pretty_midi.Note(80, 60, 0.0, 1.0))
        pm.instruments.append(inst)
    path = tmp_path / "clip.mid"
    pm.write(str(path))
    both = {"play": ["guitar", "organ"]}
    assert _score_check("instruments", both, path)[2] == str(both)
    assert _score_check("instruments", {"play": ["piano"]}, path)[2] == "programs [19, 27]"
    assert _score_check("instruments", {"play": ["guitar"], "alone": True}, path)[2] == "programs [19, 27]"
