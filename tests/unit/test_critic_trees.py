"""The critic's exported trees decide as scikit-learn's do, on the edge of a split too."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sonicgrid.tools.analysts import critic


def _stump(threshold: float) -> dict:
    return {
        "init": 0.0,
        "rate": 1.0,
        "trees": [
            {"f": [0, -2, -2], "t": [threshold, -2.0, -2.0], "l": [1, -1, -1], "r": [2, -1, -1], "v": [0.0, -1.0, 1.0]}
        ],
    }


@pytest.mark.parametrize("start", [0.26659885, -8.725561, 1.0, 1234.5678])
def test_a_split_between_two_adjacent_float32_values_keeps_them_apart(start):
    # scikit-learn splits halfway between two neighbouring feature values (in float64) and compares the
    # float32 inputs with that in float64; rounding the threshold to float32 would put it on one of them
    lo = np.float32(start)
    hi = np.nextafter(lo, np.float32(np.inf))
    w = _stump((float(lo) + float(hi)) / 2)
    assert critic.raw_score(w, np.array([lo], np.float64)) == -1.0
    assert critic.raw_score(w, np.array([hi], np.float64)) == 1.0


def test_exported_trees_agree_with_scikit_learn_on_every_input():
    sklearn = pytest.importorskip("sklearn.ensemble")
    rng = np.random.default_rng(0)
    # values packed a float32 step apart, as measured features often are (rounding noise on a constant)
    base = rng.normal(size=(400, 3)).astype(np.float32)
    steps = rng.integers(0, 4, size=(400, 3))
    X = np.nextafter(base, np.float32(np.inf)) * (steps == 1) + base * (steps != 1)
    X = X.astype(np.float64) + (steps == 2) * 1e-9
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    m = sklearn.GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=0).fit(X, y)
    w = critic.trees_of(m, X)
    ours = np.array([critic.raw_score(w, x) for x in X])
    np.testing.assert_allclose(ours, m.decision_function(X), atol=1e-9)


def test_a_new_critic_file_is_read_without_a_restart(tmp_path, monkeypatch):
    w = {"model": "gbm", "features": ["flaws"], **_stump(0.5), "offset": 0.0}
    first = tmp_path / "a.json"
    first.write_text(json.dumps(w))
    monkeypatch.setattr(critic, "WEIGHTS", first)
    assert critic.weights()["trees"][0]["v"][2] == 1.0
    second = tmp_path / "b.json"
    second.write_text(json.dumps({**w, "trees": [{**w["trees"][0], "v": [0.0, -1.0, 2.0]}]}))
    monkeypatch.setattr(critic, "WEIGHTS", second)
    assert critic.weights()["trees"][0]["v"][2] == 2.0
