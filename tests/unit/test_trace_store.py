"""Which trace a user names: an id, a unique prefix, or the newest by 'last' (and 'latest', 'newest')."""

from __future__ import annotations

import json
import os

import pytest

from sonicgrid.config import Settings
from sonicgrid.errors import UserError
from sonicgrid.trace import store


def test_last_latest_and_prefixes_name_the_right_run(tmp_path):
    s = Settings(data_dir=tmp_path)
    s.traces_dir.mkdir(parents=True, exist_ok=True)
    for i, run in enumerate(("20261127-080000-aaaaaa", "20261127-090000-bbbbbb")):
        p = s.traces_dir / f"{run}.json"
        p.write_text(json.dumps({"run_id": run}))
        os.utime(p, (1_000_000 + i, 1_000_000 + i))
    for name in ("last", "latest", "Newest"):
        assert store.load(name, s)["run_id"] == "20261127-090000-bbbbbb", name
    assert store.load("20261127-08", s)["run_id"] == "20261127-080000-aaaaaa"
    with pytest.raises(UserError, match="matches 2 runs"):
        store.load("20261127", s)
    with pytest.raises(UserError, match="no trace 'nope'"):
        store.load("nope", s)


def test_diff_compares_every_brief_field_and_reads_old_traces_at_their_defaults():
    """The chat's later fields (instruments, transpose, parts turned down, meter) were missing from `trace diff`."""
    from sonicgrid.trace.diff import diff

    old = {"request": "r", "brief": {"mood": "calm", "layers": ["harmony"]}}  # written before those fields existed
    new = {
        "request": "r",
        "brief": {"mood": "calm", "layers": ["harmony"], "instruments": ["violin"], "transpose": 2, "meter": 3}
        | {"exclude_parts": ["bass"]},
    }
    rows = {what: (a, b) for what, a, b in diff(old, new)}
    assert rows == {
        "brief.instruments": ("[]", "['violin']"),
        "brief.transpose": ("None", "2"),
        "brief.meter": ("None", "3"),
        "brief.exclude_parts": ("[]", "['bass']"),
    }
    assert diff(old, old | {"brief": old["brief"] | {"variations": 1, "exclude": []}}) == []  # defaults said
