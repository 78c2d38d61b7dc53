"""Train the ears' small models on the dev split and write their weights into the package:

- sonicgrid/tools/analysts/critic.json: the quality critic, logistic regression (good = recorded music and
  our renders, bad = their degradations and failed generations), C chosen by 4-fold CV grouped by recording;
- sonicgrid/tools/analysts/heads.json: the drums head (logistic) and the valence/arousal heads (ridge).

Only dev-split material is used (ears_data.split_of: recordings by a hash of their name, renders by seed);
benchmarks/eval_ears.py reports on the test split. About 10-15 minutes on 2 cores the first time
(features are cached). Run: python benchmarks/train_critic.py [--quick]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import ears_data as data

PKG = Path(__file__).resolve().parents[1] / "sonicgrid" / "tools" / "analysts"


def _export(scaler, model, extra: dict) -> dict:
    coef = np.ravel(model.coef_)
    return {
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "std": [round(float(v), 6) for v in scaler.scale_],
        "coef": [round(float(v), 6) for v in coef],
        "intercept": round(float(np.ravel([model.intercept_])[0]), 6),
        **extra,
    }


def train_critic(ex: list[dict]) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    X = np.stack([data.critic_x(e["h"]) for e in ex])
    y = np.array([e["good"] for e in ex], int)
    groups = np.array([e["rec"] for e in ex])
    best = None
    for C in (0.003, 0.01, 0.03, 0.1, 0.3):
        accs = []
        for tr, va in GroupKFold(n_splits=4).split(X, y, groups):
            sc = StandardScaler().fit(X[tr])
            m = LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(sc.transform(X[tr]), y[tr])
            p = m.predict_proba(sc.transform(X[va]))[:, 1] >= 0.47  # score 5 = 1 + 8.5 * 0.47
            yy = y[va].astype(bool)
            accs.append(0.5 * (np.mean(p[yy]) + np.mean(~p[~yy])))
        acc = float(np.mean(accs))
        print(f"  critic C={C}: grouped-CV balanced accuracy {acc:.3f}")
        if best is None or acc > best[0]:
            best = (acc, C)
    sc = StandardScaler().fit(X)
    m = LogisticRegression(C=best[1], class_weight="balanced", max_iter=3000).fit(sc.transform(X), y)
    return _export(
        sc,
        m,
        {"C": best[1], "cv_balanced_accuracy": round(best[0], 3), "n_good": int(y.sum()), "n_bad": int((1 - y).sum())},
    )


def train_heads(ex: list[dict], loops: list[dict]) -> dict:
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.preprocessing import StandardScaler

    from sonicgrid.tools.analysts.mood import MOOD_POINTS

    renders = [e for e in ex if e["source"] == "render" and e["kind"] == "clean"]
    drum_ex = [(data.head_x(e["h"]), int("rhythm" in e["layers"])) for e in renders] + [
        (data.head_x(h), 1) for h in loops
    ]
    X = np.stack([x for x, _ in drum_ex])
    y = np.array([t for _, t in drum_ex])
    sc = StandardScaler().fit(X)
    drums = LogisticRegression(C=0.05, class_weight="balanced", max_iter=3000).fit(sc.transform(X), y)
    out = {"drums": _export(sc, drums, {"n_pos": int(y.sum()), "n_neg": int((1 - y).sum())})}
    Xm = np.stack([data.head_x(e["h"]) for e in renders])
    scm = StandardScaler().fit(Xm)
    for i, axis in enumerate(("valence", "arousal")):
        t = np.array([MOOD_POINTS[e["mood"]][i] for e in renders])
        r = Ridge(alpha=30.0).fit(scm.transform(Xm), t)
        out[axis] = _export(scm, r, {"n": len(renders)})
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    t0 = time.time()
    ex = data.examples("dev", quick=quick)
    loops = [data.cached(f"v1/{n}/clean", lambda a=a: data.hear(a)) for n, a, _ in data.drum_loops("dev")]
    print(f"dev: {len(ex)} examples, {len(loops)} drum loops, features in {time.time() - t0:.0f} s")
    critic = train_critic(ex)
    critic["trained_on"] = "benchmarks/train_critic.py, dev split (ears_data.py)"
    heads = train_heads(ex, loops)
    heads["trained_on"] = critic["trained_on"]
    (PKG / "critic.json").write_text(json.dumps(critic, separators=(",", ":")))
    (PKG / "heads.json").write_text(json.dumps(heads, separators=(",", ":")))
    print(
        f"wrote critic.json ({(PKG / 'critic.json').stat().st_size // 1024} KB), heads.json; {time.time() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
