"""JSON objects of enum fields, the only answers the agents need: grammars, and how sure the model was.

The model's confidence in a value is its own probability of that value among the allowed ones: at
every decoding step the probability of the token it took, renormalised over the tokens that would
still spell some allowed value (what the enum grammar leaves open), multiplied over the steps."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence


def enum_fields(schema: dict) -> list[tuple[str, list]] | None:
    """[(field, allowed values)] when the schema is an object of enum fields, else None."""
    props = schema.get("properties", {})
    if not props or not all("enum" in v for v in props.values()):
        return None
    return [(name, list(spec["enum"])) for name, spec in props.items()]


def enum_scaffold(schema: dict) -> tuple[str, str] | None:
    """Fast path for objects of enum fields, in one grammar (for servers): the fixed JSON head goes
    into the prompt and the grammar admits only the enum values and the scaffolding between them,
    so prompt head + completion is JSON in the schema."""
    fields = enum_fields(schema)
    if fields is None:
        return None
    head = "{" + json.dumps(fields[0][0]) + ': "'
    rules = []
    for i, (_, values) in enumerate(fields):
        alts = " | ".join(json.dumps(str(e)) for e in values)
        tail = '"}' if i == len(fields) - 1 else '", ' + json.dumps(fields[i + 1][0]) + ': "'
        rules.append(f"f{i} ::= ({alts}) {json.dumps(tail)}")
    return head, "root ::= " + " ".join(f"f{i}" for i in range(len(fields))) + "\n" + "\n".join(rules)


def _spells(text: str, values: Sequence[str]) -> bool:
    """Could decoding that produced `text` after the opening quote still end in an allowed value?"""
    if '"' in text:
        return text[: text.index('"')] in values
    return any(v.startswith(text) for v in values)


def value_confidence(
    steps: Sequence[dict[str, float]], value: str, values: Sequence[str], taken: Sequence[str] | None = None
) -> float | None:
    """The model's probability of `value` among `values`, from its scores at each step.

    steps: per decoding step after the opening quote, token text -> log-probability (or logit: only
    differences within a step matter), covering at least the tokens that matter (the top ones and
    the next token of each allowed value). taken: the token texts actually decoded, where known;
    otherwise the best-scored token that continues `value` (greedy and grammar decoding both take
    the most likely token they allow). None when the steps do not contain the value's path."""
    so_far, logp = "", 0.0
    for i, scores in enumerate(steps):
        alive = {t: s for t, s in scores.items() if t and _spells(so_far + t, values)}
        mine = {t: s for t, s in alive.items() if _spells(so_far + t, [value])}
        if taken is not None and i < len(taken):
            tok = taken[i]
            if tok not in scores:
                return None
            alive.setdefault(tok, scores[tok])
        elif mine:
            tok = max(mine, key=lambda t: mine[t])
        else:
            return None
        top = max(alive.values())
        logp += alive[tok] - (top + math.log(sum(math.exp(s - top) for s in alive.values())))
        so_far += tok
        if '"' in so_far:
            break
    if so_far.split('"', 1)[0] != value:
        return None
    return math.exp(logp)
