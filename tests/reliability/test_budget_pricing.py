"""Issue 14 #8: every path is priced against the budget — a fallback reuse's library load and its
analysis included: a tiny budget never pays for listening to a reused clip again."""

from __future__ import annotations

import json

from reliability_helpers import Env


def test_fallback_reuse_is_priced_and_stays_in_a_tiny_budget(tmp_path):
    env = Env(tmp_path)
    first = env.cli("make", "calm loop", "--duration", "2")  # a clip the next request can fall back on
    assert first.returncode == 0, first.stderr[-2000:]
    (made,) = env.run_ids()
    r = env.cli("make", "calm loop", "--duration", "2", "--budget", "0.05")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    (run_id,) = set(env.run_ids()) - {made}
    side = json.loads((env.out / run_id / "clip.json").read_text())
    cells = side["cells"]
    assert cells and all(c["decision"] == "reuse" for c in cells), cells  # every grid cell reuses a stem
    # the cells' own calls (finish then enhances each reused segment for the mix: a finish cost, not a cell's)
    calls = [c for c in side["tool_calls"] if c.get("cell") is not None and c["role"] != "enhancer"]
    assert {c["role"] for c in calls} <= {"library", "analyst"}
    listened = [c for c in calls if c["role"] == "analyst" and c["tool"] != "library-analysis"]
    assert not listened, listened  # listening would cost ~0.3 s: the record's own readings are used
    # priced: what each cell spent is what its calls took (the load and the lookup are not free)
    for cell in cells:
        own = [c for c in calls if c["cell"] == cell["index"]]
        assert cell["spent_s"] > 0
        assert abs(cell["spent_s"] - sum(c["seconds"] for c in own)) < 0.05
    assert side["spent_s"] < 0.3 * len(cells)
