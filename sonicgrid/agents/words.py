"""Numbers -> words for the LLM: the small model reads 'well above the bar', not '7.31'."""

from __future__ import annotations


def level(x: float, cuts: tuple[float, ...], names: tuple[str, ...]) -> str:
    for c, n in zip(cuts, names):
        if x < c:
            return n
    return names[-1]


def similarity(s: float | None) -> str:
    if s is None:
        return "none"
    return level(s, (0.5, 0.7, 0.8, 0.9), ("unrelated", "loosely related", "similar", "very similar", "near-identical"))


def score_vs_bar(score: float | None, bar: float) -> str:
    if score is None:
        return "unknown"
    d = score - bar
    return level(
        d,
        (-2.0, -0.5, 0.0, 0.5, 2.0),
        (
            "far below the bar",
            "below the bar",
            "just below the bar",
            "just above the bar",
            "above the bar",
            "far above the bar",
        ),
    )


# Every cut the agents' rules make is also a cut between two words, so the words alone determine the
# rules' choice (tests/test_llm_train_data.py): the tuned judge can learn the rules from what it reads.
CHEAP_SHARE = 0.2  # a cost under this share of what is left is cheap enough to try even with a fallback
FIT_BAR = 0.6  # continuity: below this fit a clip is revised


def budget(cost: float, remaining: float) -> str:
    if remaining <= 0:
        return "no budget left"
    r = cost / remaining
    return level(
        r,
        (CHEAP_SHARE, 0.5, 1.0, 2.0),
        ("small share of the budget", "affordable", "most of the budget", "over the budget", "far over the budget"),
    )


def gain(g: float) -> str:
    return "none" if g <= 0 else level(g, (1.0, 3.0), ("small", "moderate", "large"))


def fit(x: float) -> str:
    return level(
        x,
        (0.3, 0.45, FIT_BAR, 0.75, 0.85),
        ("clashes", "poor fit", "weak fit", "acceptable fit", "good fit", "excellent fit"),
    )


def yes(b: bool) -> str:
    return "yes" if b else "no"
